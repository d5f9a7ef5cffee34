// End-to-end tests of the console shell against the real, built product (API + console on one
// port). Run through `node frontend/e2e/run.mjs`, which starts the app and sets E2E_BASE_URL; or
// point E2E_BASE_URL at an already running instance and run this file with `node --test`.
//
// Locators are role/label based on purpose: a control that cannot be found by its role and
// accessible name is a failure here too.
//
// The console needs a signed-in user: each page-based test first signs in as the bootstrap admin
// through the login page (sign-in.mjs); later `page.goto`s reload the console, which restores the
// session from the refresh cookie, so every test also covers that silent sign-in.

// Callbacks passed to page.evaluate() run in the browser:
/* global document, window, getComputedStyle */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { io } from 'socket.io-client';

import {
  artifact,
  BASE_URL,
  escapeRegExp,
  eventually,
  heading1,
  launchChromium,
  newPage,
  primaryNav,
  screenshotFailure,
} from './browser.mjs';
import { apiAccessToken, signIn } from './sign-in.mjs';

const PRODUCT = 'Nexecute Connect';
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 375, height: 812 };

const TEST_TIMEOUT_MS = 120_000;

/** The console's pages: sidenav label, path, h1 and the page part of the document title. */
const PAGES = [
  { link: 'Live feed', path: '/feed', heading: 'Live feed' },
  { link: 'Incidents', path: '/incidents', heading: 'Incidents' },
  { link: 'Analytics', path: '/analytics', heading: 'Analytics' },
  { link: 'Users', path: '/admin/users', heading: 'Users' },
  { link: 'Integrations', path: '/admin/integrations', heading: 'Integrations' },
];

const pageTitle = (page) => `${page} · ${PRODUCT}`;
const urlOf = (path) => new RegExp(`^${escapeRegExp(BASE_URL)}${escapeRegExp(path)}(?:[?#].*)?$`);

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/**
 * A page in a fresh browser context, closed when the test ends, signed in as the admin unless
 * `signedIn: false`. Console errors and uncaught page errors are collected in `errors` from then
 * on. If the test fails, a screenshot named after it is kept.
 */
async function openPage(t, { viewport = DESKTOP, signedIn = true, ...options } = {}) {
  const { page, context, errors } = await newPage(t, browser, { viewport, ...options });
  // A first visit makes no request that fails (the console only refreshes when the server's
  // nx_session cookie says there is a session), so errors count from the very first page.
  if (signedIn) await signIn(page, BASE_URL);
  return { page, context, errors };
}

/** Runs `fn` on a fresh page; on failure saves `failure-<name>.png` and rethrows. */
async function withPage(t, options, fn) {
  const opened = await openPage(t, options);
  try {
    await fn(opened);
  } catch (e) {
    await screenshotFailure(t, opened.page);
    if (opened.errors.length > 0) e.message += `\nBrowser errors:\n  ${opened.errors.join('\n  ')}`;
    throw e;
  }
}

const navLink = (page, name) => primaryNav(page).getByRole('link', { name, exact: true });

/** Waits for a routed page: URL, h1 and document title. */
async function expectPage(page, { path, heading }) {
  await page.waitForURL(urlOf(path));
  await eventually(async () => assert.equal((await heading1(page).textContent())?.trim(), heading));
  await eventually(async () => assert.equal(await page.title(), pageTitle(heading)));
}

/** Relative luminance (0 black … 1 white) of the body's computed background, any CSS colour syntax. */
async function bodyBackgroundLuminance(page) {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    if (a === 0) return -1; // transparent: no background drawn
    const lin = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  });
}

const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);

