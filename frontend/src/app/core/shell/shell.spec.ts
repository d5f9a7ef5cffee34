import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { DeferBlockBehavior, TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { answerRestore, setSessionHint, userView } from '../../../testing/auth-fixtures';
import { appConfig } from '../../app.config';
import { UserView } from '../session/user';
import { READINESS_URL } from './api-status';
import { HANDSET_QUERY } from './shell';

/** Makes CDK's BreakpointObserver see a viewport that does or does not match the handset query. */
function stubViewport(handset: boolean): void {
  // Only what CDK's MediaMatcher reads; it still uses the legacy add/removeListener pair.
  vi.stubGlobal('matchMedia', (query: string) => {
    const list = {
      matches: handset && query === HANDSET_QUERY,
      media: query,
      addListener: () => undefined,
      removeListener: () => undefined,
    };
    return list as unknown as MediaQueryList;
  });
}

const admin = userView({ name: 'Ada Admin', email: 'ada@example.test', role: 'admin' });

/** The shell is the layout route around every signed-in page: render it through the router. */
async function renderShellAt(url: string, user: UserView = admin) {
  setSessionHint(true);
  TestBed.configureTestingModule({
    providers: [...appConfig.providers, provideHttpClientTesting()],
    // The theme and account menus are deferred "on idle"; these tests are about the frame around them.
    deferBlockBehavior: DeferBlockBehavior.Manual,
  });
  // The @defer blocks' dependencies load asynchronously, so the Shell must be compiled first.
  await TestBed.compileComponents();
  const backend = TestBed.inject(HttpTestingController);
  answerRestore(backend, user);
  const harness = await RouterTestingHarness.create();
  await harness.navigateByUrl(url);
  backend.expectOne(READINESS_URL).flush({ status: 'ok' });
  await harness.fixture.whenStable();
  return { fixture: harness.fixture, element: harness.fixture.nativeElement as HTMLElement };
}

describe('Shell', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  describe('on a desktop-sized viewport', () => {
    beforeEach(() => {
      stubViewport(false);
    });

    it('renders every navigation link with its href', async () => {
      const { element } = await renderShellAt('/feed');
      const links = Array.from(element.querySelectorAll<HTMLAnchorElement>('nav a'));

      expect(links.map((a) => [a.textContent.trim(), a.getAttribute('href')])).toEqual([
        ['Live feed', '/feed'],
        ['Incidents', '/incidents'],
        ['Analytics', '/analytics'],
        ['Users', '/admin/users'],
        ['Integrations', '/admin/integrations'],
        ['Audit log', '/admin/audit'],
        ['API keys', '/admin/api-keys'],
        ['Deliveries', '/admin/deliveries'],
        ['Event sources', '/admin/event-sources'],
      ]);
    });

    it('shows the Admin section only to admins', async () => {
      const { element } = await renderShellAt('/feed', userView({ role: 'responder' }));
      const links = Array.from(element.querySelectorAll<HTMLAnchorElement>('nav a'));

      expect(links.map((a) => a.getAttribute('href'))).toEqual(['/feed', '/incidents', '/analytics']);
      expect(element.querySelector('nav h2')).toBeNull();
    });

    it("names the signed-in user in the toolbar's account button", async () => {
      const { element } = await renderShellAt('/feed');
      const account = element.querySelector('header button[aria-label^="Account menu for"]');

      expect(account?.getAttribute('aria-label')).toBe('Account menu for Ada Admin');
    });

    it('marks only the active link with aria-current="page"', async () => {
      // A page that loads nothing: whenStable() would wait for a page's pending requests.
      const { element } = await renderShellAt('/analytics');
      const current = Array.from(element.querySelectorAll('nav a[aria-current="page"]'));

      expect(current.map((a) => a.getAttribute('href'))).toEqual(['/analytics']);
      expect(element.querySelector('a[href="/feed"]')!.hasAttribute('aria-current')).toBe(false);
    });

    it('moves aria-current when the route changes', async () => {
      const { fixture, element } = await renderShellAt('/feed');
      await TestBed.inject(Router).navigateByUrl('/analytics');
      await fixture.whenStable();

      expect(element.querySelector('a[href="/analytics"]')!.getAttribute('aria-current')).toBe('page');
      expect(element.querySelector('a[href="/feed"]')!.hasAttribute('aria-current')).toBe(false);
    });

    it('has banner, navigation and main landmarks, and the page h1 inside main', async () => {
      const { element } = await renderShellAt('/analytics');

      expect(element.querySelector('header mat-toolbar')?.textContent).toContain('Nexecute Connect');
      expect(element.querySelector('nav')?.getAttribute('aria-label')).toBe('Primary');
      expect(element.querySelector('main#main-content h1')?.textContent).toBe('Analytics');
      expect(element.querySelectorAll('h1')).toHaveLength(1);
    });

    it('skip link moves focus to the main content without navigating', async () => {
      const { element } = await renderShellAt('/analytics');
      const skip = element.querySelector<HTMLAnchorElement>('a.skip-link')!;

      expect(skip.getAttribute('href')).toBe('#main-content');
      skip.click();
      expect(document.activeElement).toBe(element.querySelector('main'));
      expect(TestBed.inject(Router).url).toBe('/analytics');
    });

    it('keeps the navigation open beside the content, with no menu button', async () => {
      const { element } = await renderShellAt('/feed');

      expect(element.querySelector('button[aria-label="Open navigation"]')).toBeNull();
      expect(element.querySelector('.header-scrim')).toBeNull();
      expect(element.querySelector('mat-sidenav')!.classList).toContain('mat-drawer-side');
      expect(element.querySelector('mat-sidenav')!.classList).toContain('mat-drawer-opened');
    });
  });

  describe('on a handset-sized viewport (≤ 768px)', () => {
    beforeEach(() => {
      stubViewport(true);
    });

    /** Lets MatDrawer finish opening or closing: it reports that from a timer, then moves focus. */
    async function settle(fixture: { whenStable(): Promise<unknown> }): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve));
      await fixture.whenStable();
    }

    async function openDrawer(url = '/feed') {
      const rendered = await renderShellAt(url);
      const menuButton = rendered.element.querySelector<HTMLButtonElement>('button.menu-button')!;
      // A real click focuses the button first; MatDrawer gives focus back to it on close.
      menuButton.focus();
      menuButton.click();
      await settle(rendered.fixture);
      return { ...rendered, menuButton, sidenav: rendered.element.querySelector('mat-sidenav')! };
    }

    it('overlays the navigation, closed until the labelled menu button opens it', async () => {
      const { fixture, element } = await renderShellAt('/feed');
      const sidenav = element.querySelector('mat-sidenav')!;
      const menuButton = element.querySelector<HTMLButtonElement>('button[aria-label="Open navigation"]');

      expect(menuButton).not.toBeNull();
      expect(sidenav.classList).toContain('mat-drawer-over');
      expect(sidenav.classList).not.toContain('mat-drawer-opened');
      expect(menuButton!.getAttribute('aria-expanded')).toBe('false');

      menuButton!.click();
      await fixture.whenStable();
      expect(sidenav.classList).toContain('mat-drawer-opened');
      expect(menuButton!.getAttribute('aria-expanded')).toBe('true');
      expect(menuButton!.getAttribute('aria-label')).toBe('Close navigation');
    });

    it('points the menu button at the drawer it controls', async () => {
      const { element } = await renderShellAt('/feed');
      const menuButton = element.querySelector('button.menu-button')!;
      const controlled = document.getElementById(menuButton.getAttribute('aria-controls')!);

      expect(controlled).toBe(element.querySelector('mat-sidenav'));
      expect(controlled!.querySelector('nav[aria-label="Primary"]')).not.toBeNull();
    });

    it('closes the drawer when the menu button is pressed again', async () => {
      const { fixture, menuButton, sidenav } = await openDrawer();
      expect(sidenav.classList).toContain('mat-drawer-opened');

      menuButton.click();
      await settle(fixture);

      expect(sidenav.classList).not.toContain('mat-drawer-opened');
      expect(menuButton.getAttribute('aria-expanded')).toBe('false');
      expect(menuButton.getAttribute('aria-label')).toBe('Open navigation');
    });

    it('closes after following a link and gives focus back to the menu button', async () => {
      const { fixture, element, menuButton, sidenav } = await openDrawer();
      expect(sidenav.contains(document.activeElement)).toBe(true);

      element.querySelector<HTMLAnchorElement>('nav a[href="/analytics"]')!.click();
      await settle(fixture);

      expect(TestBed.inject(Router).url).toBe('/analytics');
      expect(sidenav.classList).not.toContain('mat-drawer-opened');
      expect(menuButton.getAttribute('aria-expanded')).toBe('false');
      expect(document.activeElement).toBe(menuButton);
    });

    it('dims the header while the drawer is open; tapping it closes the drawer', async () => {
      const { fixture, element, menuButton, sidenav } = await openDrawer();
      const scrim = element.querySelector<HTMLElement>('header .header-scrim')!;
      expect(scrim.classList).toContain('header-scrim-shown');
      expect(scrim.getAttribute('aria-hidden')).toBe('true');

      scrim.click();
      await settle(fixture);

      expect(sidenav.classList).not.toContain('mat-drawer-opened');
      expect(scrim.classList).not.toContain('header-scrim-shown');
      expect(document.activeElement).toBe(menuButton);
    });
  });
});
