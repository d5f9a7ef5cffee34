// End-to-end test of the event sources console in the real built product, against the real API.
// Run through `node frontend/e2e/run.mjs`, which starts the app with a known first admin.
//
// The story: the admin creates a signed event source and reads its integration key and signing
// secret from the one-time dialog; a producer (this test, with fetch) posts two signed PagerDuty
// Events v2 triggers with one dedup key; the source's event list shows both processed, the first
// having opened an incident and the second grouped into it, each linking to it; the incident's
// page lists both events and its alert count. The same pages are then checked at 375 px wide.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  BASE_URL,
  artifact,
  eventually,
  heading1,
  launchChromium,
  primaryNav,
  withPage,
} from './browser.mjs';
import { adminCredentials, signIn } from './sign-in.mjs';

const TEST_TIMEOUT_MS = 180_000;

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

const withFreshPage = (t, fn) => withPage(t, browser, { viewport: { width: 1280, height: 900 } }, fn);

async function expectText(locator, text) {
  await eventually(async () => assert.equal((await locator.textContent())?.trim(), text));
}

/** A producer's signed POST /api/events (docs/events.md, "Signing"). */
async function postEvent(body, secret) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex');
  const res = await fetch(`${BASE_URL}/api/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-nexecute-timestamp': timestamp,
      'x-nexecute-signature': `sha256=${signature}`,
    },
    body: raw,
  });
  const answer = await res.json();
  assert.equal(res.status, 202, `POST /api/events answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** No horizontal scrolling of the page itself (tables scroll inside their frame). */
async function assertFitsWidth(page, width) {
  const scrollWidth = await page.evaluate(() => globalThis.document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `the page is ${scrollWidth}px wide at a ${width}px viewport`);
}

describe('event sources', { timeout: TEST_TIMEOUT_MS * 2 }, () => {
  test(
    'a source is created, its key read once, a signed event posted with it opens an incident, and both pages show it',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withFreshPage(t, async (page) => {
        const suffix = randomBytes(4).toString('hex');
        const name = `Prometheus e2e ${suffix}`;
        const dedupKey = `disk-full/db-${suffix}`;
        const summary = `Disk 95% full on db-${suffix}`;

        // The admin opens the page from the navigation.
        await signIn(page, BASE_URL, adminCredentials(), { path: '/admin/event-sources' });
        await page.waitForURL((url) => url.pathname === '/admin/event-sources');
        await expectText(heading1(page), 'Event sources');
        await primaryNav(page).getByRole('link', { name: 'Event sources' }).waitFor();

        // Create: a name, a generated signing secret, critical → impact 1 × urgency 1 (P1).
        await page.getByRole('button', { name: 'Create event source' }).click();
        const form = page.getByRole('dialog', { name: 'Create event source' });
        await form.getByLabel('Name').fill(name);
        await form.getByText('Signed, with a generated secret (shown once)').click();
        await form.getByLabel('Default assignment group').fill('Database Operations');
        await expectText(
          form.getByRole('group', { name: 'Critical severity' }).locator('nx-priority-badge'),
          'P1 Critical',
        );
        await page.screenshot({ path: artifact('event-source-create.png') });
        await form.getByRole('button', { name: 'Create source' }).click();

        // The key and the secret are shown once, beside ready-to-paste examples.
        const shown = page.getByRole('dialog', { name: `Event source "${name}"` });
        const integrationKey = await shown.getByRole('textbox', { name: 'Integration key' }).inputValue();
        const signingSecret = await shown.getByRole('textbox', { name: 'Signing secret' }).inputValue();
        assert.match(integrationKey, /^[a-z0-9]{32}$/);
        assert.ok(signingSecret.length >= 32, 'a generated signing secret');
        await shown.getByRole('button', { name: 'Copy integration key' }).waitFor();
        const examples = (await shown.locator('pre').allTextContents()).join('\n');
        assert.match(examples, new RegExp(`${BASE_URL}/api/events`));
        assert.match(examples, new RegExp(`credentials: '${integrationKey}'`));
        await page.screenshot({ path: artifact('event-source-key-once.png') });
        await shown.getByRole('button', { name: 'Done' }).click();
        await shown.waitFor({ state: 'hidden' });

        // The list shows the source (no events yet) with only the key's prefix.
        const table = page.getByRole('table', { name: 'Event sources' });
        const row = table.locator('tr', { hasText: name });
        await row.waitFor();
        assert.match((await row.textContent()) ?? '', new RegExp(`${integrationKey.slice(0, 8)}…`));
        assert.doesNotMatch((await page.content()) ?? '', new RegExp(integrationKey));

        // A producer posts a trigger, then the same alert again: it groups into the same incident.
        const body = (at) => ({
          routing_key: integrationKey,
          event_action: 'trigger',
          dedup_key: dedupKey,
          payload: { summary, source: `db-${suffix}`, severity: 'critical', timestamp: at },
        });
        const first = await postEvent(body(new Date().toISOString()), signingSecret);
        assert.equal(first.dedup_key, dedupKey);
        const second = await postEvent(body(new Date(Date.now() + 1000).toISOString()), signingSecret);
        assert.notEqual(second.event_id, first.event_id);

        // The source's events: both processed (the page looks again while they wait), each with its incident.
        await row.getByRole('link', { name }).click();
        await page.waitForURL((url) => url.pathname.startsWith('/admin/event-sources/'));
        await expectText(heading1(page), name);
        const events = page.getByRole('table', { name: 'Events' });
        const opened = events.locator(`tr[data-event-id="${first.event_id}"]`);
        const grouped = events.locator(`tr[data-event-id="${second.event_id}"]`);
        await expectText(opened.locator('nx-inbound-event-status-pill'), 'Processed');
        await expectText(grouped.locator('nx-inbound-event-status-pill'), 'Processed');
        assert.match((await opened.textContent()) ?? '', /Opened/);
        assert.match((await grouped.textContent()) ?? '', /Grouped/);
        assert.match((await opened.textContent()) ?? '', new RegExp(dedupKey));
        const incidentLink = opened.getByRole('link', { name: /^INC\d+$/ });
        const number = (await incidentLink.textContent()).trim();
        assert.equal((await grouped.getByRole('link', { name: /^INC\d+$/ }).textContent()).trim(), number);
        await page.screenshot({ path: artifact('event-source-events.png'), fullPage: true });

        // The raw body as received.
        await opened.getByRole('button', { name: /^Details/ }).click();
        const detail = page.getByRole('dialog');
        await eventually(async () =>
          assert.match((await detail.locator('pre').textContent()) ?? '', new RegExp(dedupKey)),
        );
        await detail.getByRole('button', { name: 'Close' }).click();
        await detail.waitFor({ state: 'hidden' });

        // The incident's page lists the events that grouped into it, and counts the alerts.
        await incidentLink.click();
        await page.waitForURL((url) => url.pathname.startsWith('/incidents/'));
        await expectText(heading1(page), summary);
        const incidentEvents = page.getByRole('table', { name: 'Events' });
        await eventually(async () => assert.equal(await incidentEvents.locator('tbody tr').count(), 2));
        const rows = await incidentEvents.locator('tbody tr').allTextContents();
        assert.match(rows[0], new RegExp(name));
        assert.match(rows[0], /Trigger/);
        assert.match(rows[0], new RegExp(summary));
        assert.match(rows[0], /Opened/);
        assert.match(rows[1], /Grouped/);
        await page.locator('header .alerts').waitFor();
        assert.match((await page.locator('header .alerts').textContent()) ?? '', /\d+ alerts?/);
        await page.screenshot({ path: artifact('incident-events.png'), fullPage: true });

        // At 375 px wide both pages still fit; the tables scroll inside their frames.
        await page.setViewportSize({ width: 375, height: 812 });
        await incidentEvents.waitFor();
        await assertFitsWidth(page, 375);
        await page.screenshot({ path: artifact('incident-events-375.png'), fullPage: true });
        await page.goBack();
        await page.waitForURL((url) => url.pathname.startsWith('/admin/event-sources/'));
        await expectText(heading1(page), name);
        await events.waitFor();
        await assertFitsWidth(page, 375);
        await page.screenshot({ path: artifact('event-source-375.png'), fullPage: true });
      }),
  );
});
