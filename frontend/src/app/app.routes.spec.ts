import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { appConfig } from './app.config';

describe('app routes', () => {
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [...appConfig.providers, provideHttpClientTesting()] });
    harness = await RouterTestingHarness.create();
  });

  function heading(): string | undefined {
    return harness.routeNativeElement?.querySelector('h1')?.textContent;
  }

  it('redirects / to /feed', async () => {
    await harness.navigateByUrl('/');

    expect(TestBed.inject(Router).url).toBe('/feed');
    expect(heading()).toBe('Live feed');
  });

  it('shows the not-found page for an unknown URL and keeps the URL', async () => {
    await harness.navigateByUrl('/no/such/page');

    expect(TestBed.inject(Router).url).toBe('/no/such/page');
    expect(heading()).toBe('Page not found');
    expect(harness.routeNativeElement?.textContent).toContain('/no/such/page');
    expect(TestBed.inject(Title).getTitle()).toBe('Page not found · Nexecute Connect');
  });

  it('redirects /admin to the users page', async () => {
    await harness.navigateByUrl('/admin');

    expect(TestBed.inject(Router).url).toBe('/admin/users');
    expect(heading()).toBe('Users');
  });

  it.each([
    ['/feed', 'Live feed'],
    ['/incidents', 'Incidents'],
    ['/analytics', 'Analytics'],
    ['/admin/users', 'Users'],
    ['/admin/integrations', 'Integrations'],
  ])('%s has its own h1 and document title', async (url, title) => {
    await harness.navigateByUrl(url);

    expect(heading()).toBe(title);
    expect(TestBed.inject(Title).getTitle()).toBe(`${title} · Nexecute Connect`);
    expect(harness.routeNativeElement?.querySelector('mat-card')).not.toBeNull();
  });
});
