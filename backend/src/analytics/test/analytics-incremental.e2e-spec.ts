import pg from 'pg';
import { givenUser, type SignedIn } from '../../../test/sign-in';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { AnalyticsRefresher } from '../analytics-refresher';
import type { DurationPointView } from '../dto/analytics.view';

/**
 * The incremental analytics tables (migration 1765000000000): day and week buckets of configured
 * zones worked out by hand around America/New_York's fall-back day (2026-11-01 is 25 hours long:
 * 01:00–02:00 happens twice, first EDT -04:00 then EST -05:00) and across a week boundary
 * (2026-11-01 is a Sunday), and the rule that a refresh rewrites only what changed yet leaves every
 * table equal to a from-scratch rebuild.
 *
 *   K  P3 console  opened 11-01 05:30Z (01:30 EDT), ack 06:30Z (01:30 EST: 1 h, though the wall
 *                  clock says 0), resolved 11-02 04:30Z (23:30 EST on the 1st) after 23 h
 *   L  P3 api      opened 11-02 04:45Z (23:45 EST Sunday 1st), ack 05:15Z (00:15 Monday 2nd): 30 min
 *   M  P2 slack    opened 11-03 15:00Z, never acknowledged, still New
 */
const ZONES = 'UTC,America/New_York,Asia/Kolkata,Australia/Sydney';

/** A point of a response-time series, as the API answers it. */
type Point = DurationPointView;
type Series = { name: string; points: Point[] }[];

const pt = (start: string, count: number, seconds?: number): Point => ({
  start,
  count,
  mean: seconds ?? null,
  median: seconds ?? null,
  p90: seconds ?? null,
});

/** Every incremental table's rows (floats to 6 digits: sums may add in another order). */
const TABLES = [
  'analytics_incident_facts',
  'analytics_daily_priority',
  'analytics_weekly_priority',
  'analytics_daily_sources',
  'analytics_source_counts',
] as const;

async function contents(db: pg.Client | pg.Pool): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows } = await db.query<{ r: Record<string, unknown> }>(
      `SELECT to_jsonb(t) AS r FROM ${table} t`,
    );
    out[table] = rows
      .map(({ r }) =>
        JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v)),
      )
      .sort();
  }
  return out;
}

/** The tables as they are, and as `analytics_rebuild` makes them from scratch (rolled back). */
async function againstRebuild(url: string): Promise<{ incremental: object; rebuilt: object }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('BEGIN');
    const incremental = await contents(db);
    const { rows } = await db.query<{ zone: string }>(
      `SELECT zone FROM analytics_zones WHERE built_at IS NOT NULL`,
    );
    await db.query(`SELECT analytics_rebuild($1::text[])`, [rows.map((r) => r.zone)]);
    const rebuilt = await contents(db);
    return { incremental, rebuilt };
  } finally {
    await db.query('ROLLBACK');
    await db.end();
  }
}

