import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { answerRestore, setSessionHint, userView } from '../testing/auth-fixtures';
import { appConfig } from './app.config';
import { UserView } from './core/session/user';

describe('app routes', () => {
  let harness: RouterTestingHarness;
  let backend: HttpTestingController;

  /** Starts the app the way a reload does: the silent refresh decides who is signed in. */
  async function startAs(user: UserView | null): Promise<void> {
    setSessionHint(user !== null);
    TestBed.configureTestingModule({ providers: [...appConfig.providers, provideHttpClientTesting()] });
    backend = TestBed.inject(HttpTestingController);
    answerRestore(backend, user);
    harness = await RouterTestingHarness.create();
  }

  function heading(): string | undefined {
    return harness.routeNativeElement?.querySelector('h1')?.textContent.trim();
  }

  describe('signed in as an admin', () => {
    beforeEach(async () => {
      await startAs(userView({ role: 'admin' }));
    });

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

    it('/analytics has its own h1 and document title, and reads the analytics API', async () => {
      await harness.navigateByUrl('/analytics');

      expect(heading()).toBe('Analytics');
      expect(TestBed.inject(Title).getTitle()).toBe('Analytics · Nexecute Connect');
      for (const path of ['summary', 'response-times', 'backlog', 'sla', 'sources']) {
        backend.expectOne((req) => req.url === `/api/analytics/${path}`);
      }
    }, 20_000); // its chunk carries Chart.js: slower to load than the others on a busy machine

    it('/admin/integrations has its own h1 and document title, and loads the ServiceNow connection', async () => {
      await harness.navigateByUrl('/admin/integrations');

      expect(heading()).toBe('Integrations');
      expect(TestBed.inject(Title).getTitle()).toBe('Integrations · Nexecute Connect');
      expect(harness.routeNativeElement?.textContent).toContain('Loading the ServiceNow connection');
    });

    it.each([
      ['/feed', 'Live feed'],
      ['/incidents', 'Incidents'],
      ['/incidents/new', 'New incident'],
      ['/admin/users', 'Users'],
      ['/admin/audit', 'Audit log'],
      ['/admin/deliveries', 'Deliveries'],
      ['/admin/api-keys', 'API keys'],
      ['/admin/event-sources', 'Event sources'],
      ['/profile', 'Profile'],
    ])('%s has its own h1 and document title', async (url, title) => {
      await harness.navigateByUrl(url);

      expect(heading()).toBe(title);
      expect(TestBed.inject(Title).getTitle()).toBe(`${title} · Nexecute Connect`);
    });

    it('sends a signed-in user away from /login to the feed', async () => {
      await harness.navigateByUrl('/login');

      expect(TestBed.inject(Router).url).toBe('/feed');
    });
  });

  describe('signed out', () => {
    beforeEach(async () => {
      await startAs(null);
    });

    it('shows the login page, outside the shell, with the requested URL as returnUrl', async () => {
      await harness.navigateByUrl('/incidents?status=open');

      const router = TestBed.inject(Router);
      expect(router.parseUrl(router.url).root.children['primary']?.toString()).toBe('login');
      expect(router.parseUrl(router.url).queryParams).toEqual({ returnUrl: '/incidents?status=open' });
      expect(heading()).toBe('Sign in');
      expect(TestBed.inject(Title).getTitle()).toBe('Sign in · Nexecute Connect');
      expect(
        (harness.fixture.nativeElement as HTMLElement).querySelector('nav[aria-label="Primary"]'),
      ).toBeNull();
    });

    it('sends / to the login page without a returnUrl (the feed is where it leads anyway)', async () => {
      await harness.navigateByUrl('/');

      expect(TestBed.inject(Router).url).toBe('/login');
    });
  });

  it('keeps a user who must change their password on the profile page', async () => {
    await startAs(userView({ role: 'admin', mustChangePassword: true }));

    await harness.navigateByUrl('/admin/users');
    expect(TestBed.inject(Router).url).toBe('/profile?changePassword=1');
    expect(heading()).toBe('Profile');

    await harness.navigateByUrl('/feed');
    expect(TestBed.inject(Router).url).toBe('/profile?changePassword=1');
  });

  it('sends a non-admin from an admin page to "Access denied", naming the page and the role', async () => {
    await startAs(userView({ role: 'viewer' }));

    await harness.navigateByUrl('/admin/users');

    expect(TestBed.inject(Router).url).toBe('/access-denied?from=%2Fadmin%2Fusers');
    expect(heading()).toBe('Access denied');
    expect(harness.routeNativeElement?.textContent).toContain('/admin/users');
    expect(harness.routeNativeElement?.textContent).toContain('Viewer');
    backend.expectNone((req) => req.url.startsWith('/api/users'));
  });

  it('keeps viewers away from the incident form but lets them read incidents', async () => {
    await startAs(userView({ role: 'viewer' }));

    await harness.navigateByUrl('/incidents/new');
    expect(TestBed.inject(Router).url).toBe('/access-denied?from=%2Fincidents%2Fnew');

    await harness.navigateByUrl('/incidents/INC0000001/edit');
    expect(TestBed.inject(Router).url).toBe('/access-denied?from=%2Fincidents%2FINC0000001%2Fedit');

    await harness.navigateByUrl('/incidents/INC0000001');
    expect(TestBed.inject(Router).url).toBe('/incidents/INC0000001');
    expect(TestBed.inject(Title).getTitle()).toBe('INC0000001 · Nexecute Connect');
  });
});
