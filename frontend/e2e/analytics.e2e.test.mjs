// End-to-end test of the Analytics dashboard in the real built product, against the real API and
// its materialized views. Run through `node frontend/e2e/run.mjs analytics`.
//
// The story: incidents are opened, acknowledged and resolved through the API, a P1 quickly and a
// P2 slowly; once the views have refreshed (the analytics consumer refreshes them
// ANALYTICS_REFRESH_DEBOUNCE_MS after incident changes), the admin opens the dashboard and sees
// the response-time chart draw both datasets (MTTA and MTTR). Choosing priority P1 changes what is
// drawn; the table alternative holds the same numbers; at 375 px nothing scrolls sideways.

/* global document */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { BASE_URL, artifact, eventually, heading1, launchChromium, withPage } from './browser.mjs';
import { apiAccessToken, signIn } from './sign-in.mjs';

const TEST_TIMEOUT_MS = 240_000;
/** The views refresh 5 s (the debounce) after the last change; allow a loaded machine plenty. */
const REFRESH_TIMEOUT_MS = 120_000;
/** The zone the browser runs in, and so the dashboard's default `tz`. */
const ZONE = 'Europe/Paris';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function api(token, method, path, body) {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const create = (token, title, impact, urgency) =>
  api(token, 'POST', '/api/incidents', {
    title,
    impact,
    urgency,
    description: 'Seeded by the analytics e2e test.',
  });
const acknowledge = (token, incident) => api(token, 'POST', `/api/incidents/${incident.id}/acknowledge`, {});
const resolve = (token, incident) =>
  api(token, 'POST', `/api/incidents/${incident.id}/resolve`, {
    closeCode: 'Solution provided',
    closeNotes: 'Resolved by the analytics e2e test.',
  });

/** The dashboard's default request: the last 30 local days by day, all priorities. */
function responseTimesPath(priority) {
  return `/api/analytics/response-times?tz=${encodeURIComponent(ZONE)}&bucket=day${priority ? `&priority=${priority}` : ''}`;
}

const measured = (view, name) =>
  view.series.find((s) => s.name === name).points.reduce((n, p) => n + p.count, 0);

/** What the response-time chart drew, read from Chart.js itself. */
function drawn(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('nx-response-time-chart canvas');
    const chart = canvas && globalThis.Chart?.getChart(canvas);
    if (!chart) return null;
    return {
      type: chart.config.type,
      labels: chart.data.labels,
      datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
      width: canvas.getBoundingClientRect().width,
    };
  });
}

async function assertNoHorizontalOverflow(page, what) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${what}: ${scrollWidth} px wide in a ${clientWidth} px viewport`);
}

describe('analytics dashboard', { timeout: TEST_TIMEOUT_MS * 2 }, () => {
  test(
    'draws MTTA and MTTR, redraws for another priority, has a table with the same numbers, fits 375 px',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, browser, { viewport: { width: 1280, height: 900 }, timezoneId: ZONE }, async (page) => {
        const token = await apiAccessToken(BASE_URL);
        const suffix = randomBytes(4).toString('hex');

        // A P1 handled fast and a P2 handled slowly, so the two priorities' figures differ.
        const before = await api(token, 'GET', responseTimesPath(1));
        const p1 = await create(token, `Payments down (${suffix})`, 1, 1);
        const p2 = await create(token, `Search slow (${suffix})`, 1, 2);
        assert.equal(p1.priority, 1);
        assert.equal(p2.priority, 2);
        await sleep(1_000);
        await acknowledge(token, p1);
        await sleep(1_500);
        await resolve(token, p1);
        await sleep(2_000);
        await acknowledge(token, p2);
        await sleep(2_000);
        await resolve(token, p2);

        // The analytics consumer refreshes the views shortly after the changes.
        await eventually(
          async () => {
            const p1View = await api(token, 'GET', responseTimesPath(1));
            assert.ok(
              measured(p1View, 'mttr') > measured(before, 'mttr'),
              'the P1 resolution is not in the views yet',
            );
            const p2View = await api(token, 'GET', responseTimesPath(2));
            assert.ok(measured(p2View, 'mttr') >= 1, 'the P2 resolution is not in the views yet');
          },
          { timeout: REFRESH_TIMEOUT_MS, interval: 1_000 },
        );

        await signIn(page, BASE_URL, undefined, { path: '/analytics' });
        await page.waitForURL((url) => url.pathname === '/analytics');
        await eventually(async () => assert.equal((await heading1(page).textContent())?.trim(), 'Analytics'));
        await eventually(async () =>
          assert.match(
            (await page.locator('.freshness').textContent()) ?? '',
            /Data as of .+ · times in Europe\/Paris/,
          ),
        );

        // Both datasets are drawn, each with figures.
        const all = await eventually(async () => {
          const chart = await drawn(page);
          assert.ok(chart, 'no response-time chart yet');
          assert.equal(chart.type, 'line');
          assert.deepEqual(
            chart.datasets.map((d) => d.label),
            ['MTTA', 'MTTR'],
          );
          for (const d of chart.datasets) {
            assert.ok(d.data.length > 0, `${d.label} has no points`);
            assert.ok(
              d.data.some((v) => typeof v === 'number' && v > 0),
              `${d.label} has no figure: ${JSON.stringify(d.data)}`,
            );
          }
          return chart;
        });
        await page.screenshot({ path: artifact('analytics-all-priorities.png'), fullPage: true });

        // The canvas is named by a summary of what it shows.
        const label = await page.locator('nx-response-time-chart canvas').getAttribute('aria-label');
        assert.match(label ?? '', /^Line chart of MTTA and MTTR \(mean\) per day/);

        // Priority P1: the URL says so and the chart redraws with P1's figures only.
        await page.getByRole('combobox', { name: 'Priority' }).click();
        await page.getByRole('option', { name: 'P1 · Critical', exact: true }).click();
        await page.waitForURL((url) => url.searchParams.get('priority') === '1');
        const onlyP1 = await eventually(async () => {
          const chart = await drawn(page);
          assert.ok(chart);
          assert.equal(chart.datasets.length, 2);
          assert.notDeepEqual(
            chart.datasets.map((d) => d.data),
            all.datasets.map((d) => d.data),
            'the chart did not change with the priority',
          );
          return chart;
        });

        // The table alternative holds the numbers drawn.
        await page.getByRole('button', { name: 'Show as table' }).first().click();
        const table = page.locator('#response-times-table');
        await table.waitFor();
        const cells = await table.evaluate((el) => ({
          mtta: [...el.querySelectorAll('td[data-series="mtta"]')].map((td) => td.textContent.trim()),
          mttr: [...el.querySelectorAll('td[data-series="mttr"]')].map((td) => td.textContent.trim()),
        }));
        const asCells = (data) => data.map((v) => (v === null ? '—' : String(v)));
        assert.deepEqual(cells.mtta, asCells(onlyP1.datasets[0].data));
        assert.deepEqual(cells.mttr, asCells(onlyP1.datasets[1].data));

        // A phone: no sideways scrolling, and the chart shrinks with the page.
        await page.setViewportSize({ width: 375, height: 800 });
        await eventually(async () => {
          await assertNoHorizontalOverflow(page, 'the dashboard at 375 px');
          const chart = await drawn(page);
          assert.ok(chart && chart.width <= 375, `the chart is ${chart?.width} px wide`);
        });
        await page.screenshot({ path: artifact('analytics-375px.png'), fullPage: true });
      }),
  );
});