describe('analytics tables maintained incrementally', () => {
  let t: TestApp;
  let viewer: SignedIn;
  let responder: SignedIn;
  let refresher: AnalyticsRefresher;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ANALYTICS_REFRESH_INTERVAL_MS: '0',
        ANALYTICS_SLA_SCAN_INTERVAL_MS: '0',
        // The refresh job waits long: the marks the consumer leaves can be looked at.
        ANALYTICS_REFRESH_DEBOUNCE_MS: '600000',
        ANALYTICS_TIME_ZONES: ZONES,
      },
    });
    viewer = await givenUser(t, 'viewer');
    responder = await givenUser(t, 'responder');
    refresher = t.app.get(AnalyticsRefresher);
    await refresher.zonesBuilt();
    await t.dataSource.query(`
      INSERT INTO incidents (title, state, impact, urgency, source, opened_at, acknowledged_at, resolved_at,
                             sla_due_at, close_code, close_notes)
      VALUES ('Fixture K', 'resolved', 2, 2, 'console', '2026-11-01T05:30Z', '2026-11-01T06:30Z', '2026-11-02T04:30Z',
              timestamptz '2026-11-01T05:30Z' + interval '24 hours', 'Solution provided', 'Fixed'),
             ('Fixture L', 'in_progress', 2, 2, 'api', '2026-11-02T04:45Z', '2026-11-02T05:15Z', NULL,
              timestamptz '2026-11-02T04:45Z' + interval '24 hours', NULL, NULL),
             ('Fixture M', 'new', 1, 3, 'slack', '2026-11-03T15:00Z', NULL, NULL,
              timestamptz '2026-11-03T15:00Z' + interval '24 hours', NULL, NULL)`);
    await refresher.refresh('manual');
  });
  afterAll(() => t.close());

  const get = (path: string) => t.http.get(path).set('authorization', viewer.bearer);
  const series = async (path: string): Promise<Series> =>
    ((await get(path).expect(200)).body as { series: Series }).series;

  it('keeps exactly the configured zones, each built', async () => {
    const rows = await t.dataSource.query<{ zone: string; built: boolean }[]>(
      `SELECT zone, built_at IS NOT NULL AS built FROM analytics_zones ORDER BY zone`,
    );
    expect(rows).toEqual(
      ZONES.split(',')
        .sort()
        .map((zone) => ({ zone, built: true })),
    );
  });

  it('cuts the 25-hour fall-back day and the midnight-spanning incident into New York days', async () => {
    const [mtta, mttr] = await series(
      '/api/analytics/response-times?from=2026-11-01&to=2026-11-02&tz=America/New_York',
    );
    expect(mtta!.points).toEqual([
      pt('2026-11-01T00:00:00-04:00', 1, 3600), // K: the repeated hour is a real hour
      pt('2026-11-02T00:00:00-05:00', 1, 1800), // L, opened the day before
    ]);
    expect(mttr!.points).toEqual([
      pt('2026-11-01T00:00:00-04:00', 1, 82800), // K at 23:30 EST, within the 25-hour day
      pt('2026-11-02T00:00:00-05:00', 0),
    ]);
    // The same incidents in UTC days: K resolves and L opens and is acknowledged on the 2nd.
    const [utcAck, utcRes] = await series('/api/analytics/response-times?from=2026-11-01&to=2026-11-02');
    expect(utcAck!.points.map((p) => p.count)).toEqual([1, 1]);
    expect(utcRes!.points).toEqual([
      pt('2026-11-01T00:00:00+00:00', 0),
      pt('2026-11-02T00:00:00+00:00', 1, 82800),
    ]);
    // Kolkata (+05:30): K's resolution (10:00 IST on the 2nd) and L on the 2nd.
    const [inAck, inRes] = await series(
      '/api/analytics/response-times?from=2026-11-01&to=2026-11-02&tz=Asia/Kolkata',
    );
    expect(inAck!.points).toEqual([
      pt('2026-11-01T00:00:00+05:30', 1, 3600),
      pt('2026-11-02T00:00:00+05:30', 1, 1800),
    ]);
    expect(inRes!.points).toEqual([
      pt('2026-11-01T00:00:00+05:30', 0),
      pt('2026-11-02T00:00:00+05:30', 1, 82800),
    ]);
  });

  it('gives the fall-back hour twice as hour buckets', async () => {
    const [mtta] = await series(
      '/api/analytics/response-times?bucket=hour&from=2026-11-01T00:00:00-04:00&to=2026-11-01T03:00:00-05:00&tz=America/New_York',
    );
    expect(mtta!.points.map((p) => [p.start, p.count])).toEqual([
      ['2026-11-01T00:00:00-04:00', 0],
      ['2026-11-01T01:00:00-04:00', 0],
      ['2026-11-01T01:00:00-05:00', 1], // K, acknowledged at 06:30Z
      ['2026-11-01T02:00:00-05:00', 0],
    ]);
  });

  it('starts weeks on Monday in the zone: Sunday night and Monday morning are two weeks', async () => {
    const [mtta, mttr] = await series(
      '/api/analytics/response-times?bucket=week&from=2026-10-26&to=2026-11-08&tz=America/New_York',
    );
    expect(mtta!.points).toEqual([
      pt('2026-10-26T00:00:00-04:00', 1, 3600),
      pt('2026-11-02T00:00:00-05:00', 1, 1800),
    ]);
    expect(mttr!.points).toEqual([
      pt('2026-10-26T00:00:00-04:00', 1, 82800),
      pt('2026-11-02T00:00:00-05:00', 0),
    ]);
    // Sydney (+11:00 in November): K acknowledged Sunday 17:30, L Monday 16:15.
    const [syd] = await series(
      '/api/analytics/response-times?bucket=week&from=2026-10-26&to=2026-11-08&tz=Australia/Sydney',
    );
    expect(syd!.points).toEqual([
      pt('2026-10-26T00:00:00+11:00', 1, 3600),
      pt('2026-11-02T00:00:00+11:00', 1, 1800),
    ]);
  });

  it('answers a configured zone from its buckets exactly as an unconfigured name of it from the facts', async () => {
    // US/Eastern is America/New_York under another name, not in ANALYTICS_TIME_ZONES.
    for (const path of ['response-times', 'sla', 'sources']) {
      for (const query of [
        'from=2026-10-26&to=2026-11-08&bucket=week',
        'from=2026-10-30&to=2026-11-04&bucket=day&priority=3',
        'from=2026-11-01T12:00:00Z&to=2026-11-05T00:00:00Z&bucket=day', // parts of buckets
      ]) {
        const buckets = (await get(`/api/analytics/${path}?${query}&tz=America/New_York`).expect(200))
          .body as object;
        const facts = (await get(`/api/analytics/${path}?${query}&tz=US/Eastern`).expect(200)).body as object;
        expect({ ...buckets, tz: 'US/Eastern' }).toEqual(facts);
      }
    }
  });

  it('rewrites only the buckets of a changed incident, and they equal a rebuild', async () => {
    const snapshot = async () =>
      t.dataSource.query<{ zone: string; key: string; r: string }[]>(`
        SELECT zone, 'day ' || day AS key, to_jsonb(d)::text AS r FROM analytics_daily_priority d
        UNION ALL SELECT zone, 'week ' || week, to_jsonb(w)::text FROM analytics_weekly_priority w`);
    const old = new Set((await snapshot()).map((r) => r.r));
    // L resolved by hand-written SQL at 11-04 02:00Z (21:00 EST on the 3rd) and marked as the consumer does.
    await t.dataSource.query(`
      WITH l AS (
        UPDATE incidents SET state = 'resolved', resolved_at = '2026-11-04T02:00Z', close_code = 'Solution provided',
               close_notes = 'Fixed', version = version + 1, updated_at = now()
         WHERE title = 'Fixture L' RETURNING id)
      INSERT INTO analytics_dirty_incidents (incident_id) SELECT id FROM l`);
    await refresher.refresh('manual');
    const changed = (await snapshot()).filter((r) => !old.has(r.r)).map((r) => `${r.zone} ${r.key}`);
    expect([...new Set(changed)].sort()).toEqual([
      'America/New_York day 2026-11-03',
      'America/New_York week 2026-11-02',
      'Asia/Kolkata day 2026-11-04', // 07:30 IST
      'Asia/Kolkata week 2026-11-02',
      'Australia/Sydney day 2026-11-04', // 13:00 AEDT
      'Australia/Sydney week 2026-11-02',
      'UTC day 2026-11-04',
      'UTC week 2026-11-02',
    ]);
    const [, mttr] = await series(
      '/api/analytics/response-times?from=2026-11-03&to=2026-11-03&tz=America/New_York',
    );
    expect(mttr!.points).toEqual([pt('2026-11-03T00:00:00-05:00', 1, 162900)]); // 45 h 15 min
    const { incremental, rebuilt } = await againstRebuild(t.database.url);
    expect(incremental).toEqual(rebuilt);
  });

  it('follows reopen, cancel and a never-acknowledged incident through the API (marked by the consumer)', async () => {
    const act = (id: string, action: string, body: object = {}) =>
      t.http
        .post(`/api/incidents/${id}/${action}`)
        .set('authorization', responder.bearer)
        .send(body)
        .expect(200);
    const create = async (title: string): Promise<string> =>
      (
        (
          await t.http
            .post('/api/incidents')
            .set('authorization', responder.bearer)
            .send({ title, impact: 1, urgency: 1 })
            .expect(201)
        ).body as { id: string }
      ).id;
    const resolution = { closeCode: 'Solution provided', closeNotes: 'Restarted' };
    const reopened = await create('Reopened');
    await act(reopened, 'acknowledge');
    await act(reopened, 'resolve', resolution);
    const canceled = await create('Canceled');
    await act(canceled, 'acknowledge');
    const silent = await create('Never acknowledged');
    // The analytics consumer marks each (the refresh job it queues waits 10 minutes here).
    await eventually(async () => {
      const rows = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(DISTINCT incident_id)::int AS n FROM analytics_dirty_incidents WHERE incident_id = ANY($1)`,
        [[reopened, canceled, silent]],
      );
      return rows[0]?.n === 3 ? true : undefined;
    });
    await refresher.refresh('manual');
    const facts = async () =>
      t.dataSource.query<{ id: string; resolved: boolean; acknowledged: boolean }[]>(
        `SELECT id, resolved_at IS NOT NULL AS resolved, acknowledged_at IS NOT NULL AS acknowledged
           FROM analytics_incident_facts WHERE id = ANY($1) ORDER BY id`,
        [[reopened, canceled, silent]],
      );
    expect(await facts()).toEqual(
      [
        { id: reopened, resolved: true, acknowledged: true },
        { id: canceled, resolved: false, acknowledged: true },
        { id: silent, resolved: false, acknowledged: false },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    await act(reopened, 'reopen', { reason: 'Came back' });
    await act(canceled, 'cancel', { reason: 'Duplicate' });
    await refresher.refresh('manual');
    expect(await facts()).toEqual(
      [
        { id: reopened, resolved: false, acknowledged: true }, // no resolution while reopened
        { id: silent, resolved: false, acknowledged: false },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const today = await get('/api/analytics/summary?priority=1').expect(200);
    expect((today.body as { mttr: { current: { count: number } } }).mttr.current.count).toBe(0);
    const { incremental, rebuilt } = await againstRebuild(t.database.url);
    expect(incremental).toEqual(rebuilt);
  });

  it('picks up a write made without an event (updated_at past the watermark)', async () => {
    await t.dataSource.query(
      `UPDATE incidents SET impact = 1, urgency = 1, updated_at = now() WHERE title = 'Fixture M'`,
    );
    await refresher.refresh('manual');
    const [row] = await t.dataSource.query<{ priority: number }[]>(
      `SELECT f.priority FROM analytics_incident_facts f JOIN incidents i USING (id) WHERE i.title = 'Fixture M'`,
    );
    expect(row).toEqual({ priority: 1 });
    const { incremental, rebuilt } = await againstRebuild(t.database.url);
    expect(incremental).toEqual(rebuilt);
  });

  it('answers at once while a refresh rewrites buckets, with the snapshot before it', async () => {
    const path = '/api/analytics/response-times?from=2026-11-01&to=2026-11-05&tz=America/New_York';
    const before = (await get(path).expect(200)).body as object;
    const other = new pg.Client({ connectionString: t.database.url });
    await other.connect();
    try {
      await other.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await other.query(`UPDATE incidents SET acknowledged_at = '2026-11-03T16:00Z', state = 'in_progress',
                                updated_at = now() WHERE title = 'Fixture M'`);
      await other.query('SELECT analytics_apply_changes()');
      const started = Date.now();
      const during = (await get(path).expect(200)).body as object;
      expect(Date.now() - started).toBeLessThan(2000);
      expect(during).toEqual(before);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
  });

  it('backfills a zone added to the configuration, answering from the facts until it is built', async () => {
    const path =
      '/api/analytics/response-times?bucket=week&from=2026-10-26&to=2026-11-08&tz=Australia/Sydney';
    const built = (await get(path).expect(200)).body as object;
    // As if Australia/Sydney had just been added to ANALYTICS_TIME_ZONES.
    await t.dataSource.query(`
      WITH a AS (DELETE FROM analytics_daily_priority WHERE zone = 'Australia/Sydney'),
           b AS (DELETE FROM analytics_weekly_priority WHERE zone = 'Australia/Sydney'),
           c AS (DELETE FROM analytics_daily_sources WHERE zone = 'Australia/Sydney')
      DELETE FROM analytics_zones WHERE zone = 'Australia/Sydney'`);
    expect((await get(path).expect(200)).body).toEqual(built); // from the facts meanwhile
    await refresher.syncZones();
    const [zone] = await t.dataSource.query<{ built: boolean }[]>(
      `SELECT built_at IS NOT NULL AS built FROM analytics_zones WHERE zone = 'Australia/Sydney'`,
    );
    expect(zone).toEqual({ built: true });
    expect((await get(path).expect(200)).body).toEqual(built);
    const { incremental, rebuilt } = await againstRebuild(t.database.url);
    expect(incremental).toEqual(rebuilt);
  });
});
