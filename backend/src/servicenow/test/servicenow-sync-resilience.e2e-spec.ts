import type { Row } from '../../../test/simulators/servicenow-encoded-query';
import type { ServiceNowSimulator } from '../../../test/simulators/servicenow.simulator';
import type { SignedIn } from '../../../test/sign-in';
import type { TestApp } from '../../../test/test-app';
import { eventually, waitFor } from '../../../test/support/wait-for';
import type { IncidentView } from '../../incidents/dto/incident.view';
import { DEFAULT_STATE_MAPPING } from '../servicenow-sync-settings';
import { OUR_JOURNAL_PREFIX } from '../servicenow-field-map';
import { ServiceNowReconciler } from '../servicenow-reconciler';
import { incident, outboundSettled, tableRequests, timeline, tokenGrants } from './sync-fixtures';
import { startSyncHarness, type SyncHarness } from './sync-harness';

/** How our close codes read on an instance with the base sys_choice list (the simulator's). */
const CLOSE_CODE_THERE: Record<string, string> = {
  'Solution provided': 'Solved (Permanently)',
  'Workaround provided': 'Solved (Work Around)',
};

describe('ServiceNow sync under failure (instance simulator, real HTTP and database, worker running)', () => {
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

  const patchHere = (id: string, body: Record<string, unknown>) =>
    t.http.patch(`/api/incidents/${id}`).set('Authorization', admin.bearer).send(body).expect(200);
  const noteHere = (id: string, kind: 'comment' | 'work_note', body: string) =>
    t.http
      .post(`/api/incidents/${id}/comments`)
      .set('Authorization', admin.bearer)
      .send({ kind, body })
      .expect(201);
  const resolveHere = (id: string, closeCode: string, closeNotes: string) =>
    t.http
      .post(`/api/incidents/${id}/resolve`)
      .set('Authorization', admin.bearer)
      .send({ closeCode, closeNotes })
      .expect(200);

  /**
   * Waits until our clock is past the second of the record's last change there: a last-writer
   * field changed in the same second goes to ServiceNow (the conflict policy's tie-break).
   */
  async function afterItsSecond(sysId: string): Promise<void> {
    const at = Date.parse(`${sim.record(sysId)!['sys_updated_on']!.replace(' ', 'T')}Z`);
    await waitFor(() => Date.now() >= at + 1000, 3000, 'a later second than the last change there');
  }

  /** Every servicenow delivery of these incidents done; none dead. */
  async function allDelivered(ids: readonly string[], timeoutMs = 45_000): Promise<void> {
    await waitFor(
      async () => {
        const [row] = await t.dataSource.query<{ open: number; dead: number }[]>(
          `SELECT count(*) FILTER (WHERE d.status NOT IN ('delivered', 'dead'))::int AS open,
                  count(*) FILTER (WHERE d.status = 'dead')::int AS dead
             FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
            WHERE d.consumer = 'servicenow' AND e.aggregate_id = ANY($1)`,
          [ids],
        );
        if (row!.dead > 0) throw new Error(`${row!.dead} servicenow deliveries are dead`);
        return row!.open === 0;
      },
      timeoutMs,
      'every servicenow delivery delivered',
    );
  }

  /** Our journal entries by type, the text as typed (ours or theirs). */
  async function journalHere(id: string): Promise<{ comments: string[]; work_notes: string[] }> {
    const entries = await timeline(t, admin, id);
    const of = (kind: string) =>
      entries
        .filter((e) => e.kind === kind)
        .map((e) => e.body ?? '')
        .sort();
    return { comments: of('comment'), work_notes: of('work_note') };
  }

  /** The instance's journal entries by type, the text as typed (our author prefix removed). */
  function journalThere(sysId: string): { comments: string[]; work_notes: string[] } {
    const of = (element: string) =>
      sim
        .journal(sysId)
        .filter((j) => j['element'] === element)
        .map((j) => (j['value'] ?? '').replace(OUR_JOURNAL_PREFIX, ''))
        .sort();
    return { comments: of('comments'), work_notes: of('work_notes') };
  }

  /** Both sides hold the same incident: every synced field, and the journal entry by entry, by type. */
  async function expectSame(view: IncidentView): Promise<void> {
    const ours = await incident(t, admin, view.id);
    const theirs: Row = sim.record(ours.externalRef!)!;
    expect({
      short_description: theirs['short_description'],
      description: theirs['description'],
      impact: theirs['impact'],
      urgency: theirs['urgency'],
      category: theirs['category'],
      assignment_group: theirs['assignment_group'],
      state: theirs['state'],
      close_code: theirs['close_code'],
      close_notes: theirs['close_notes'],
      number: theirs['number'],
    }).toEqual({
      short_description: ours.title,
      description: ours.description,
      impact: String(ours.impact),
      urgency: String(ours.urgency),
      category: ours.category ?? '',
      assignment_group: ours.assignmentGroup ? h.groups[ours.assignmentGroup] : '',
      state: DEFAULT_STATE_MAPPING[ours.state],
      close_code: ours.closeCode ? CLOSE_CODE_THERE[ours.closeCode] : '',
      close_notes: ours.closeNotes ?? '',
      number: ours.externalNumber,
    });
    expect(journalThere(ours.externalRef!)).toEqual(await journalHere(ours.id));
  }

  it('round trips both ways: created here, changed there, changed here; created there, changed here, changed there', async () => {
    const here = await h.linkedHere({
      title: 'Payments API latency',
      description: 'p99 above 2 s',
      assignmentGroup: 'Network Operations',
    });
    await h.there(() =>
      sim.updateAsUser(here.sysId, { state: '2', description: 'p99 above 2 s since 09:05' }),
    );
    await h.there(() => sim.addJournal(here.sysId, 'work_notes', 'Looking at the load balancer'));
    await afterItsSecond(here.sysId);
    await patchHere(here.view.id, { title: 'Payments API latency (EU)', urgency: 1 });
    await noteHere(here.view.id, 'comment', 'We are on it');
    await allDelivered([here.view.id]);
    await expectSame(here.view);
    expect(sim.record(here.sysId)).toMatchObject({ state: '2', priority: '1' });

    const there = await h.linkedThere({
      short_description: 'Printer on fire',
      assignment_group: h.groups['Service Desk'],
      category: 'hardware',
    });
    await afterItsSecond(there.sysId);
    await patchHere(there.view.id, { title: 'Printer on fire, floor 3', impact: 1 });
    await noteHere(there.view.id, 'work_note', 'Facilities called');
    await allDelivered([there.view.id]);
    await h.there(() =>
      sim.updateAsUser(there.sysId, {
        state: '6',
        close_code: 'Solved (Work Around)',
        close_notes: 'Extinguished, printer replaced',
      }),
    );
    await h.there(() => sim.addJournal(there.sysId, 'comments', 'All good now'));
    expect(await incident(t, admin, there.view.id)).toMatchObject({
      title: 'Printer on fire, floor 3',
      state: 'resolved',
      closeCode: 'Workaround provided',
      assignmentGroup: 'Service Desk',
    });
    await expectSame(there.view);
  });

  it('token expiry mid-run: the sync carries on by refreshing, then by re-running its grant when refresh is refused', async () => {
    await h.linkedHere({ title: 'Warm-up: a token is cached' });
    const from = sim.requests.length;
    const grantsBefore = tokenGrants(sim).length;
    let writes = 0;
    const stop = sim.onChange((change) => {
      if (change.userName !== 'nexecute.integration' || change.kind !== 'created') return;
      writes += 1;
      if (writes === 2) sim.expireAccessTokens(); // the access token lapses: a refresh renews it
      if (writes === 4) sim.revokeAll(); // an admin revokes everything: the password grant runs again
    });
    try {
      const created: IncidentView[] = [];
      for (let i = 0; i < 6; i++)
        created.push(await h.createHere({ title: `Created during token trouble ${i}` }));
      await allDelivered(created.map((c) => c.id));
      for (const c of created) {
        const there = sim.all().filter((r) => r['correlation_id'] === c.id);
        expect(there.map((r) => r['short_description'])).toEqual([c.title]);
        expect((await incident(t, admin, c.id)).externalRef).toBe(there[0]!['sys_id']);
      }
    } finally {
      stop();
    }
    const grants = tokenGrants(sim).slice(grantsBefore);
    expect(grants).toContain('refresh_token');
    expect(grants.at(-1)).toBe('password');
    // one renewal per lapse, not one per call: the refresh is shared
    expect(grants.length).toBeLessThanOrEqual(4);
    const refused = tableRequests(sim, from).filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(8);
    // every POST that reached the instance authenticated made exactly one record
    const posts = tableRequests(sim, from).filter((r) => r.method === 'POST' && r.status === 201);
    expect(posts).toHaveLength(6);
  });

  it('a 429 storm: Retry-After is honoured, nothing is lost or duplicated, and the calls stay bounded', async () => {
    const from = sim.requests.length;
    sim.fault('/api/now/table/incident', {
      status: 429,
      times: 8,
      retryAfterSeconds: 1,
      rateLimitHeaders: true,
    });
    const created: IncidentView[] = [];
    for (let i = 0; i < 5; i++) created.push(await h.createHere({ title: `Created in the storm ${i}` }));
    await allDelivered(created.map((c) => c.id));
    const calls = tableRequests(sim, from).filter((r) => r.path.startsWith('/api/now/table/incident'));
    const limited = calls.filter((r) => r.status === 429);
    expect(limited).toHaveLength(8); // the storm, exactly
    const posted = calls.filter((r) => r.method === 'POST' && r.status === 201);
    expect(posted).toHaveLength(5);
    // no retry storm: each 429 cost at most one more call (and a retried delivery one look-up)
    expect(calls.length).toBeLessThanOrEqual(5 + 8 + 5);
    for (const c of created) {
      expect(sim.all().filter((r) => r['correlation_id'] === c.id)).toHaveLength(1);
      // this incident's POSTs: each retry waited out the Retry-After second
      const attempts = calls.filter((r) => r.method === 'POST' && r.rawBody.includes(c.id));
      for (let i = 1; i < attempts.length; i++) {
        if (attempts[i - 1]!.status === 429)
          expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(950);
      }
    }
  });

  it('ServiceNow down for a while, then back: nothing is lost and both sides converge, field by field', async () => {
    const reconciler = t.app.get(ServiceNowReconciler);
    const a = await h.linkedHere({ title: 'DNS resolution slow', assignmentGroup: 'Network Operations' });
    const b = await h.linkedHere({ title: 'VPN drops every hour', description: 'Since the upgrade' });
    const c = await h.linkedThere({
      short_description: 'Mail queue growing',
      assignment_group: h.groups['Service Desk'],
    });
    await h.there(() => sim.addJournal(c.sysId, 'comments', 'Users report delays'));

    await sim.down();
    await patchHere(a.view.id, {
      title: 'DNS resolution slow in EU',
      description: 'Resolver at 90 % CPU',
      urgency: 1,
    });
    await noteHere(a.view.id, 'work_note', 'Restarting resolver 2');
    await noteHere(a.view.id, 'comment', 'We are restarting a resolver');
    await resolveHere(b.view.id, 'Workaround provided', 'Reconnected users by hand');
    await afterItsSecond(c.sysId);
    await patchHere(c.view.id, { assignmentGroup: 'Network Operations' });
    await noteHere(c.view.id, 'work_note', 'Looks like the relay again');
    const fresh = [
      await h.createHere({ title: 'Created while ServiceNow was down', assignmentGroup: 'Service Desk' }),
      await h.createHere({ title: 'Also created while down', description: 'second one' }),
    ];
    const ids = [a.view.id, b.view.id, c.view.id, ...fresh.map((f) => f.id)];
    // the worker tried and failed: the instance is unreachable
    await waitFor(
      async () => {
        const [row] = await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
            WHERE d.consumer = 'servicenow' AND e.aggregate_id = ANY($1) AND d.attempts > 0 AND d.status = 'failed'`,
          [ids],
        );
        return row!.n >= 3;
      },
      20_000,
      'deliveries failing while the instance is down',
    );
    expect(sim.record(a.sysId)!['short_description']).toBe('DNS resolution slow');

    await sim.up();
    // ServiceNow users carry on too, once it is back
    await h.there(() => sim.addJournal(c.sysId, 'work_notes', 'Relay restarted'));
    await h.there(() => sim.updateAsUser(c.sysId, { state: '2', description: 'Relay restarted at 10:12' }));
    // the scheduled reconciliation and the delivery retries take it from here
    reconciler.retryQuietMs = 0;
    try {
      await eventually(
        async () => {
          await reconciler.run().catch(() => undefined);
          const [row] = await t.dataSource.query<{ open: number }[]>(
            `SELECT count(*)::int AS open FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
              WHERE d.consumer = 'servicenow' AND e.aggregate_id = ANY($1) AND d.status NOT IN ('delivered', 'dead')`,
            [ids],
          );
          return row!.open === 0 ? true : undefined;
        },
        60_000,
        'the backlog delivered after the outage',
      );
    } finally {
      reconciler.retryQuietMs = 5000;
    }
    await allDelivered(ids);
    for (const f of fresh) {
      expect(sim.all().filter((r) => r['correlation_id'] === f.id)).toHaveLength(1);
      await outboundSettled(t, f.id);
    }
    const views = [a.view, b.view, c.view, ...fresh];
    for (const v of views) await expectSame(v);
    expect(await incident(t, admin, b.view.id)).toMatchObject({
      state: 'resolved',
      closeCode: 'Workaround provided',
    });
    expect(sim.record(b.sysId)).toMatchObject({ state: '6', close_code: 'Solved (Work Around)' });
    // each entry once (retried deliveries keep no order between entries: the times there may differ)
    expect(
      sim
        .journal(a.sysId)
        .map((j) => j['element'])
        .sort(),
    ).toEqual(['comments', 'work_notes']);
  }, 150_000);
});
