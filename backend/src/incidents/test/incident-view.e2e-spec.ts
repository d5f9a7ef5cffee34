import { givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

interface StoredIncident {
  id: string;
  number: string;
  title: string;
  description: string;
  state: string;
  impact: number;
  urgency: number;
  priority: number;
  category: string | null;
  assignment_group: string | null;
  source: string;
  close_code: string | null;
  close_notes: string | null;
  servicenow_sys_id: string | null;
  slack_channel: string | null;
  slack_ts: string | null;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * The incident view is rendered from the database's text (incident-view.sql.ts), not from
 * parsed rows; these tests hold it to the stored row as TypeORM's driver parses it.
 */
describe('the incident view, in a list page and alone', () => {
  let t: TestApp;
  let responder: SignedIn;
  let other: SignedIn;

  beforeAll(async () => {
    // No worker: deliveries stay pending, so "behind" is checkable.
    t = await startTestApp({ env: { DELIVERY_WORKER_ENABLED: 'false' } });
    responder = await givenUser(t, 'responder');
    other = await givenUser(t, 'responder');
  });
  afterAll(() => t.close());

  const stored = async (id: string): Promise<StoredIncident> => {
    const [row] = await t.dataSource.query<StoredIncident[]>('SELECT * FROM incidents WHERE id = $1', [id]);
    return row!;
  };
  const listed = async (id: string, query = 'limit=200'): Promise<Record<string, unknown>> => {
    const res = await t.http
      .get(`/api/incidents?${query}`)
      .set('authorization', responder.bearer)
      .expect(200);
    const item = (res.body as { items: { id: string }[] }).items.find((i) => i.id === id);
    if (!item) throw new Error(`incident ${id} is not on the page`);
    return item;
  };
  const alone = async (id: string): Promise<Record<string, unknown>> =>
    (await t.http.get(`/api/incidents/${id}`).set('authorization', responder.bearer).expect(200))
      .body as Record<string, unknown>;
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  const person = (s: SignedIn) => ({ id: s.user.id, name: s.user.name, email: s.user.email });

  it('escapes text, keeps people, and writes timestamps as JS does (milliseconds, truncated, Z)', async () => {
    const title = 'Quote " backslash \\ tab\t ünïcødé ✓ </script>';
    const description = 'line one\nline two\r\n\u0001 control, emoji 🚒, "quoted"';
    const created = await t.http
      .post('/api/incidents')
      .set('authorization', responder.bearer)
      .send({
        title,
        description,
        impact: 1,
        urgency: 2,
        category: 'network',
        assignmentGroup: 'Payments "EU"',
        assigneeId: other.user.id,
      })
      .expect(201);
    const id = (created.body as { id: string }).id;
    // Microseconds the view must cut (not round) to milliseconds, and an SLA already missed.
    await t.dataSource.query(
      `UPDATE incidents SET opened_at = '2026-11-07 08:09:10.123999+00', sla_due_at = '2026-11-07 09:09:10.5+00',
              servicenow_sys_id = '9d385017c611228701d22104cc95c371', slack_channel = 'C0123', slack_ts = '1764061920.000200',
              external_system = 'servicenow', external_ref = 'a9e30c7dc61122760116894de7bcc7bd', external_number = 'INC0090046'
        WHERE id = $1`,
      [id],
    );
    const row = await stored(id);
    const expected = {
      id,
      number: row.number,
      title,
      description,
      state: 'new',
      impact: 1,
      urgency: 2,
      priority: 2,
      category: 'network',
      assignee: person(other),
      assignmentGroup: 'Payments "EU"',
      reporter: person(responder),
      source: 'console',
      closeCode: null,
      closeNotes: null,
      external: {
        servicenowSysId: '9d385017c611228701d22104cc95c371',
        slackChannel: 'C0123',
        slackTs: '1764061920.000200',
      },
      externalSystem: 'servicenow',
      externalRef: 'a9e30c7dc61122760116894de7bcc7bd',
      externalNumber: 'INC0090046',
      openedAt: '2026-11-07T08:09:10.123Z',
      acknowledgedAt: null,
      resolvedAt: null,
      closedAt: null,
      slaDueAt: '2026-11-07T09:09:10.500Z',
      slaBreached: true,
      alertCount: 0,
      lastAlertAt: null,
      version: row.version,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      deliveriesBehind: expect.any(Number) as unknown,
    };
    expect(await listed(id)).toEqual(expected);
    expect(await alone(id)).toEqual(expected);
    // Found the same way by a search and by a filter (both render through the same SQL).
    expect(await listed(id, `q=${encodeURIComponent('backslash')}`)).toEqual(expected);
    expect(await listed(id, `assigneeId=${other.user.id}`)).toEqual(expected);
    // The linked twin's number finds it too, whole or in part.
    expect(await listed(id, 'q=INC0090046')).toEqual(expected);
    expect(await listed(id, 'q=90046')).toEqual(expected);
  });

  it('shows resolution fields, an SLA met, and no people once they are gone', async () => {
    const leaving = await givenUser(t, 'responder');
    const created = await t.http
      .post('/api/incidents')
      .set('authorization', responder.bearer)
      .send({ title: 'Printer jam', impact: 3, urgency: 3, assigneeId: leaving.user.id })
      .expect(201);
    const id = (created.body as { id: string }).id;
    await t.http
      .post(`/api/incidents/${id}/resolve`)
      .set('authorization', responder.bearer)
      .send({ closeCode: 'Solution provided', closeNotes: 'Cleared the jam' })
      .expect(200);
    await t.dataSource.query('DELETE FROM users WHERE id = $1', [leaving.user.id]);
    const row = await stored(id);
    const view = await listed(id);
    expect(view).toMatchObject({
      state: 'resolved',
      priority: 5,
      assignee: null,
      closeCode: 'Solution provided',
      closeNotes: 'Cleared the jam',
      acknowledgedAt: iso(row.acknowledged_at),
      resolvedAt: iso(row.resolved_at),
      slaBreached: false,
      external: { servicenowSysId: null, slackChannel: null, slackTs: null },
    });
    expect(view['resolvedAt']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await alone(id)).toEqual(view);
  });

  it('counts the side effects not yet delivered, and none once they are', async () => {
    const created = await t.http
      .post('/api/incidents')
      .set('authorization', responder.bearer)
      .send({ title: 'Email delivery delayed', impact: 2, urgency: 2 })
      .expect(201);
    const id = (created.body as { id: string }).id;
    await t.http
      .post(`/api/incidents/${id}/acknowledge`)
      .set('authorization', responder.bearer)
      .send({})
      .expect(200);
    const pending = async (): Promise<number> => {
      const [row] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
          WHERE e.aggregate_id = $1 AND d.status <> 'delivered'`,
        [id],
      );
      return row!.n;
    };
    const behind = await pending();
    expect(behind).toBeGreaterThanOrEqual(2); // created and acknowledged, for at least one consumer
    expect((await listed(id))['deliveriesBehind']).toBe(behind);
    expect((await alone(id))['deliveriesBehind']).toBe(behind);

    await t.dataSource.query(
      `UPDATE deliveries SET status = 'delivered', delivered_at = now()
        WHERE event_id IN (SELECT id FROM outbox_events WHERE aggregate_id = $1)`,
      [id],
    );
    expect((await listed(id))['deliveriesBehind']).toBe(0);
  });
});
