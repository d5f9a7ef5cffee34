import { Client } from 'pg';
import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { eventually, waitFor } from '../../../test/support/wait-for';
import {
  DEFAULT_CLIENT,
  DEFAULT_USERS,
  ServiceNowSimulator,
} from '../../../test/simulators/servicenow.simulator';
import type { FirstImportView } from '../dto/servicenow-sync.view';
import { ServiceNowReconciler } from '../servicenow-reconciler';

const OPEN = 250;
const CLOSED = 30;
const TABLE = '/api/now/table/incident';

/**
 * The first connection's import of open incidents against the instance simulator: 250 open
 * incidents (three pages of 100) beside closed ones, progress on the Integrations page's health
 * answer, the reconciliation lock, and a failed import resumed.
 */
describe('ServiceNow first import (GET /api/integrations/servicenow/health firstImport)', () => {
  let sim: ServiceNowSimulator;
  let t: TestApp;
  let admin: SignedIn;
  let reconciler: ServiceNowReconciler;
  const saved = { ...process.env };

  beforeEach(async () => {
    sim = await ServiceNowSimulator.start({ clientCredentialsGrant: true });
    for (let i = 0; i < OPEN; i++) {
      sim.seedIncident({
        short_description: `Open incident ${i}`,
        state: String((i % 3) + 1),
        impact: '2',
        urgency: '2',
      });
    }
    for (let i = 0; i < CLOSED; i++) sim.seedIncident({ short_description: `Closed ${i}`, state: '7' });
    const env = {
      SERVICENOW_INSTANCE_URL: sim.url,
      SERVICENOW_CLIENT_ID: DEFAULT_CLIENT.clientId,
      SERVICENOW_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
      SERVICENOW_USERNAME: DEFAULT_USERS[0]!.userName,
      SERVICENOW_PASSWORD: DEFAULT_USERS[0]!.password!,
      SERVICENOW_WEBHOOK_SECRET: 'first-import-webhook-secret-0123456789',
    };
    // The sync's settings read the process's environment (servicenow-sync-settings.ts).
    Object.assign(process.env, env);
    t = await startTestApp({
      env: {
        ...env,
        // runs are started by the spec, not a timer
        SERVICENOW_RECONCILE_INTERVAL_MS: '0',
        DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
        SERVICENOW_MAX_RETRIES: '1',
        SERVICENOW_RETRY_BUDGET_MS: '2000',
      },
    });
    admin = await signInAsAdmin(t);
    reconciler = t.app.get(ServiceNowReconciler);
  });

  afterEach(async () => {
    await t.close();
    await sim.close();
    process.env = { ...saved };
  });

  async function firstImport(): Promise<FirstImportView> {
    const res = await t.http
      .get('/api/integrations/servicenow/health')
      .set('Authorization', admin.bearer)
      .expect(200);
    return (res.body as { firstImport: FirstImportView }).firstImport;
  }

  async function linkedRecords(): Promise<number> {
    const [row] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM servicenow_links WHERE sys_id IS NOT NULL',
    );
    return row!.n;
  }

  it('imports the 250 open incidents page by page, showing progress until done with the counts', async () => {
    expect(await firstImport()).toEqual({
      state: 'pending',
      imported: 0,
      total: null,
      startedAt: null,
      finishedAt: null,
      lastError: null,
    });
    // Slow pages, so the progress between them can be seen.
    sim.fault(TABLE, { delayMs: 300, times: Infinity });
    const run = reconciler.run();
    const midway = await eventually(async () => {
      const now = await firstImport();
      return now.state === 'running' && now.imported > 0 ? now : undefined;
    });
    expect(midway).toMatchObject({ state: 'running', total: OPEN, finishedAt: null });
    expect(midway.imported).toBeLessThan(OPEN);
    expect(midway.imported % 100).toBe(0);
    sim.clearFaults();
    expect(await run).toMatchObject({ ran: true });

    const done = await firstImport();
    expect(done).toMatchObject({ state: 'done', imported: OPEN, total: OPEN, lastError: null });
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
    // Each open incident became one of ours with its ServiceNow number; no closed one did.
    await waitFor(async () => (await linkedRecords()) === OPEN, 60_000, `${OPEN} linked incidents`);
    const numbers = await t.dataSource.query<{ number: string }[]>(
      'SELECT number FROM servicenow_links WHERE sys_id IS NOT NULL',
    );
    const open = sim.all().filter((r) => ['1', '2', '3'].includes(String(r['state'])));
    expect(new Set(numbers.map((n) => n.number))).toEqual(new Set(open.map((r) => String(r['number']))));

    // A later run is an incremental pull: the import's figures stay as they were.
    await reconciler.run();
    expect(await firstImport()).toEqual(done);
  }, 120_000);

  it('is not run while another instance holds the reconciliation lock', async () => {
    const other = new Client({ connectionString: t.database.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('nexecute:servicenow-reconcile'))`);
      expect(await reconciler.run()).toMatchObject({ ran: false });
      expect(await firstImport()).toMatchObject({ state: 'pending', imported: 0 });
      expect(sim.requests.filter((r) => r.path === TABLE)).toHaveLength(0);
      await other.query(`SELECT pg_advisory_unlock(hashtext('nexecute:servicenow-reconcile'))`);
    } finally {
      await other.end();
    }
    // Two runs at once in this instance: one imports, the other finds the lock taken.
    const results = await Promise.all([reconciler.run(), reconciler.run()]);
    expect(results.map((r) => r.ran).sort()).toEqual([false, true]);
    expect(await firstImport()).toMatchObject({ state: 'done', imported: OPEN, total: OPEN });
  }, 120_000);

  it('records a failure with the instance’s error, and the next run resumes where it stopped', async () => {
    sim.fault(TABLE, { delayMs: 300, times: Infinity });
    const run = reconciler.run();
    await eventually(async () => ((await firstImport()).imported >= 100 ? true : undefined));
    // ServiceNow refuses the next pages (an ACL: permanent, not retried).
    sim.clearFaults();
    sim.fault(TABLE, {
      status: 403,
      times: Infinity,
      body: { error: { message: 'Insufficient rights to query records', detail: 'ACL' }, status: 'failure' },
    });
    await expect(run).rejects.toThrow();
    const failed = await firstImport();
    expect(failed).toMatchObject({ state: 'failed', total: OPEN });
    expect(failed.imported).toBeGreaterThanOrEqual(100);
    expect(failed.imported).toBeLessThan(OPEN);
    expect(failed.lastError).toContain('Insufficient rights');
    expect(failed.finishedAt).not.toBeNull();

    sim.clearFaults();
    expect(await reconciler.run()).toMatchObject({ ran: true });
    const done = await firstImport();
    expect(done).toMatchObject({ state: 'done', imported: OPEN, total: OPEN, lastError: null });
    expect(done.startedAt).toBe(failed.startedAt);
    await waitFor(async () => (await linkedRecords()) === OPEN, 60_000, `${OPEN} linked incidents`);
    const [incidents] = await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM incidents');
    expect(incidents!.n).toBe(OPEN);
  }, 120_000);
});