describe('console shell', { timeout: TEST_TIMEOUT_MS * 10 }, () => {
  test(
    '/ redirects to the live feed, with header, title and a ready API',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, {}, async ({ page, errors }) => {
        const response = await page.goto(`${BASE_URL}/`);
        assert.equal(response?.status(), 200);
        await expectPage(page, PAGES[0]);
        assert.match(await page.title(), /Live feed/);

        const header = page.getByRole('banner');
        await header.getByRole('link', { name: PRODUCT, exact: true }).waitFor();
        const status = header.getByRole('status', { name: 'API status: API ready' });
        await status.waitFor({ timeout: 60_000 });
        assert.equal((await status.textContent())?.trim(), 'API ready');
        assert.equal(await page.getByRole('main').count(), 1);

        await page.screenshot({ path: artifact('console-desktop.png'), fullPage: true });
        assert.deepEqual(errors, []);
      }),
  );

  test('sidenav links navigate, change the h1 and mark the active link', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, {}, async ({ page }) => {
      await page.goto(`${BASE_URL}/feed`);
      await expectPage(page, PAGES[0]);
      assert.equal(await navLink(page, 'Live feed').getAttribute('aria-current'), 'page');
      // The Admin links are grouped under a labelled list.
      await primaryNav(page).getByRole('heading', { name: 'Admin' }).waitFor();

      for (const target of PAGES.slice(1)) {
        await navLink(page, target.link).click();
        await expectPage(page, target);
        await eventually(async () =>
          assert.equal(await navLink(page, target.link).getAttribute('aria-current'), 'page', target.link),
        );
        const current = await primaryNav(page).locator('a[aria-current="page"]').allTextContents();
        assert.deepEqual(
          current.map((s) => s.trim()),
          [target.link],
          'exactly one link is current',
        );
      }
    }),
  );

  test(
    'deep links load directly; unknown routes show the not-found page',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, {}, async ({ page }) => {
        const deep = await page.goto(`${BASE_URL}/admin/integrations`);
        assert.equal(deep?.status(), 200, 'SPA fallback serves index.html for a deep link');
        assert.match(deep?.headers()['content-type'] ?? '', /^text\/html/);
        await expectPage(page, PAGES[4]);
        assert.equal(await navLink(page, 'Integrations').getAttribute('aria-current'), 'page');

        await page.goto(`${BASE_URL}/no-such-page`);
        await eventually(async () =>
          assert.equal((await heading1(page).textContent())?.trim(), 'Page not found'),
        );
        await eventually(async () => assert.equal(await page.title(), pageTitle('Page not found')));
        assert.equal(page.url(), `${BASE_URL}/no-such-page`, 'the address is kept, not redirected');
        assert.match((await page.getByRole('main').textContent()) ?? '', /\/no-such-page/);
        assert.equal(await primaryNav(page).locator('a[aria-current]').count(), 0, 'no link is current');

        await page.getByRole('link', { name: 'Go to the live feed' }).click();
        await expectPage(page, PAGES[0]);
      }),
  );

  test(
    'unknown API paths answer with a JSON problem, never the console',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      for (const accept of ['application/json', 'text/html']) {
        const res = await fetch(`${BASE_URL}/api/no-such-thing`, { headers: { accept } });
        assert.equal(res.status, 404, `status with accept ${accept}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const body = await res.json();
        assert.equal(body.code, 'NOT_FOUND');
        assert.equal(body.status, 404);
      }
    },
  );

  test(
    'the first Tab focuses the skip link, which moves focus to the main content',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, {}, async ({ page }) => {
        await page.goto(`${BASE_URL}/incidents`);
        await expectPage(page, PAGES[1]);

        await page.keyboard.press('Tab');
        const skip = page.getByRole('link', { name: 'Skip to main content' });
        await eventually(async () =>
          assert.ok(await isFocused(skip), 'skip link focused after the first Tab'),
        );
        // It is visually hidden until focused; focused, it must be on screen.
        const box = await skip.boundingBox();
        assert.ok(
          box && box.y >= 0 && box.height > 0,
          `skip link on screen when focused (${JSON.stringify(box)})`,
        );

        await page.keyboard.press('Enter');
        const main = page.getByRole('main');
        await eventually(async () =>
          assert.ok(await isFocused(main), 'main content focused after the skip link'),
        );
        assert.equal(await main.getAttribute('id'), 'main-content');
        assert.equal(page.url(), `${BASE_URL}/incidents`, 'skipping does not navigate');

        // From the skipped-to content, the next Tab reaches the page's own first control, past the
        // toolbar and the navigation (the not-found page has a link in its content).
        await page.goto(`${BASE_URL}/no-such-page`);
        await eventually(async () =>
          assert.equal((await heading1(page).textContent())?.trim(), 'Page not found'),
        );
        await page.keyboard.press('Tab');
        await eventually(async () =>
          assert.ok(await isFocused(skip), 'skip link focused after the first Tab'),
        );
        await page.keyboard.press('Enter');
        await eventually(async () =>
          assert.ok(await isFocused(main), 'main content focused after the skip link'),
        );
        await page.keyboard.press('Tab');
        const firstInContent = main.getByRole('link', { name: 'Go to the live feed' });
        await eventually(async () =>
          assert.ok(await isFocused(firstInContent), 'next Tab lands in the content'),
        );
      }),
  );

  test('choosing the dark theme darkens the page and survives a reload', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, {}, async ({ page }) => {
      await page.goto(`${BASE_URL}/feed`);
      await expectPage(page, PAGES[0]);
      const lightLuminance = await bodyBackgroundLuminance(page);
      assert.ok(lightLuminance > 0.6, `light background by default (luminance ${lightLuminance.toFixed(3)})`);

      // The toggle is deferred until the browser is idle; its placeholder is disabled.
      const toggle = page.getByRole('button', { name: /^Theme: .+\. Change theme$/ });
      await toggle.click();
      const dark = page.getByRole('menuitemradio', { name: 'Dark' });
      await dark.click();

      await eventually(async () =>
        assert.ok(await page.locator('html').evaluate((html) => html.classList.contains('theme-dark'))),
      );
      await eventually(async () => {
        const luminance = await bodyBackgroundLuminance(page);
        assert.ok(luminance >= 0 && luminance < 0.1, `dark background (luminance ${luminance.toFixed(3)})`);
      });
      await page.getByRole('button', { name: 'Theme: Dark. Change theme' }).waitFor();

      await page.reload();
      await expectPage(page, PAGES[0]);
      assert.ok(await page.locator('html').evaluate((html) => html.classList.contains('theme-dark')));
      assert.equal(await page.evaluate(() => localStorage.getItem('nx-theme')), 'dark');
      const luminance = await bodyBackgroundLuminance(page);
      assert.ok(
        luminance >= 0 && luminance < 0.1,
        `still dark after reload (luminance ${luminance.toFixed(3)})`,
      );
      await page.getByRole('button', { name: 'Theme: Dark. Change theme' }).waitFor();
      await page.getByRole('status', { name: 'API status: API ready' }).waitFor({ timeout: 60_000 });

      await page.screenshot({ path: artifact('console-dark.png'), fullPage: true });
    }),
  );

  test('on a 375px phone the navigation is an overlay drawer', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(
      t,
      { viewport: MOBILE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
      async ({ page }) => {
        const noHorizontalOverflow = async () => {
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= MOBILE.width, `no horizontal overflow (scrollWidth ${width})`);
        };
        await page.goto(`${BASE_URL}/feed`);
        await expectPage(page, PAGES[0]);
        await page.getByRole('status', { name: 'API status: API ready' }).waitFor({ timeout: 60_000 });
        await noHorizontalOverflow();

        const nav = primaryNav(page);
        const open = page.getByRole('button', { name: 'Open navigation' });
        assert.equal(await nav.isVisible(), false, 'drawer closed initially');
        assert.equal(await open.getAttribute('aria-expanded'), 'false');

        // The same button toggles: its name says what pressing it will do.
        await open.click();
        await nav.waitFor({ state: 'visible' });
        const close = page.getByRole('button', { name: 'Close navigation' });
        await eventually(async () => assert.equal(await close.getAttribute('aria-expanded'), 'true'));
        await close.click();
        await nav.waitFor({ state: 'hidden' });
        await eventually(async () => assert.equal(await open.getAttribute('aria-expanded'), 'false'));

        await open.click();
        await nav.waitFor({ state: 'visible' });
        await navLink(page, 'Incidents').waitFor({ state: 'visible' });
        await page.screenshot({ path: artifact('console-mobile-nav.png') });

        await navLink(page, 'Incidents').click();
        await expectPage(page, PAGES[1]);
        await nav.waitFor({ state: 'hidden' });
        await eventually(async () => assert.equal(await open.getAttribute('aria-expanded'), 'false'));
        await noHorizontalOverflow();

        await page.screenshot({ path: artifact('console-mobile.png'), fullPage: true });
      },
    ),
  );

  test('Swagger UI renders at /api/docs', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(t, { signedIn: false }, async ({ page }) => {
      const response = await page.goto(`${BASE_URL}/api/docs`);
      assert.equal(response?.status(), 200);
      await page.locator('.swagger-ui').first().waitFor();
      assert.equal(await page.title(), 'Nexecute Connect API');
      await page
        .getByRole('heading', { name: /Nexecute Connect API/ })
        .first()
        .waitFor();
      // The operations from the OpenAPI document are listed.
      await page.locator('.opblock-tag', { hasText: 'health' }).first().waitFor();
    }),
  );

  test(
    'console pages log no errors (no Content Security Policy violations)',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, {}, async ({ page, errors }) => {
        const violations = [];
        await page.exposeFunction('__reportCspViolation', (v) => violations.push(v));
        await page.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (e) =>
            window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`),
          );
        });

        for (const target of PAGES) {
          await page.goto(`${BASE_URL}${target.path}`);
          await expectPage(page, target);
        }
        await page.goto(`${BASE_URL}/no-such-page`);
        await eventually(async () =>
          assert.equal((await heading1(page).textContent())?.trim(), 'Page not found'),
        );
        await page.goto(`${BASE_URL}/feed`);
        await expectPage(page, PAGES[0]);
        await page.getByRole('status', { name: 'API status: API ready' }).waitFor({ timeout: 60_000 });
        // Open the lazily loaded theme menu too: it brings Material's overlay and its styles.
        await page.getByRole('button', { name: /^Theme: .+\. Change theme$/ }).click();
        await page.getByRole('menuitemradio', { name: 'System' }).waitFor();
        await page.keyboard.press('Escape');

        assert.deepEqual(violations, [], 'CSP violations');
        assert.deepEqual(errors, [], 'console errors and page errors');
      }),
  );

  test(
    'the /live Socket.IO namespace welcomes a websocket client',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      // The handshake needs an access token, like every API call.
      const token = await apiAccessToken(BASE_URL);
      const sentAt = Date.now();
      const socket = io(`${BASE_URL}/live`, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        timeout: 20_000,
        forceNew: true,
      });
      try {
        const welcome = await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no welcome within 30 s')), 30_000);
          socket.once('welcome', (payload) => {
            clearTimeout(timer);
            resolve(payload);
          });
          socket.once('connect_error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
        });
        assert.equal(socket.io.engine.transport.name, 'websocket');
        assert.equal(typeof welcome?.serverTime, 'string');
        const serverTime = Date.parse(welcome.serverTime);
        assert.ok(Number.isFinite(serverTime), `serverTime is a date (${welcome.serverTime})`);
        assert.ok(Math.abs(serverTime - sentAt) < 60_000, `serverTime is now (${welcome.serverTime})`);
      } finally {
        socket.disconnect();
      }
    },
  );
});
