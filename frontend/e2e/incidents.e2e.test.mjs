// End-to-end test of the incident console in the real built product, against the real API.
// Run through `node frontend/e2e/run.mjs`, which starts the app with a known first admin.
//
// The story: the admin opens an incident through the form (the priority follows impact and
// urgency), lands on its page in state New, acknowledges it (In progress), comments on it (the
// comment appears in the timeline), resolves it with a close code and notes (Resolved), and then
// finds it in the list, by its number in the search box.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  BASE_URL,
  artifact,
  eventually,
  heading1,
  primaryNav,
  launchChromium,
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

/** A fresh page (own cookies) at the size these tests were written for. */
const withFreshPage = (t, fn) => withPage(t, browser, { viewport: { width: 1280, height: 900 } }, fn);

const stateChip = (page) => page.locator('header nx-state-chip');

async function expectText(locator, text) {
  await eventually(async () => assert.equal((await locator.textContent())?.trim(), text));
}

async function choose(page, combobox, option) {
  await combobox.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('incidents', { timeout: TEST_TIMEOUT_MS * 2 }, () => {
  test(
    'an incident is opened, acknowledged, commented on, resolved, and found in the list by number',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withFreshPage(t, async (page) => {
        const suffix = randomBytes(4).toString('hex');
        const title = `Checkout API returns 502 (${suffix})`;

        // The admin asks for the form, signs in, and is taken back to it.
        await signIn(page, BASE_URL, adminCredentials(), { path: '/incidents/new' });
        await page.waitForURL((url) => url.pathname === '/incidents/new');
        await expectText(heading1(page), 'New incident');

        const form = page.getByRole('form', { name: 'Incident' });
        await form.getByLabel('Title').fill(title);
        await form.getByLabel('Description').fill('Since 09:10 UTC about 30% of checkout calls fail.');
        await choose(page, form.getByRole('combobox', { name: 'Impact' }), '1 · High');
        await choose(page, form.getByRole('combobox', { name: 'Urgency' }), '2 · Medium');
        await expectText(form.locator('.priority nx-priority-badge'), 'P2 High');
        await form.getByLabel('Assignment group').fill('Network Operations');
        await form.getByRole('button', { name: 'Create incident' }).click();

        // It opens on its own page, in state New.
        await page.waitForURL((url) => /^\/incidents\/INC\d+$/.test(url.pathname));
        const number = new URL(page.url()).pathname.split('/').pop();
        await expectText(heading1(page), title);
        await expectText(stateChip(page), 'New');
        await expectText(page.locator('header nx-priority-badge'), 'P2 High');

        // Acknowledge: In progress.
        const actions = page.getByRole('toolbar', { name: 'Incident actions' });
        await actions.getByRole('button', { name: 'Acknowledge' }).click();
        await expectText(stateChip(page), 'In progress');
        assert.equal(await actions.getByRole('button', { name: 'Acknowledge' }).count(), 0);

        // A comment lands in the timeline.
        const comment = `Rolled back the payment gateway config (${suffix})`;
        await page.getByLabel('Comment', { exact: true }).fill(comment);
        await page.getByRole('button', { name: 'Add comment' }).click();
        const timeline = page.getByRole('list', { name: 'Timeline' });
        await timeline.locator('li[data-kind="comment"]').filter({ hasText: comment }).waitFor();
        await timeline.locator('li[data-kind="state_changed"]').first().waitFor();
        assert.equal(
          await page.getByLabel('Comment', { exact: true }).inputValue(),
          '',
          'comment box emptied',
        );

        // Resolve: both the close code and the notes are required.
        await actions.getByRole('button', { name: 'Resolve' }).click();
        const dialog = page.getByRole('dialog', { name: `Resolve ${number}` });
        await dialog.getByRole('button', { name: 'Resolve' }).click();
        await dialog.getByText('Choose a close code.').waitFor();
        await page.screenshot({ path: artifact('resolve-dialog.png') });
        await choose(page, dialog.getByRole('combobox', { name: 'Close code' }), 'Solution provided');
        await dialog.getByLabel('Close notes').fill('Gateway config rolled back; error rate back to 0.');
        await dialog.getByRole('button', { name: 'Resolve' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await expectText(stateChip(page), 'Resolved');
        await page.getByText('Solution provided', { exact: true }).waitFor();
        await actions.getByRole('button', { name: 'Close' }).waitFor();
        await actions.getByRole('button', { name: 'Reopen' }).waitFor();
        await page.screenshot({ path: artifact('incident-detail.png'), fullPage: true });

        // The list shows it, and the search box finds it by number (and keeps it in the URL).
        await primaryNav(page).getByRole('link', { name: 'Incidents', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/incidents');
        await expectText(heading1(page), 'Incidents');
        const table = page.getByRole('table', { name: 'Incidents' });
        await table.getByRole('link', { name: number, exact: true }).waitFor();

        await page.getByLabel('Search incidents').fill(number);
        await page.waitForURL((url) => url.searchParams.get('q') === number);
        await eventually(async () => {
          const rows = table.locator('tbody tr[data-incident-id]');
          assert.equal(await rows.count(), 1, 'only the matching incident is listed');
          const text = (await rows.first().textContent()) ?? '';
          assert.match(text, new RegExp(number));
          assert.match(text, /Resolved/);
        });

        // A reload keeps the search.
        await page.reload();
        await table.getByRole('link', { name: number, exact: true }).waitFor();
        assert.equal(await page.getByLabel('Search incidents').inputValue(), number);

        await page.screenshot({ path: artifact('incidents-list.png'), fullPage: true });
      }),
  );
});
