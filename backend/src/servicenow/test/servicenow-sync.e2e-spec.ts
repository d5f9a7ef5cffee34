import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { eventually } from '../../../test/support/wait-for';
import type { IncidentView } from '../../incidents/dto/incident.view';
import { ServiceNowReconciler } from '../servicenow-reconciler';
import { ServiceNowSyncStatus } from '../servicenow-sync-status';
import { ServiceNowTableStub } from './servicenow-table-stub';
import {
  countRows,
  deliverWebhook,
  incident,
  journalEvent,
  outboundSettled,
  postWebhook,
  recordEvent,
  serviceNowEnv,
  timeline,
} from './sync-fixtures';

describe('ServiceNow sync (against a Table API stub)', () => {
  let stub: ServiceNowTableStub;
  let t: TestApp;
  let admin: SignedIn;
  const saved = { ...process.env };

  beforeAll(async () => {
    stub = await ServiceNowTableStub.start();
    // The stand-in settings read the environment (servicenow-sync-settings.ts).
    Object.assign(process.env, serviceNowEnv(stub));
    t = await startTestApp({
      // the connection (client, tokens) reads the app's configuration, the sync's mapping the process's
      env: {
        ...serviceNowEnv(stub),
        DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
        SERVICENOW_RECONCILE_INTERVAL_MS: '0',
        // the failure specs open the client's circuit; it lets the next call probe soon
        SERVICENOW_CIRCUIT_HALF_OPEN_MS: '200',
      },
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await stub.stop();
    process.env = saved;
  });

  async function createHere(body: Record<string, unknown> = {}): Promise<IncidentView> {
    const res = await t.http
      .post('/api/incidents')
      .set('Authorization', admin.bearer)
      .send({ title: 'Checkout API returns 502', impact: 1, urgency: 2, category: 'network', ...body })
      .expect(201);
    return res.body as IncidentView;
  }

  /** An incident created here and linked there; its record on the stub. */
  async function linkedHere(body: Record<string, unknown> = {}) {
    const created = await createHere(body);
    await outboundSettled(t, created.id);
    const view = await incident(t, admin, created.id);
    return { view, record: stub.incidents.get(view.externalRef!)! };
  }

  /** An incident created there and brought here by its webhook. */
  async function linkedThere(fields: Record<string, string> = {}) {
    const record = stub.create({ short_description: 'Mail is down', impact: '2', urgency: '2', ...fields });
    const processed = await deliverWebhook(t, admin, recordEvent('incident.created', record));
    return { record, view: await incident(t, admin, processed.incidentId!) };
  }

  describe('outbound: created here', () => {
    it('POSTs the record with impact and urgency (never priority), then stores its sys_id and number', async () => {
      const created = await createHere({
        description: 'EU customers only',
        assignmentGroup: 'Network Operations',
      });
      const [delivery] = await outboundSettled(t, created.id);
      expect(delivery).toMatchObject({ type: 'incident.created', status: 'delivered' });
      const [post] = stub.callsTo('POST');
      expect(post!.body).toEqual({
        short_description: 'Checkout API returns 502',
        description: 'EU customers only',
        impact: '1',
        urgency: '2',
        category: 'network',
        assignment_group: 'grp-network',
        state: '1',
        correlation_id: created.id,
        correlation_display: `Nexecute ${created.number}`,
      });
      const record = [...stub.incidents.values()].find((r) => r['correlation_id'] === created.id)!;
      expect(record['priority']).toBe('2');
      const view = await incident(t, admin, created.id);
      expect(view).toMatchObject({
        externalSystem: 'servicenow',
        externalRef: record['sys_id'],
        externalNumber: record['number'],
        version: created.version,
      });
      const status = await t.http
        .get(`/api/incidents/${created.id}/servicenow`)
        .set('Authorization', admin.bearer)
        .expect(200);
      expect(status.body).toMatchObject({
        linked: true,
        sysId: record['sys_id'],
        number: record['number'],
        status: 'synced',
        lastError: null,
        url: `${stub.url}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${record['sys_id']}`)}`,
      });
      // the ServiceNow number is searchable from the incident list
      const found = await t.http
        .get(`/api/incidents?q=${record['number']}`)
        .set('Authorization', admin.bearer)
        .expect(200);
      expect((found.body as { items: IncidentView[] }).items.map((i) => i.id)).toEqual([created.id]);
    });

    it('PATCHes only the changed fields, and resolving always sends close_code and close_notes', async () => {
      const { view, record } = await linkedHere();
      const sysId = record['sys_id']!;
      await t.http
        .patch(`/api/incidents/${view.id}`)
        .set('Authorization', admin.bearer)
        .send({ title: 'Checkout API returns 502 in the EU', urgency: 1 })
        .expect(200);
      await t.http
        .post(`/api/incidents/${view.id}/resolve`)
        .set('Authorization', admin.bearer)
        .send({ closeCode: 'Workaround provided', closeNotes: 'Rolled back the deploy' })
        .expect(200);
      await outboundSettled(t, view.id);
      const patches = stub.callsTo('PATCH', sysId).map((c) => c.body);
      expect(patches).toEqual([
        // impact travels with urgency: together they make the priority
        { short_description: 'Checkout API returns 502 in the EU', impact: '1', urgency: '1' },
        { state: '6', close_code: 'Solved (Work Around)', close_notes: 'Rolled back the deploy' },
      ]);
      expect(stub.incidents.get(sysId)).toMatchObject({ state: '6', priority: '1' });
    });
  });

  describe('inbound: webhooks', () => {
    it('a record created there opens an incident here, linked, as ServiceNow', async () => {
      const { record, view } = await linkedThere({ category: 'email', assignment_group: 'grp-desk' });
      expect(view).toMatchObject({
        title: 'Mail is down',
        impact: 2,
        urgency: 2,
        category: 'email',
        assignmentGroup: 'Service Desk',
        source: 'servicenow',
        externalRef: record['sys_id'],
        externalNumber: record['number'],
      });
      const [created] = await timeline(t, admin, view.id);
      expect(created).toMatchObject({
        kind: 'created',
        actor: { type: 'system', id: 'servicenow', label: 'ServiceNow' },
      });
    });

    it("a record carrying one of our incidents' id as correlation_id is linked to it, not opened again", async () => {
      stub.refuse = (method) =>
        method === 'POST' ? { status: 503, message: 'Instance busy', detail: null } : null;
      let created: IncidentView;
      try {
        created = await createHere({ title: 'Created here, answer lost' });
        await eventually(async () => {
          const res = await t.http
            .get(`/api/incidents/${created.id}/servicenow`)
            .set('Authorization', admin.bearer);
          return (res.body as { status: string }).status === 'failed' ? true : undefined;
        });
      } finally {
        stub.refuse = null;
      }
      // The record exists there after all (the answer was lost), and its webhook arrives first.
      const record = stub.create({
        short_description: 'Created here, answer lost',
        correlation_id: created.id,
      });
      const processed = await deliverWebhook(t, admin, recordEvent('incident.created', record));
      expect(processed).toMatchObject({ incidentId: created.id });
      expect(await incident(t, admin, created.id)).toMatchObject({ externalRef: record['sys_id'] });
      expect(await countRows(t, `SELECT 1 FROM incidents WHERE title = 'Created here, answer lost'`)).toBe(1);
      await outboundSettled(t, created.id); // its retry finds the link: no second POST
      expect([...stub.incidents.values()].filter((r) => r['correlation_id'] === created.id)).toHaveLength(1);
    });

    it('a duplicate webhook is answered 202 and not processed again', async () => {
      const record = stub.create({ short_description: 'VPN flaps', impact: '3', urgency: '3' });
      const body = recordEvent('incident.created', record);
      const first = await postWebhook(t, body).expect(202);
      const again = await postWebhook(t, body).expect(202);
      expect(again.body).toEqual({
        status: 'accepted',
        event_id: (first.body as { event_id: string }).event_id,
        duplicate: true,
      });
      await eventually(async () =>
        (await countRows(t, `SELECT 1 FROM incidents WHERE external_ref = $1`, [record['sys_id']])) === 1
          ? true
          : undefined,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(await countRows(t, `SELECT 1 FROM incidents WHERE external_ref = $1`, [record['sys_id']])).toBe(
        1,
      );
    });

    it('applies an update made there, and ignores an older one that arrives late (sys_mod_count)', async () => {
      const { record, view } = await linkedThere();
      const sysId = record['sys_id']!;
      const older = stub.change(sysId, { short_description: 'Mail is slow' });
      const newer = stub.change(sysId, { short_description: 'Mail is down for everyone', state: '2' });
      await deliverWebhook(t, admin, recordEvent('incident.updated', newer));
      const late = await deliverWebhook(t, admin, recordEvent('incident.updated', older));
      expect(late.outcome).toBe('unchanged');
      expect(await incident(t, admin, view.id)).toMatchObject({
        title: 'Mail is down for everyone',
        state: 'in_progress',
      });
    });

    it('resolving and closing there moves ours through its lifecycle, close code mapped back', async () => {
      const { record, view } = await linkedThere({ state: '2' });
      const sysId = record['sys_id']!;
      const resolved = stub.change(sysId, {
        state: '6',
        close_code: 'Solved (Work Around)',
        close_notes: 'Restarted the mail relay',
      });
      await deliverWebhook(t, admin, recordEvent('incident.updated', resolved));
      expect(await incident(t, admin, view.id)).toMatchObject({
        state: 'resolved',
        closeCode: 'Workaround provided',
        closeNotes: 'Restarted the mail relay',
      });
      const closed = stub.change(sysId, { state: '7' });
      await deliverWebhook(t, admin, recordEvent('incident.updated', closed));
      expect((await incident(t, admin, view.id)).state).toBe('closed');
      // reopening there cannot undo our final state: noted, not applied, not an error
      const reopened = stub.change(sysId, { state: '2' });
      const processed = await deliverWebhook(t, admin, recordEvent('incident.updated', reopened));
      expect(processed.status).toBe('processed');
      expect((await incident(t, admin, view.id)).state).toBe('closed');
      await outboundSettled(t, view.id);
      expect(stub.callsTo('PATCH', sysId)).toEqual([]);
    });

    it('an older sys_updated_on never overwrites newer data, whatever its sys_mod_count claims', async () => {
      const { record, view } = await linkedThere();
      const sysId = record['sys_id']!;
      const current = stub.change(sysId, { short_description: 'Printer on fire' });
      await deliverWebhook(t, admin, recordEvent('incident.updated', current));
      const stale = { ...current, short_description: 'Printer fine', sys_updated_on: '2020-01-01 00:00:00' };
      const late = await deliverWebhook(t, admin, {
        ...recordEvent('incident.updated', stale),
        event_id: 'stale-1',
      });
      expect(late.outcome).toBe('unchanged');
      expect((await incident(t, admin, view.id)).title).toBe('Printer on fire');
    });

    it('refuses a bad or stale signature with 401 and stores nothing', async () => {
      const record = stub.create({ short_description: 'Unsigned' });
      const body = recordEvent('incident.created', record);
      const before = await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`);
      const bad = await postWebhook(t, body, { secret: 'not-the-secret' }).expect(401);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.body).toMatchObject({ code: 'SERVICENOW_SIGNATURE_INVALID', status: 401 });
      const stale = await postWebhook(t, body, { timestamp: Math.floor(Date.now() / 1000) - 3600 }).expect(
        401,
      );
      expect(stale.body).toMatchObject({ code: 'SERVICENOW_SIGNATURE_STALE' });
      const unsigned = await postWebhook(t, body, { secret: null }).expect(401);
      expect(unsigned.body).toMatchObject({ code: 'SERVICENOW_SIGNATURE_MISSING' });
      expect(await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`)).toBe(before);
    });

    it('answers 401 SERVICENOW_NO_WEBHOOK_SECRET without a webhook secret, storing nothing', async () => {
      const secret = process.env['SERVICENOW_WEBHOOK_SECRET'];
      delete process.env['SERVICENOW_WEBHOOK_SECRET'];
      try {
        const before = await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`);
        const res = await postWebhook(t, recordEvent('incident.created', stub.create({}))).expect(401);
        expect(res.body).toMatchObject({ code: 'SERVICENOW_NO_WEBHOOK_SECRET' });
        expect(await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`)).toBe(before);
      } finally {
        process.env['SERVICENOW_WEBHOOK_SECRET'] = secret;
      }
    });
  });

  describe('echo suppression and journals', () => {
    it('never PATCHes back a change that came from ServiceNow', async () => {
      const { record, view } = await linkedThere();
      const sysId = record['sys_id']!;
      const changed = stub.change(sysId, { short_description: 'Mail is down in Paris', state: '3' });
      await deliverWebhook(t, admin, recordEvent('incident.updated', changed));
      const rows = await outboundSettled(t, view.id);
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'delivered'));
      expect(rows.map((r) => r.type)).toEqual(
        expect.arrayContaining(['incident.updated', 'incident.state_changed']),
      );
      expect(stub.callsTo('PATCH', sysId)).toEqual([]);
      expect(stub.callsTo('POST').filter((c) => c.body?.['correlation_id'] === view.id)).toEqual([]);
    });

    it('a work note here goes to work_notes, a comment to comments, authored, and their echo adds nothing', async () => {
      const { view, record } = await linkedHere();
      const sysId = record['sys_id']!;
      await t.http
        .post(`/api/incidents/${view.id}/comments`)
        .set('Authorization', admin.bearer)
        .send({ kind: 'work_note', body: 'Suspect the 09:05 deploy' })
        .expect(201);
      await t.http
        .post(`/api/incidents/${view.id}/comments`)
        .set('Authorization', admin.bearer)
        .send({ body: 'We are rolling back' })
        .expect(201);
      await outboundSettled(t, view.id);
      const journal = stub.journal.filter((j) => j['element_id'] === sysId);
      expect(journal.map((j) => [j['element'], j['value']])).toEqual([
        ['work_notes', `[${admin.user.email} via Nexecute] Suspect the 09:05 deploy`],
        ['comments', `[${admin.user.email} via Nexecute] We are rolling back`],
      ]);
      for (const row of journal) await deliverWebhook(t, admin, journalEvent(row));
      const notes = (await timeline(t, admin, view.id)).filter(
        (e) => e.kind === 'comment' || e.kind === 'work_note',
      );
      expect(notes.map((e) => [e.kind, e.body])).toEqual([
        ['work_note', 'Suspect the 09:05 deploy'],
        ['comment', 'We are rolling back'],
      ]);
      expect(
        await countRows(
          t,
          'SELECT 1 FROM servicenow_journal_links WHERE incident_id = $1 AND journal_sys_id IS NOT NULL',
          [view.id],
        ),
      ).toBe(2);
    });

    it('a work note there stays a work note here (never a comment), with its author, and is not sent back', async () => {
      const { record, view } = await linkedThere();
      const sysId = record['sys_id']!;
      const note = stub.addJournal(sysId, 'work_notes', 'Vendor ticket 4411 opened', 'beth.anglin');
      const comment = stub.addJournal(sysId, 'comments', 'Working on it', 'beth.anglin');
      await deliverWebhook(t, admin, journalEvent(note));
      await deliverWebhook(t, admin, journalEvent(comment));
      await deliverWebhook(t, admin, { ...journalEvent(note), event_id: 'again-note' }); // the same row again
      const entries = (await timeline(t, admin, view.id)).filter(
        (e) => e.kind === 'comment' || e.kind === 'work_note',
      );
      expect(entries.map((e) => [e.kind, e.body, e.actor.label])).toEqual([
        ['work_note', 'Vendor ticket 4411 opened', 'beth.anglin via ServiceNow'],
        ['comment', 'Working on it', 'beth.anglin via ServiceNow'],
      ]);
      const rows = await outboundSettled(t, view.id);
      expect(rows.map((r) => r.type)).toEqual(
        expect.arrayContaining(['incident.work_noted', 'incident.commented']),
      );
      expect(stub.callsTo('PATCH', sysId)).toEqual([]);
    });
  });

  describe('the conflict policy', () => {
    it('is served to admins', async () => {
      const res = await t.http
        .get('/api/integrations/servicenow/conflict-policy')
        .set('Authorization', admin.bearer)
        .expect(200);
      expect((res.body as { fields: unknown[] }).fields).toEqual(
        expect.arrayContaining([
          { ours: 'title', theirs: 'short_description', owner: 'last_writer' },
          { ours: 'impact', theirs: 'impact', owner: 'nexecute' },
          { ours: 'category', theirs: 'category', owner: 'servicenow' },
        ]),
      );
    });

    it('servicenow owns category: their change applies, ours is not written', async () => {
      const { view, record } = await linkedHere({ category: 'network' });
      const sysId = record['sys_id']!;
      await t.http
        .patch(`/api/incidents/${view.id}`)
        .set('Authorization', admin.bearer)
        .send({ category: 'database' })
        .expect(200);
      await outboundSettled(t, view.id);
      expect(stub.callsTo('PATCH', sysId)).toEqual([]);
      const theirs = stub.change(sysId, { category: 'hardware' });
      await deliverWebhook(t, admin, recordEvent('incident.updated', theirs));
      expect((await incident(t, admin, view.id)).category).toBe('hardware');
    });

    it('nexecute owns impact and urgency: their change is not taken, ours is written', async () => {
      const { view, record } = await linkedHere({ impact: 2, urgency: 2 });
      const sysId = record['sys_id']!;
      const theirs = stub.change(sysId, { impact: '1', urgency: '1' });
      const processed = await deliverWebhook(t, admin, recordEvent('incident.updated', theirs));
      expect(processed.outcome).toBe('unchanged');
      expect(await incident(t, admin, view.id)).toMatchObject({ impact: 2, urgency: 2 });
      // ours differs there now: pending, for the reconciler to write back
      const pending = await t.http
        .get(`/api/incidents/${view.id}/servicenow`)
        .set('Authorization', admin.bearer);
      expect(pending.body).toMatchObject({
        status: 'pending',
        lastError: expect.stringContaining('impact, urgency'),
      });
      await t.http
        .patch(`/api/incidents/${view.id}`)
        .set('Authorization', admin.bearer)
        .send({ impact: 3 })
        .expect(200);
      await outboundSettled(t, view.id);
      expect(stub.callsTo('PATCH', sysId).map((c) => c.body)).toEqual([{ impact: '3', urgency: '2' }]);
    });

    it('last writer for the title: an edit there older than ours is not taken, a newer one is', async () => {
      const { view, record } = await linkedHere();
      const sysId = record['sys_id']!;
      await t.http
        .patch(`/api/incidents/${view.id}`)
        .set('Authorization', admin.bearer)
        .send({ title: 'Ours, newer' })
        .expect(200);
      await outboundSettled(t, view.id);
      // An edit made there before ours (its sys_updated_on is earlier), reported late with a higher count.
      const past = new Date(Date.now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
      const older = {
        ...stub.incidents.get(sysId)!,
        short_description: 'Theirs, older',
        sys_mod_count: '50',
        sys_updated_on: past,
      };
      const skipped = await deliverWebhook(t, admin, {
        ...recordEvent('incident.updated', older),
        event_id: 'older-title',
      });
      expect(skipped.outcome).toBe('unchanged');
      expect((await incident(t, admin, view.id)).title).toBe('Ours, newer');
      await new Promise((r) => setTimeout(r, 1100)); // into a later second
      const newer = stub.change(sysId, { short_description: 'Theirs, newer' });
      await deliverWebhook(t, admin, recordEvent('incident.updated', { ...newer, sys_mod_count: '51' }));
      expect((await incident(t, admin, view.id)).title).toBe('Theirs, newer');
    });
  });

  describe('a permanent refusal (403 data policy)', () => {
    it('makes the delivery dead at once with the instance message, shown as failed', async () => {
      const { view, record } = await linkedHere();
      const sysId = record['sys_id']!;
      stub.refuse = (method, body) =>
        method === 'PATCH' && body['state'] === '6'
          ? {
              status: 403,
              message: 'Operation Failed',
              detail: 'Data Policy Exception: the following fields are mandatory: Resolution information',
            }
          : null;
      try {
        await t.http
          .post(`/api/incidents/${view.id}/resolve`)
          .set('Authorization', admin.bearer)
          .send({ closeCode: 'Solution provided', closeNotes: 'Fixed' })
          .expect(200);
        const rows = await outboundSettled(t, view.id);
        const resolve = rows.find((r) => r.type === 'incident.state_changed')!;
        expect(resolve.status).toBe('dead');
        expect(resolve.last_error).toContain('(403)');
        expect(resolve.last_error).toContain('Data Policy Exception');
        const [ledger] = await t.dataSource.query<{ attempts: number }[]>(
          `SELECT d.attempts FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
            WHERE d.consumer = 'servicenow' AND e.aggregate_id = $1 AND e.type = 'incident.state_changed'`,
          [view.id],
        );
        expect(ledger!.attempts).toBe(1);
        expect(stub.callsTo('PATCH', sysId)).toHaveLength(1);
        const status = await t.http
          .get(`/api/incidents/${view.id}/servicenow`)
          .set('Authorization', admin.bearer);
        expect(status.body).toMatchObject({
          status: 'failed',
          lastError: expect.stringContaining('Data Policy Exception'),
        });
        const summary = await t.app.get(ServiceNowSyncStatus).summary();
        expect(summary.failedSyncs).toBeGreaterThanOrEqual(1);
        expect(summary.recentErrors).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ status: 403, operation: `sync ${view.number}` }),
          ]),
        );
      } finally {
        stub.refuse = null;
      }
    });
  });

  describe('reconciliation', () => {
    it('picks up changes whose webhooks were lost, paging through one second with more records than a page', async () => {
      const reconciler = t.app.get(ServiceNowReconciler);
      const first = await reconciler.run(); // the first run imports what is open and sets the watermark
      expect(first.ran).toBe(true);
      const linked: { record: Record<string, string>; view: IncidentView }[] = [];
      for (let i = 0; i < 5; i++) linked.push(await linkedThere({ short_description: `Same second ${i}` }));
      await reconciler.run();
      stub.freeze('2031-01-01 10:00:00');
      try {
        for (const [i, l] of linked.entries())
          stub.change(l.record['sys_id']!, { short_description: `Changed in one second ${i}` });
        stub.freeze('2031-01-01 10:00:01');
        const lateOne = stub.change(linked[0]!.record['sys_id']!, { description: 'and a second later' });
        const lost = stub.create({ short_description: 'Created while webhooks were down', state: '2' });
        reconciler.pageSize = 2;
        const result = await reconciler.run();
        expect(result).toMatchObject({ ran: true });
        for (const [i, l] of linked.entries()) {
          await eventually(async () =>
            (await incident(t, admin, l.view.id)).title === `Changed in one second ${i}` ? true : undefined,
          );
        }
        await eventually(async () =>
          (await incident(t, admin, linked[0]!.view.id)).description === 'and a second later'
            ? true
            : undefined,
        );
        expect(lateOne['sys_updated_on']).toBe('2031-01-01 10:00:01');
        await eventually(async () =>
          (await countRows(t, `SELECT 1 FROM incidents WHERE external_ref = $1`, [lost['sys_id']])) === 1
            ? true
            : undefined,
        );
        // run again: the overlapped second is read again but nothing is processed twice
        const again = await reconciler.run();
        expect(again.queued).toBe(0);
        const summary = await t.app.get(ServiceNowSyncStatus).summary();
        expect(summary.lastReconciliationAt).not.toBeNull();
      } finally {
        stub.freeze(null);
        reconciler.pageSize = 100;
      }
    });

    it('retries an outbound sync that failed, without creating a second record', async () => {
      const reconciler = t.app.get(ServiceNowReconciler);
      stub.refuse = (method) =>
        method === 'POST'
          ? { status: 500, message: 'Transaction cancelled: maximum execution time exceeded', detail: null }
          : null;
      const created = await createHere({ title: 'Created while ServiceNow was failing' });
      await eventually(async () => {
        const res = await t.http
          .get(`/api/incidents/${created.id}/servicenow`)
          .set('Authorization', admin.bearer);
        return (res.body as { status: string }).status === 'failed' ? true : undefined;
      });
      stub.refuse = null;
      // the failures opened the client's circuit: past its half-open delay the next call probes
      await new Promise((r) => setTimeout(r, 300));
      reconciler.retryQuietMs = 0;
      try {
        const result = await reconciler.run();
        expect(result.retried).toBeGreaterThanOrEqual(1);
      } finally {
        reconciler.retryQuietMs = 5000;
      }
      const status = await t.http
        .get(`/api/incidents/${created.id}/servicenow`)
        .set('Authorization', admin.bearer);
      expect(status.body).toMatchObject({ linked: true, status: 'synced', lastError: null });
      await outboundSettled(t, created.id);
      expect([...stub.incidents.values()].filter((r) => r['correlation_id'] === created.id)).toHaveLength(1);
    });
  });
});
