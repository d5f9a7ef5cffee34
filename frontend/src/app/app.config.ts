import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  ApplicationConfig,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
} from '@angular/core';
import { provideRouter, TitleStrategy, withComponentInputBinding } from '@angular/router';

import { routes } from './app.routes';
import { authInterceptor } from './core/auth-interceptor';
import { PageTitleStrategy } from './core/page-title-strategy';
import { problemInterceptor } from './core/problem-interceptor';
import { Session } from './core/session/session';
import { ThemePreference } from './core/theme/theme-preference';

// Angular 21 is zoneless by default: no zone.js, change detection follows signals and events.
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    { provide: TitleStrategy, useClass: PageTitleStrategy },
    // Order matters: authInterceptor is the outer one, so it sees errors problemInterceptor has
    // already turned into ProblemErrors (it branches on `code`), and its retry after a token
    // refresh passes through problemInterceptor again.
    provideHttpClient(withFetch(), withInterceptors([authInterceptor, problemInterceptor])),
    // Apply the stored light/dark choice before the first render, not when the theme menu loads.
    provideAppInitializer(() => {
      inject(ThemePreference);
    }),
    // Exchange the refresh cookie for an access token before the first navigation, so the guards
    // see a reload of a signed-in tab as signed in.
    provideAppInitializer(() => inject(Session).restore()),
  ],
};
