// End-to-end test of the ServiceNow integration in the real built product, against the ServiceNow
// instance simulator (backend/test/simulators, the same process `npm run sim:servicenow` runs).
// Run through `node frontend/e2e/run.mjs`, which starts the app with a known first admin.
//
// The story: an admin connects the app to the simulator on the Integrations page; "Test
// connection" passes every step; a wrong client secret fails the token step with the instance's
// own words; health shows the calls made. An incident created here gets its ServiceNow twin: the
// detail page shows its INC number with a link to the instance; a data policy on the instance
// (403) shows as a permanent sync failure on the panel. A second app, whose SERVICENOW_*
// variables set the connection, shows the form read-only. Both pages fit a 375 px wide screen.

// Callbacks passed to page.evaluate() run in the browser:
/* global document */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';
import { BASE_URL, eventually, heading1, launchChromium, withPage } from './browser.mjs';
import { adminCredentials, apiAccessToken, signIn } from './sign-in.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEST_TIMEOUT_MS = 240_000;
const WEBHOOK_SECRET = `e2e-webhook-${randomBytes(12).toString('hex')}`;

let browser;
/** The simulator's settings as it printed them (SERVICENOW_INSTANCE_URL, _CLIENT_ID, …). */
let sim;
let simProcess;

/** Starts `npm run sim:servicenow`'s program on a free port; resolves with what it printed. */
function startSimulator(extraArgs = []) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      './backend/test/support/register-typescript.cjs',
      'backend/test/simulators/servicenow-simulator.main.ts',
      '--port=0',
      `--webhook-url=${BASE_URL}/api/webhooks/servicenow`,
      `--webhook-secret=${WEBHOOK_SECRET}`,
      // Our own writes are not echoed back: the story is about what we send.
      '--emit-for=others',
      // Two incidents ServiceNow people opened: "Test connection" writes to one (a no-change PATCH).
      '--incidents=2',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const settings = {};
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^(SERVICENOW_[A-Z_]+)=(.*)$/.exec(line);
      if (match) settings[match[1]] = match[2];
      if (line.startsWith('# webhooks:')) resolve({ child, settings });
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited with code ${code}`)));
  });
}

/** The simulator's control surface (`/_simulator/*`). */
async function control(method, route, body) {
  const res = await fetch(`${sim.SERVICENOW_INSTANCE_URL}/_simulator/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(res.ok, `simulator ${method} ${route} answered ${res.status}`);
  return (await res.json()).result;
}

async function api(baseUrl, token, method, path, body) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function expectText(locator, pattern) {
  await eventually(async () => {
    const text = (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
    assert.match(text, pattern);
  });
}

/** No horizontal scrolling: the page is no wider than the viewport. */
async function assertNoHorizontalOverflow(page, what) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${what}: ${scrollWidth} px wide in a ${clientWidth} px viewport`);
}

const connectionForm = (page) => page.getByRole('form', { name: 'ServiceNow connection' });
const step = (page, name) => page.locator(`li[data-step="${name}"]`);

/** Saves the form; resolves once the API accepted it. */
async function saveAndWait(page) {
  const saved = page.waitForResponse(
    (res) =>
      res.request().method() === 'PUT' && new URL(res.url()).pathname === '/api/integrations/servicenow',
  );
  await connectionForm(page).getByRole('button', { name: 'Save', exact: true }).click();
  assert.equal((await saved).status(), 200);
  await connectionForm(page)
    .getByRole('button', { name: 'Test connection' })
    .and(page.locator(':enabled'))
    .waitFor();
}

/** "Test connection"; resolves once its steps are on screen. */
async function runConnectionTest(page) {
  const tested = page.waitForResponse(
    (res) => new URL(res.url()).pathname === '/api/integrations/servicenow/test',
  );
  await connectionForm(page).getByRole('button', { name: 'Test connection' }).click();
  assert.equal((await tested).status(), 200);
  await page.locator('nx-servicenow-test-steps .summary').waitFor();
}

before(async () => {
  browser = await launchChromium();
  const started = await startSimulator();
  simProcess = started.child;
  sim = started.settings;
});

after(async () => {
  await browser?.close();
  simProcess?.kill('SIGTERM');
});

