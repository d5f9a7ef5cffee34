import type { ServiceNowSimulator } from '../../../test/simulators/servicenow.simulator';
import type { SignedIn } from '../../../test/sign-in';
import type { TestApp } from '../../../test/test-app';
import { eventually } from '../../../test/support/wait-for';
import type { IncidentView } from '../../incidents/dto/incident.view';
import { ServiceNowReconciler } from '../servicenow-reconciler';
import { ServiceNowSyncStatus } from '../servicenow-sync-status';
import {
  countRows,
  deliverWebhook as deliverHook,
  incident,
  journalEvent,
  outboundSettled,
  postWebhook,
  recordEvent,
  timeline,
  WEBHOOK_SECRET,
  writesTo,
} from './sync-fixtures';
import { startSyncHarness, type SyncHarness } from './sync-harness';

describe('ServiceNow sync (against the instance simulator, connected through the API)', () => {
  let h: SyncHarness;
  let t: TestApp;
  let sim: ServiceNowSimulator;
  let admin: SignedIn;

  beforeAll(async () => {
    h = await startSyncHarness();
    ({ t, sim, admin } = h);
  });
  afterAll(async () => {
    await h.close();
  });

  const createHere = (body: Record<string, unknown> = {}) => h.createHere(body);
  const linkedHere = (body: Record<string, unknown> = {}) => h.linkedHere(body);
  const linkedThere = (fields: Record<string, unknown> = {}) => h.linkedThere(fields);
  /** A change made there by a person (beth.anglin), its webhooks processed here. */
  const changeThere = async (sysId: string, fields: Record<string, unknown>) => {
    const { result, events } = await h.there(() => sim.updateAsUser(sysId, fields));
    return { record: result, processed: events[0]! };
  };
  /** Posts a hand-made signed webhook and waits until it is processed. */
  const deliverWebhook = (body: unknown) => deliverHook(t, admin, body);
  const statusOf = async (id: string) =>
    (await t.http.get(`/api/incidents/${id}/servicenow`).set('Authorization', admin.bearer)).body as {
      status: string;
      lastError: string | null;
    };

  describe('outbound: created here', () => {
    it('POSTs the record with impact and urgency (never priority), then stores its sys_id and number', async () => {
      const created = await createHere({
        description: 'EU customers only',
        assignmentGroup: 'Network Operations',
      });
      const [delivery] = await outboundSettled(t, created.id);
      expect(delivery).toMatchObject({ type: 'incident.created', status: 'delivered' });
      const post = writesTo(sim, 'POST').find((w) => w.body['correlation_id'] === created.id)!;
      expect(post.status).toBe(201);
      expect(post.body).toEqual({
        short_description: 'Checkout API returns 502',
        description: 'EU customers only',
        impact: '1',
        urgency: '2',
        category: 'network',
        assignment_group: h.groups['Network Operations'],
        state: '1',
        correlation_id: created.id,
        correlation_display: `Nexecute ${created.number}`,
      });
      const record = sim.all().find((r) => r['correlation_id'] === created.id)!;
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
        url: `${sim.url}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${record['sys_id']}`)}`,
      });
      // the ServiceNow number is searchable from the incident list
      const found = await t.http
        .get(`/api/incidents?q=${record['number']}`)
        .set('Authorization', admin.bearer)
        .expect(200);
      expect((found.body as { items: IncidentView[] }).items.map((i) => i.id)).toEqual([created.id]);
    });

    it('PATCHes only the changed fields, and resolving always sends close_code and close_notes', async () => {
      const { view, sysId } = await linkedHere();
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
      const patches = writesTo(sim, 'PATCH', sysId).map((c) => c.body);
      expect(patches).toEqual([
        // impact travels with urgency: together they make the priority
        { short_description: 'Checkout API returns 502 in the EU', impact: '1', urgency: '1' },
        { state: '6', close_code: 'Solved (Work Around)', close_notes: 'Rolled back the deploy' },
      ]);
      expect(sim.record(sysId)).toMatchObject({
        state: '6',
        priority: '1',
        close_code: 'Solved (Work Around)',
        resolved_by: '5137153cc611227c000bbd1bd8cd2005', // the integration user
      });
    });
  });

  describe('inbound: webhooks', () => {
    it('a record created there opens an incident here, linked, as ServiceNow', async () => {
      const { sysId, view } = await linkedThere({
        category: 'email',
        assignment_group: h.groups['Service Desk'],
      });
      const record = sim.record(sysId)!;
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
      sim.fault('/api/now/table/incident', {
        method: 'POST',
        status: 503,
        times: Infinity,
        body: { error: { message: 'Instance busy', detail: null }, status: 'failure' },
      });
      let created: IncidentView;
      try {
        created = await createHere({ title: 'Created here, answer lost' });
        await eventually(async () => ((await statusOf(created.id)).status === 'failed' ? true : undefined));
      } finally {
        sim.clearFaults();
      }
      // The record exists there after all (the answer was lost), and its webhook arrives first.
      const {
        result: record,
        events: [processed],
      } = await h.there(() =>
        sim.createAsUser({ short_description: 'Created here, answer lost', correlation_id: created.id }),
      );
      expect(processed).toMatchObject({ incidentId: created.id });
      expect(await incident(t, admin, created.id)).toMatchObject({ externalRef: record['sys_id'] });
      expect(await countRows(t, `SELECT 1 FROM incidents WHERE title = 'Created here, answer lost'`)).toBe(1);
      await outboundSettled(t, created.id); // its retry finds the link: no second POST
      expect(sim.all().filter((r) => r['correlation_id'] === created.id)).toHaveLength(1);
    });

    it('a duplicate webhook (the instance sends it twice) is answered 202 and not processed again', async () => {
      const from = sim.webhook.attempts.length;
      sim.webhook.duplicateNext(2);
      const { result: record } = await h.there(() =>
        sim.createAsUser({ short_description: 'VPN flaps', impact: '3', urgency: '3' }),
      );
      const { result: changed } = await h.there(() =>
        sim.updateAsUser(String(record.sys_id), { state: '2' }),
      );
      const sent = sim.webhook.attempts.slice(from);
      expect(sent.map((a) => [a.eventId, a.status])).toEqual([
        [`${record.sys_id}:0`, 202],
        [`${record.sys_id}:0`, 202],
        [`${record.sys_id}:1`, 202],
        [`${record.sys_id}:1`, 202],
      ]);
      const [first, again] = sent.map((a) => JSON.parse(a.responseBody!) as Record<string, unknown>);
      expect(again).toEqual({ status: 'accepted', event_id: first!['event_id'], duplicate: true });
      expect(await countRows(t, `SELECT 1 FROM incidents WHERE external_ref = $1`, [record['sys_id']])).toBe(
        1,
      );
      const receipts = await t.dataSource.query<{ status: string }[]>(
        `SELECT status FROM inbound_events WHERE channel = 'servicenow' AND dedup_key = $1 ORDER BY status`,
        [record['sys_id']],
      );
      expect(receipts.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'processed', 'processed']);
      const [ours] = await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM incidents WHERE external_ref = $1`,
        [record['sys_id']],
      );
      expect((await incident(t, admin, ours!.id)).state).toBe('in_progress');
      expect(changed['sys_mod_count']).toBe('1');
    });

    it('applies an update made there, and ignores an older one that arrives late (sys_mod_count)', async () => {
      const { sysId, view } = await linkedThere();
      // the instance's outbound queue holds the first back: the second overtakes it
      sim.webhook.holdNext(1);
      const { events } = await h.there(() => {
        sim.updateAsUser(sysId, { short_description: 'Mail is slow' });
        return sim.updateAsUser(sysId, { short_description: 'Mail is down for everyone', state: '2' });
      });
      expect(events.map((e) => e.outcome)).toEqual(['updated']);
      const { events: late } = await h.there(() => sim.webhook.releaseHeld());
      expect(late.map((e) => e.outcome)).toEqual(['unchanged']);
      expect(await incident(t, admin, view.id)).toMatchObject({
        title: 'Mail is down for everyone',
        state: 'in_progress',
      });
    });

    it('resolving and closing there moves ours through its lifecycle, close code mapped back', async () => {
      const { sysId, view } = await linkedThere({ state: '2' });
      await changeThere(sysId, {
        state: '6',
        close_code: 'Solved (Work Around)',
        close_notes: 'Restarted the mail relay',
      });
      expect(await incident(t, admin, view.id)).toMatchObject({
        state: 'resolved',
        closeCode: 'Workaround provided',
        closeNotes: 'Restarted the mail relay',
      });
      await changeThere(sysId, { state: '7' });
      expect((await incident(t, admin, view.id)).state).toBe('closed');
      // reopening there cannot undo our final state: noted, not applied, not an error
      const { processed } = await changeThere(sysId, { state: '2' });
      expect(processed.status).toBe('processed');
      expect((await incident(t, admin, view.id)).state).toBe('closed');
      await outboundSettled(t, view.id);
      expect(writesTo(sim, 'PATCH', sysId)).toEqual([]);
    });

    it('an older sys_updated_on never overwrites newer data, whatever its sys_mod_count claims', async () => {
      const { sysId, view } = await linkedThere();
      const { record: current } = await changeThere(sysId, { short_description: 'Printer on fire' });
      // a forged late event: a higher sys_mod_count, an older sys_updated_on
      const stale = {
        ...sim.present(sysId),
        short_description: 'Printer fine',
        sys_mod_count: String(Number(current['sys_mod_count']) + 5),
        sys_updated_on: '2020-01-01 00:00:00',
      };
      const late = await deliverWebhook({ ...recordEvent('incident.updated', stale), event_id: 'stale-1' });
      expect(late.outcome).toBe('unchanged');
      expect((await incident(t, admin, view.id)).title).toBe('Printer on fire');
    });

    it('refuses a bad or stale signature with 401 and stores nothing (the instance retries, in vain)', async () => {
      const before = await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`);
      const from = sim.webhook.attempts.length;
      sim.webhook.configure({ maxAttempts: 2 });
      try {
        sim.webhook.corruptNextSignatures(1);
        sim.createAsUser({ short_description: 'Signed with the wrong secret' });
        sim.webhook.staleNextTimestamps(1, 3600);
        sim.createAsUser({ short_description: 'Signed an hour ago' });
        await sim.webhook.idle();
      } finally {
        sim.webhook.configure({ maxAttempts: 5 });
      }
      const refused = sim.webhook.attempts.slice(from);
      expect(refused.map((a) => a.status)).toEqual([401, 401, 401, 401]);
      expect(refused.map((a) => (JSON.parse(a.responseBody!) as { code: string }).code)).toEqual([
        'SERVICENOW_SIGNATURE_INVALID',
        'SERVICENOW_SIGNATURE_INVALID',
        'SERVICENOW_SIGNATURE_STALE',
        'SERVICENOW_SIGNATURE_STALE',
      ]);
      expect(
        await countRows(
          t,
          `SELECT 1 FROM incidents WHERE title IN ('Signed with the wrong secret', 'Signed an hour ago')`,
        ),
      ).toBe(0);

      const body = recordEvent('incident.created', sim.seedIncident({ short_description: 'Unsigned' }));
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

    it('answers 401 SERVICENOW_NO_WEBHOOK_SECRET once the admin removes the webhook secret, storing nothing', async () => {
      await h.configure({ webhookSecret: null });
      try {
        const before = await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`);
        const res = await postWebhook(t, recordEvent('incident.created', sim.seedIncident({}))).expect(401);
        expect(res.body).toMatchObject({ code: 'SERVICENOW_NO_WEBHOOK_SECRET' });
        expect(await countRows(t, `SELECT 1 FROM inbound_events WHERE channel = 'servicenow'`)).toBe(before);
      } finally {
        await h.configure({ webhookSecret: WEBHOOK_SECRET });
      }
    });
  });

  describe('echo suppression and journals', () => {
    it('never PATCHes back a change that came from ServiceNow', async () => {
      const { sysId, view } = await linkedThere();
      await changeThere(sysId, { short_description: 'Mail is down in Paris', state: '3', hold_reason: '4' });
      const rows = await outboundSettled(t, view.id);
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'delivered'));
      expect(rows.map((r) => r.type)).toEqual(
        expect.arrayContaining(['incident.updated', 'incident.state_changed']),
      );
      expect(writesTo(sim, 'PATCH', sysId)).toEqual([]);
      expect(writesTo(sim, 'POST').filter((c) => c.body['correlation_id'] === view.id)).toEqual([]);
    });

    it('a work note here goes to work_notes, a comment to comments, authored, and their echo adds nothing', async () => {
      const { view, sysId } = await linkedHere();
      // this business rule sends the integration's own writes too: their echo comes back
      sim.webhook.configure({ emitFor: 'all' });
      const from = sim.webhook.attempts.length;
      try {
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
        const journal = sim.journal(sysId);
        expect(journal.map((j) => [j['element'], j['value'], j['sys_created_by']])).toEqual([
          [
            'work_notes',
            `[${admin.user.email} via Nexecute] Suspect the 09:05 deploy`,
            'nexecute.integration',
          ],
          ['comments', `[${admin.user.email} via Nexecute] We are rolling back`, 'nexecute.integration'],
        ]);
        const echoes = await h.webhooksSettled(from);
        expect(echoes.filter((e) => e.action === 'journal.added')).toHaveLength(2);
      } finally {
        sim.webhook.configure({ emitFor: 'others' });
      }
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
      const { sysId, view } = await linkedThere();
      const { result: note } = await h.there(() =>
        sim.addJournal(sysId, 'work_notes', 'Vendor ticket 4411 opened', 'beth.anglin'),
      );
      await h.there(() => sim.addJournal(sysId, 'comments', 'Working on it', 'beth.anglin'));
      await deliverWebhook({ ...journalEvent(note), event_id: 'again-note' }); // the same row again
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
      expect(writesTo(sim, 'PATCH', sysId)).toEqual([]);
      // and ServiceNow's own journal holds each entry once, as it was typed
      expect(sim.journal(sysId).map((j) => [j['element'], j['value']])).toEqual([
        ['work_notes', 'Vendor ticket 4411 opened'],
        ['comments', 'Working on it'],
      ]);
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
      const { view, sysId } = await linkedHere({ category: 'network' });
      await t.http
        .patch(`/api/incidents/${view.id}`)
        .set('Authorization', admin.bearer)
        .send({ category: 'database' })
        .expect(200);
      await outboundSettled(t, view.id);
      expect(writesTo(sim, 'PATCH', sysId)).toEqual([]);
      expect(sim.record(sysId)!['category']).toBe('network');
      await changeThere(sysId, { category: 'hardware' });
      expect((await incident(t, admin, view.id)).category).toBe('hardware');
    });

    it('nexecute owns impact and urgency: their change is not taken, ours is written', async () => {
      const { view, sysId } = await linkedHere({ impact: 2, urgency: 2 });
      const { processed } = await changeThere(sysId, { impact: '1', urgency: '1' });
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
      expect(writesTo(sim, 'PATCH', sysId).map((c) => c.body)).toEqual([{ impact: '3', urgency: '2' }]);
      expect(sim.record(sysId)).toMatchObject({ impact: '3', urgency: '2', priority: '4' });
    });

    it('last writer for the title: an edit there older than ours (its webhook late) is not taken, a newer one is', async () => {
      const { view, sysId } = await linkedHere();
      // Beth edits there; the business rule's webhook is held up in the instance's queue.
      sim.webhook.holdNext(1);
      sim.updateAsUser(sysId, { short_description: 'Theirs, older' });
      h.clock.advance(1000); // ours comes a second later
      await t.http
        .patch(`/api/incidents/${view.id}`)
        .set('Authorization', admin.bearer)
        .send({ title: 'Ours, newer' })
        .expect(200);
      await outboundSettled(t, view.id);
      expect(sim.record(sysId)!['short_description']).toBe('Ours, newer');
      // the late webhook carries the older edit (a lower sys_mod_count, an earlier sys_updated_on)
      const { events: skipped } = await h.there(() => sim.webhook.releaseHeld());
      expect(skipped.map((e) => e.outcome)).toEqual(['unchanged']);
      expect((await incident(t, admin, view.id)).title).toBe('Ours, newer');
      h.clock.advance(1000); // a later second on the instance
      await changeThere(sysId, { short_description: 'Theirs, newer' });
      expect((await incident(t, admin, view.id)).title).toBe('Theirs, newer');
      expect(writesTo(sim, 'PATCH', sysId).map((c) => c.body)).toEqual([
        { short_description: 'Ours, newer' },
      ]);
    });
  });

  describe('a permanent refusal (403 data policy)', () => {
    it('makes the delivery dead at once with the instance message, shown as failed', async () => {
      const { view, sysId } = await linkedHere();
      sim.denyWrites({
        message: 'Operation Failed',
        detail: 'Data Policy Exception: the following fields are mandatory: Resolution information',
      });
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
        expect(writesTo(sim, 'PATCH', sysId).map((w) => w.status)).toEqual([403]);
        expect(sim.record(sysId)!['state']).toBe('1');
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
        sim.allowWrites();
      }
    });
  });

  describe('reconciliation', () => {
    it('picks up changes whose webhooks were lost, paging through one second with more records than a page', async () => {
      const reconciler = t.app.get(ServiceNowReconciler);
      const first = await reconciler.run(); // the first run imports what is open and sets the watermark
      expect(first.ran).toBe(true);
      const linked: { sysId: string; view: IncidentView }[] = [];
      for (let i = 0; i < 5; i++) linked.push(await linkedThere({ short_description: `Same second ${i}` }));
      await reconciler.run();
      // the business rule's webhooks are lost from here on (they are held on the instance)
      sim.webhook.pause();
      h.clock.freeze('2031-01-01 10:00:00');
      try {
        for (const [i, l] of linked.entries())
          sim.updateAsUser(l.sysId, { short_description: `Changed in one second ${i}` });
        h.clock.freeze('2031-01-01 10:00:01');
        const lateOne = sim.updateAsUser(linked[0]!.sysId, { description: 'and a second later' });
        const lost = sim.createAsUser({ short_description: 'Created while webhooks were down', state: '2' });
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
        h.clock.freeze(null);
        reconciler.pageSize = 100;
        sim.webhook.resume();
      }
      // the held webhooks arrive at last: older than what reconciliation applied, they change nothing
      const late = await h.webhooksSettled();
      expect(late.every((e) => e.status === 'processed' || e.status === 'duplicate')).toBe(true);
      for (const [i, l] of linked.entries())
        expect((await incident(t, admin, l.view.id)).title).toBe(`Changed in one second ${i}`);
    });

    it('retries an outbound sync that failed, without creating a second record', async () => {
      const reconciler = t.app.get(ServiceNowReconciler);
      sim.fault('/api/now/table/incident', {
        method: 'POST',
        status: 500,
        times: Infinity,
        body: {
          error: { message: 'Transaction cancelled: maximum execution time exceeded', detail: null },
          status: 'failure',
        },
      });
      const created = await createHere({ title: 'Created while ServiceNow was failing' });
      try {
        await eventually(async () => ((await statusOf(created.id)).status === 'failed' ? true : undefined));
      } finally {
        sim.clearFaults();
      }
      // the failures opened the client's circuit: past its half-open delay the next call probes
      reconciler.retryQuietMs = 0;
      try {
        // the failures opened the client's circuit: a run fails fast until it lets a call probe
        await eventually(async () => {
          const result = await reconciler.run().catch(() => undefined);
          return result && result.retried >= 1 ? true : undefined;
        });
      } finally {
        reconciler.retryQuietMs = 5000;
      }
      const status = await t.http
        .get(`/api/incidents/${created.id}/servicenow`)
        .set('Authorization', admin.bearer);
      expect(status.body).toMatchObject({ linked: true, status: 'synced', lastError: null });
      await outboundSettled(t, created.id);
      expect(sim.all().filter((r) => r['correlation_id'] === created.id)).toHaveLength(1);
    });
  });
});
