// What every browser e2e file needs: where the app is, where artifacts go, one headless Chromium
// (Debian's, never a downloaded one), fresh pages with their errors collected, and polling
// assertions (playwright-core has no `expect`).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const BASE_URL = process.env.E2E_BASE_URL?.replace(/\/+$/, '');
if (!BASE_URL) {
  throw new Error(
    'E2E_BASE_URL is not set; run the suite with `node frontend/e2e/run.mjs` from the repository root',
  );
}
export const ARTIFACTS_DIR =
  process.env.E2E_ARTIFACTS_DIR ??
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results', 'e2e');
mkdirSync(ARTIFACTS_DIR, { recursive: true });

/** Where a screenshot named `name` is kept. */
export const artifact = (name) => join(ARTIFACTS_DIR, name);

// Two shared cores: be generous.
export const ACTION_TIMEOUT_MS = 30_000;
export const NAVIGATION_TIMEOUT_MS = 60_000;

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page in a fresh context (own cookies), closed when the test ends. `errors` collects console
 * errors and uncaught page errors, `pageErrors` the uncaught ones alone.
 */
export async function newPage(t, browser, options = {}) {
  const context = await browser.newContext({ colorScheme: 'light', reducedMotion: 'reduce', ...options });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  t.after(async () => {
    await context.close();
  });
  const page = await context.newPage();
  const errors = [];
  const pageErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => {
    const line = `page error on ${page.url()}: ${error.message}`;
    errors.push(line);
    pageErrors.push(line);
  });
  return { page, context, errors, pageErrors };
}

/** Keeps `failure-<test name>.png` for a test that failed. */
export async function screenshotFailure(t, page) {
  const file = artifact(`failure-${t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
}

/** Runs `fn(page)` on a fresh page; fails on any uncaught page error; a screenshot on failure. */
export async function withPage(t, browser, options, fn) {
  const { page, pageErrors } = await newPage(t, browser, options);
  try {
    await fn(page);
    assert.deepEqual(pageErrors, [], 'uncaught errors in the console');
  } catch (e) {
    await screenshotFailure(t, page);
    throw e;
  }
}

/** Retries an assertion until it holds or `timeout` ms pass. */
export async function eventually(assertion, { timeout = ACTION_TIMEOUT_MS, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await assertion();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

export const heading1 = (page) => page.getByRole('heading', { level: 1 });
export const primaryNav = (page) => page.getByRole('navigation', { name: 'Primary' });
export const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
