// End-to-end tests of signing in, user administration and roles, in the real built product.
// Run through `node frontend/e2e/run.mjs`, which starts the app with a known first admin.
//
// The story: the admin signs in through the login page, invites a user (who gets a one-time
// temporary password), finds them in the users table, signs out; the new user signs in with the
// temporary password, is held on the profile page until they choose their own password, then
// reaches the console, but neither sees nor may open the admin pages.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  BASE_URL,
  artifact,
  eventually,
  heading1,
  primaryNav,
  escapeRegExp,
  launchChromium,
  withPage,
} from './browser.mjs';
import { adminCredentials, signIn, submitLoginForm } from './sign-in.mjs';

const TEST_TIMEOUT_MS = 180_000;

const pathOf = (page) => new URL(page.url()).pathname;

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** A fresh page (own cookies) at the size these tests were written for. */
const withFreshPage = (t, fn) => withPage(t, browser, { viewport: { width: 1280, height: 800 } }, fn);

async function expectHeading(page, text) {
  await eventually(async () => assert.equal((await heading1(page).textContent())?.trim(), text));
}

async function signOut(page) {
  await page.getByRole('button', { name: /^Account menu for .+\(.+\)$/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  await expectHeading(page, 'Sign in');
}

describe('authentication and user administration', { timeout: TEST_TIMEOUT_MS * 3 }, () => {
  test(
    'a wrong password shows the error and keeps the visitor on the login page',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withFreshPage(t, async (page) => {
        await page.goto(`${BASE_URL}/incidents`);
        await page.waitForURL((url) => url.pathname === '/login');
        assert.equal(new URL(page.url()).searchParams.get('returnUrl'), '/incidents');

        await submitLoginForm(page, { email: adminCredentials().email, password: 'not-the-password-at-all' });

        const alert = page.getByRole('alert').filter({ hasText: 'The email or password is incorrect.' });
        await alert.waitFor();
        assert.equal(pathOf(page), '/login');
        assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'password cleared');
        assert.equal(await primaryNav(page).count(), 0, 'no console chrome while signed out');
      }),
  );

  test(
    'an invited user changes the temporary password, reaches the console, and is kept out of admin pages',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withFreshPage(t, async (page) => {
        const suffix = randomBytes(4).toString('hex');
        const invitee = { email: `rhea.${suffix}@e2e.test`, name: `Rhea Responder ${suffix}` };
        const newPassword = 'Maple-Orbit-Canvas-7719';

        // The admin asks for the users page, signs in, and is taken back there.
        await signIn(page, BASE_URL, adminCredentials(), { path: '/admin/users' });
        await page.waitForURL((url) => url.pathname === '/admin/users');
        await expectHeading(page, 'Users');
        await primaryNav(page).getByRole('heading', { name: 'Admin' }).waitFor();

        // Invite: email, name, role; no password, so the API generates a temporary one.
        await page.getByRole('button', { name: 'Invite user' }).click();
        const invite = page.getByRole('dialog', { name: 'Invite user' });
        await invite.getByLabel('Email').fill(invitee.email);
        await invite.getByLabel('Name').fill(invitee.name);
        await invite.getByRole('combobox', { name: 'Role' }).click();
        await page.getByRole('option', { name: 'Responder' }).click();
        await invite.getByRole('button', { name: 'Invite', exact: true }).click();

        const shown = page.getByRole('dialog', { name: `Temporary password for ${invitee.name}` });
        await shown.waitFor();
        const temporaryPassword = await shown.getByLabel('Temporary password', { exact: true }).inputValue();
        assert.ok(
          temporaryPassword.length >= 12,
          `a temporary password is shown (${temporaryPassword.length} chars)`,
        );
        await shown.getByText('cannot be shown again').waitFor();
        await shown.getByRole('button', { name: 'Copy temporary password' }).waitFor();
        await shown.getByRole('button', { name: 'Done' }).click();
        await shown.waitFor({ state: 'hidden' });

        // The new user is in the table; the search runs on the server.
        await page.getByLabel('Search users').fill(invitee.email);
        const row = page.getByRole('row', { name: new RegExp(escapeRegExp(invitee.email)) });
        await row.waitFor();
        await eventually(async () => {
          const rows = page.getByRole('table', { name: 'Users' }).locator('tbody tr[data-user-id]');
          assert.equal(await rows.count(), 1, 'only the matching user is listed');
        });
        assert.match((await row.textContent()) ?? '', /Must change password/);
        assert.equal(
          await row.getByRole('combobox', { name: `Role for ${invitee.name}` }).textContent(),
          'Responder',
        );

        // The invitation is in the audit log.
        await primaryNav(page).getByRole('link', { name: 'Audit log', exact: true }).click();
        await expectHeading(page, 'Audit log');
        await page
          .getByRole('table', { name: 'Audit events' })
          .getByRole('row')
          .filter({ hasText: 'user.created' })
          .filter({ hasText: invitee.email })
          .first()
          .waitFor();

        await signOut(page);

        // The invitee signs in with the temporary password and must change it first.
        await submitLoginForm(page, { email: invitee.email, password: temporaryPassword });
        await page.waitForURL((url) => url.pathname === '/profile');
        assert.equal(new URL(page.url()).searchParams.get('changePassword'), '1');
        await expectHeading(page, 'Profile');
        await page
          .getByRole('alert')
          .filter({ hasText: 'You signed in with a temporary password' })
          .waitFor();

        // Every other page leads back here until then.
        await primaryNav(page).getByRole('link', { name: 'Live feed', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/profile');

        await page.getByLabel('Current password').fill(temporaryPassword);
        await page.getByLabel('New password', { exact: true }).fill(newPassword);
        await page.getByLabel('Confirm new password').fill(newPassword);
        await page.getByRole('button', { name: 'Change password' }).click();
        await page.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();

        // Now the console opens up, except for the admin pages.
        await primaryNav(page).getByRole('link', { name: 'Live feed', exact: true }).click();
        await page.waitForURL((url) => url.pathname === '/feed');
        await expectHeading(page, 'Live feed');
        assert.equal(
          await primaryNav(page).getByRole('heading', { name: 'Admin' }).count(),
          0,
          'no Admin section',
        );
        assert.equal(await primaryNav(page).getByRole('link', { name: 'Users', exact: true }).count(), 0);
        await page.getByRole('button', { name: `Account menu for ${invitee.name} (Responder)` }).waitFor();

        await page.goto(`${BASE_URL}/admin/users`);
        await expectHeading(page, 'Access denied');
        await page.getByRole('main').getByText('/admin/users').waitFor();
        assert.equal(await page.getByRole('table', { name: 'Users' }).count(), 0, 'no user table');

        // The server agrees: the API refuses the user list to this session's token too.
        const status = await page.evaluate(async () => {
          const refreshed = await fetch('/api/auth/refresh', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          const { accessToken } = await refreshed.json();
          const users = await fetch('/api/users', { headers: { authorization: `Bearer ${accessToken}` } });
          return { refresh: refreshed.status, users: users.status, code: (await users.json()).code };
        });
        assert.deepEqual(status, { refresh: 200, users: 403, code: 'AUTH_FORBIDDEN' });

        await page.screenshot({ path: artifact('auth-access-denied.png'), fullPage: true });
      }),
  );
});