describe('ServiceNow integration', { timeout: TEST_TIMEOUT_MS * 3 }, () => {
  let incidentNumber;

  test(
    'an admin connects the simulator, tests the connection step by step and sees its health',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, browser, { viewport: { width: 1280, height: 900 } }, async (page) => {
        await signIn(page, BASE_URL, adminCredentials(), { path: '/admin/integrations' });
        await page.waitForURL((url) => url.pathname === '/admin/integrations');
        await expectText(heading1(page), /^Integrations$/);
        const form = connectionForm(page);
        await form
          .getByText('Not connected yet')
          .waitFor()
          .catch(() => undefined);

        await form.getByLabel('Instance URL').fill(sim.SERVICENOW_INSTANCE_URL);
        await form.getByLabel('Client ID').fill(sim.SERVICENOW_CLIENT_ID);
        await form.getByLabel('Client secret', { exact: true }).fill(sim.SERVICENOW_CLIENT_SECRET);
        await form.getByLabel('Username').fill(sim.SERVICENOW_USERNAME);
        await form.getByLabel('Password', { exact: true }).fill(sim.SERVICENOW_PASSWORD);
        await form.getByLabel('Webhook secret', { exact: true }).fill(WEBHOOK_SECRET);
        await saveAndWait(page);

        // Every step passes.
        await runConnectionTest(page);
        for (const name of ['token', 'read', 'write', 'webhook_secret']) {
          await expectText(step(page, name).locator('.verdict'), /^Passed$/);
        }
        assert.equal(await page.locator('nx-servicenow-test-steps .summary').getAttribute('data-ok'), 'true');

        // The mapping offers the instance's close codes (its sys_choice list).
        await page.locator('[data-choices="servicenow"]').waitFor();
        const solution = form.locator('tr[data-close-code="Solution provided"] mat-select');
        await solution.click();
        await page.getByRole('option', { name: 'Solved (Permanently)', exact: true }).waitFor();
        await page.keyboard.press('Escape');

        // A wrong client secret: the token step fails with the instance's own words.
        const refusal = await fetch(`${sim.SERVICENOW_INSTANCE_URL}/oauth_token.do`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'password',
            client_id: sim.SERVICENOW_CLIENT_ID,
            client_secret: 'not-the-secret',
            username: sim.SERVICENOW_USERNAME,
            password: sim.SERVICENOW_PASSWORD,
          }),
        });
        const instanceWords = await refusal.json();
        const words = String(instanceWords.error_description || instanceWords.error);
        assert.ok(words, 'the simulator explains a refused token request');
        await form.getByLabel('Replace client secret').fill('not-the-secret');
        await saveAndWait(page);
        await runConnectionTest(page);
        await expectText(step(page, 'token').locator('.verdict'), /^Failed$/);
        await expectText(
          step(page, 'token').locator('.detail'),
          new RegExp(words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
        );
        assert.equal(
          await page.locator('nx-servicenow-test-steps .summary').getAttribute('data-ok'),
          'false',
        );

        // Back to the right secret.
        await form.getByLabel('Replace client secret').fill(sim.SERVICENOW_CLIENT_SECRET);
        await saveAndWait(page);
        await runConnectionTest(page);
        await expectText(step(page, 'token').locator('.verdict'), /^Passed$/);

        // Health: the calls made, per operation, with their latency.
        const health = page.locator('nx-servicenow-health');
        await eventually(async () => {
          await health.getByRole('button', { name: 'Refresh' }).click();
          await health.locator('tr[data-operation="incident.list"]').waitFor({ timeout: 2_000 });
        });
        await expectText(health.locator('[data-circuit]'), /Closed/);
        const listRow = health.locator('tr[data-operation="incident.list"] td');
        assert.ok(Number(await listRow.first().textContent()) >= 1, 'incident.list calls counted');
        assert.match((await listRow.nth(2).textContent()) ?? '', /\d+ ms/);
      }),
  );

  test(
    'an incident shows its ServiceNow twin; a data policy refusal (403) is a permanent failure',
    { timeout: TEST_TIMEOUT_MS },
    (t) =>
      withPage(t, browser, { viewport: { width: 1280, height: 900 } }, async (page) => {
        const token = await apiAccessToken(BASE_URL);
        const title = `Printer queue stuck (${randomBytes(3).toString('hex')})`;
        const incident = await api(BASE_URL, token, 'POST', '/api/incidents', {
          title,
          impact: 2,
          urgency: 2,
        });
        incidentNumber = incident.number;

        await signIn(page, BASE_URL, adminCredentials(), { path: `/incidents/${incident.number}` });
        const panel = page.locator('nx-incident-servicenow');
        // Created on the instance by the outbound sync: ServiceNow's number, a link to the record.
        const twin = await eventually(
          async () => {
            const records = await control('GET', 'incidents');
            const found = records.find((r) => r.short_description === title);
            assert.ok(found, 'the incident is on the instance');
            return found;
          },
          { timeout: 60_000, interval: 500 },
        );
        await eventually(
          async () => {
            await page.reload();
            await panel.locator('.record').waitFor({ timeout: 3_000 });
            await expectText(panel.locator('.record'), new RegExp(`^${twin.number}`));
          },
          { timeout: 60_000, interval: 1_000 },
        );
        const link = panel.locator('a.record');
        const href = await link.getAttribute('href');
        assert.ok(href?.startsWith(`${sim.SERVICENOW_INSTANCE_URL}/nav_to.do`), `link ${href}`);
        assert.ok(href.includes(twin.sys_id), 'the link names the record');
        assert.equal(await link.getAttribute('target'), '_blank');
        await expectText(panel.locator('.status'), /^Synced$/);

        // The instance's data policy refuses the resolution: 403, its own text, never retried forever.
        const policyText = 'Data Policy Exception: The following fields are mandatory: Resolution notes';
        await control('POST', 'faults', {
          path: `/api/now/table/incident/${twin.sys_id}`,
          status: 403,
          times: 'infinite',
          body: { error: { message: policyText, detail: 'Operation Failed' }, status: 'failure' },
        });
        try {
          await api(BASE_URL, token, 'POST', `/api/incidents/${incident.id}/acknowledge`, {});
          await api(BASE_URL, token, 'POST', `/api/incidents/${incident.id}/resolve`, {
            closeCode: 'Solution provided',
            closeNotes: 'Cleared the queue',
          });
          await eventually(
            async () => {
              await page.reload();
              await panel.locator('.status').waitFor({ timeout: 3_000 });
              await expectText(panel.locator('.status'), /^Sync failed$/);
            },
            { timeout: 60_000, interval: 1_000 },
          );
          await expectText(panel.locator('.error'), /Data Policy Exception/);
          await expectText(panel.locator('.error'), /403/);
          // Permanent: the delivery is dead, not waiting for another attempt.
          await eventually(async () => {
            const deliveries = await api(BASE_URL, token, 'GET', `/api/incidents/${incident.id}/deliveries`);
            const dead = deliveries.items.filter(
              (d) => d.consumer.includes('servicenow') && d.status === 'dead',
            );
            assert.ok(
              dead.some((d) => /Data Policy Exception/.test(d.lastError ?? '')),
              `a dead ServiceNow delivery: ${JSON.stringify(deliveries.items)}`,
            );
          });
        } finally {
          await control('DELETE', 'faults');
        }
      }),
  );

  test('the Integrations page and an incident fit a 375 px wide screen', { timeout: TEST_TIMEOUT_MS }, (t) =>
    withPage(
      t,
      browser,
      { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
      async (page) => {
        await signIn(page, BASE_URL, adminCredentials(), { path: '/admin/integrations' });
        await page.waitForURL((url) => url.pathname === '/admin/integrations');
        await connectionForm(page).getByLabel('Instance URL').waitFor();
        await page.locator('nx-servicenow-health dl.summary').waitFor();
        await assertNoHorizontalOverflow(page, 'Integrations');

        await page.goto(`${BASE_URL}/incidents/${incidentNumber}`);
        await page.locator('nx-incident-servicenow .record').waitFor();
        await assertNoHorizontalOverflow(page, 'incident detail');
      },
    ),
  );

  test(
    'with SERVICENOW_* variables set, the form is read-only and the test still runs',
    { timeout: TEST_TIMEOUT_MS },
    async (t) => {
      const second = await startEnvManagedApp(t);
      await withPage(t, browser, { viewport: { width: 1280, height: 900 } }, async (page) => {
        await signIn(page, second.baseUrl, adminCredentials(), { path: '/admin/integrations' });
        await page.waitForURL((url) => url.pathname === '/admin/integrations');
        await page.locator('[data-source="environment"]').waitFor();
        await expectText(page.locator('[data-source="environment"]'), /SERVICENOW_\*/);
        const form = connectionForm(page);
        assert.equal(await form.getByLabel('Instance URL').inputValue(), sim.SERVICENOW_INSTANCE_URL);
        assert.equal(await form.getByLabel('Instance URL').isDisabled(), true);
        assert.equal(await form.getByLabel('Client ID').isDisabled(), true);
        assert.equal(await form.getByRole('button', { name: 'Save', exact: true }).count(), 0);
        await runConnectionTest(page);
        await expectText(step(page, 'token').locator('.verdict'), /^Passed$/);
      });
    },
  );
});

