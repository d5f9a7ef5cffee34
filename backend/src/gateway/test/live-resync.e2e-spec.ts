import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { IncidentView } from '../../incidents/dto/incident.view';
import { LIVE_LISTENER_APPLICATION_NAME } from '../live-notification-listener';
import { LiveTestClient, newIncident, updateIncident } from './live-test-client';

/**
 * A client cut off while incidents change must end up with the database's state: through
 * connection-state recovery when it comes back within the window, and otherwise through the
 * REST resync docs/live.md describes (GET /api/incidents?updatedSince=<newest updatedAt seen>).
 */
describe('/live: nothing missed across a reconnect', () => {
  let t: TestApp;
  let admin: SignedIn;
  const open: LiveTestClient[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  async function live(): Promise<LiveTestClient> {
    const client = await LiveTestClient.open(t, admin.accessToken);
    open.push(client);
    return client;
  }

  async function databaseVersions(ids: readonly string[]): Promise<(number | undefined)[]> {
    const rows = await t.dataSource.query<{ id: string; version: number }[]>(
      'SELECT id, version FROM incidents WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return versionsOf(new Map(rows.map((r) => [r.id, r])), ids);
  }

  /** Each id's version as `known` has it, in the order of `ids`. */
  const versionsOf = (
    known: Map<string, { version: number }>,
    ids: readonly string[],
  ): (number | undefined)[] => ids.map((id) => known.get(id)?.version);

  async function changesWhileAway(ids: readonly string[]): Promise<string> {
    const created = await newIncident(t, admin);
    for (const [i, id] of ids.entries()) await updateIncident(t, admin, id, `While away ${i}`);
    await updateIncident(t, admin, ids[0]!, 'While away, again');
    return created;
  }

  it('recovers the connection state: same socket id, rooms kept, every missed event replayed', async () => {
    const client = await live();
    const ids = [await newIncident(t, admin), await newIncident(t, admin)];
    await Promise.all(ids.map((id) => client.eventFor(id, 'incident.created')));
    const socketId = client.socket.id;

    await client.cut();
    const created = await changesWhileAway(ids);
    await client.reconnect();

    expect(client.socket.recovered).toBe(true);
    expect(client.socket.id).toBe(socketId);
    expect(client.resyncs).toEqual([]); // the in-memory adapter replays every frame
    const all = [...ids, created];
    const expected = await databaseVersions(all);
    expect(expected).toEqual([3, 2, 1]);
    await client.until(
      () =>
        JSON.stringify(versionsOf(client.incidents(), all)) === JSON.stringify(expected) ? true : undefined,
      'the database state',
    );
    // the feed subscription survived: a change made now arrives without subscribing again
    const later = await updateIncident(t, admin, created, 'After recovery');
    await client.until(
      () => (client.incidents().get(created)?.version === later ? true : undefined),
      'later',
    );
  });

  it('resyncs over REST (updatedSince) when the connection state cannot be recovered', async () => {
    const first = await live();
    const ids = [await newIncident(t, admin), await newIncident(t, admin)];
    await Promise.all(ids.map((id) => first.eventFor(id, 'incident.created')));
    const known = first.incidents();
    const newest = [...known.values()]
      .map((k) => k.updatedAt)
      .sort()
      .at(-1)!;
    first.close();

    const created = await changesWhileAway(ids);
    // a new connection (as after the recovery window, or a restarted server): nothing recovered
    const second = await live();
    expect(second.socket.recovered).toBe(false);
    const res = await t.http
      .get(`/api/incidents?updatedSince=${encodeURIComponent(newest)}&sort=-updatedAt&limit=200`)
      .set('authorization', admin.bearer)
      .expect(200);
    for (const incident of (res.body as { items: IncidentView[] }).items) {
      const seen = known.get(incident.id);
      if (!seen || incident.version > seen.version) {
        known.set(incident.id, { version: incident.version, updatedAt: incident.updatedAt });
      }
    }
    const all = [...ids, created];
    expect(versionsOf(known, all)).toEqual(await databaseVersions(all));
    expect(versionsOf(known, all)).toEqual([3, 2, 1]);
  });

  it('tells clients to resync when the database listener had to reconnect, then feeds them again', async () => {
    const client = await live();
    await t.dataSource.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [LIVE_LISTENER_APPLICATION_NAME],
    );
    await client.until(() => client.resyncs[0], 'live.resync');
    expect(client.resyncs[0]).toEqual({ reason: 'listener_reconnected' });
    const id = await newIncident(t, admin);
    await client.eventFor(id, 'incident.created');
  });
});
