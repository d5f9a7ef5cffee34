import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  ApplicationConfig,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
} from '@angular/core';
import { provideRouter, TitleStrategy, withComponentInputBinding } from '@angular/router';

import { routes } from './app.routes';
import { PageTitleStrategy } from './core/page-title-strategy';
import { problemInterceptor } from './core/problem-interceptor';
import { ThemePreference } from './core/theme/theme-preference';

// Angular 21 is zoneless by default: no zone.js, change detection follows signals and events.
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    { provide: TitleStrategy, useClass: PageTitleStrategy },
    provideHttpClient(withFetch(), withInterceptors([problemInterceptor])),
    // Apply the stored light/dark choice before the first render, not when the theme menu loads.
    provideAppInitializer(() => {
      inject(ThemePreference);
    }),
  ],
};