/**
 * A second app on its own database whose environment sets the connection. Its own database: a
 * fresh one on DATABASE_URL's server, else an embedded PostgreSQL in a temporary folder.
 */
async function startEnvManagedApp(t) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_EMAIL: adminCredentials().email,
    ADMIN_PASSWORD: adminCredentials().password,
    LOGIN_RATE_LIMIT_PER_ACCOUNT: '100',
    LOGIN_RATE_LIMIT_PER_IP: '300',
    SERVICENOW_INSTANCE_URL: sim.SERVICENOW_INSTANCE_URL,
    SERVICENOW_CLIENT_ID: sim.SERVICENOW_CLIENT_ID,
    SERVICENOW_CLIENT_SECRET: sim.SERVICENOW_CLIENT_SECRET,
    SERVICENOW_USERNAME: sim.SERVICENOW_USERNAME,
    SERVICENOW_PASSWORD: sim.SERVICENOW_PASSWORD,
    SERVICENOW_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
  let cleanUp;
  const base = process.env.DATABASE_URL?.trim();
  if (base) {
    const { default: pg } = await import('pg');
    const name = `nx_e2e_env_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    cleanUp = async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.end();
    };
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'nx-e2e-env-'));
    await chmod(dir, 0o755);
    env.EMBEDDED_POSTGRES_DIR = join(dir, 'pgdata');
    cleanUp = () => rm(dir, { recursive: true, force: true });
  }
  const child = spawn(process.execPath, [join(ROOT, 'backend/dist/backend/src/main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await cleanUp();
  });
  await waitUntilReady(baseUrl, { timeoutMs: 60_000, exited });
  return { baseUrl };
}
