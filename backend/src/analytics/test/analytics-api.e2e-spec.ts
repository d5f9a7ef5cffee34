import pg from 'pg';
import { givenUser, type SignedIn } from '../../../test/sign-in';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { AnalyticsRefresher } from '../analytics-refresher';
import { AnalyticsService } from '../analytics.service';
import { SlaWarnings } from '../sla-warnings';

/** RFC 4180 as analytics-csv writes it (no field here holds a quote, comma or line break). */
function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => line.split(','));
}

const cell = (v: unknown): string => (v === null ? '' : JSON.stringify(v).replace(/^"|"$/g, ''));

describe('/api/analytics', () => {
  let t: TestApp;
  let viewer: SignedIn;
  let responder: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ANALYTICS_REFRESH_INTERVAL_MS: '0',
        ANALYTICS_SLA_SCAN_INTERVAL_MS: '0',
        ANALYTICS_REFRESH_DEBOUNCE_MS: '1000',
      },
    });
    viewer = await givenUser(t, 'viewer');
    responder = await givenUser(t, 'responder');
    // A few incidents with history, so the series have figures to export.
    await t.dataSource.query(`
      INSERT INTO incidents (title, state, impact, urgency, source, opened_at, acknowledged_at, resolved_at,
                             sla_due_at, close_code, close_notes)
      SELECT 'History ' || n, 'resolved', 1 + n % 3, 1 + n % 2, (ARRAY['console','api','slack','servicenow','webhook'])[1 + n % 5],
             timestamptz '2026-10-01T00:00Z' + n * interval '7 hours',
             timestamptz '2026-10-01T00:00Z' + n * interval '7 hours' + (n % 11) * interval '3 minutes',
             timestamptz '2026-10-01T00:00Z' + n * interval '7 hours' + (n % 13) * interval '1 hour',
             timestamptz '2026-10-01T00:00Z' + n * interval '7 hours' + interval '8 hours', 'Solution provided', 'Fixed'
        FROM generate_series(1, 60) n`);
    await t.app.get(AnalyticsRefresher).refresh('manual');
  });
  afterAll(() => t.close());

  const get = (path: string, as: SignedIn = viewer) => t.http.get(path).set('authorization', as.bearer);

  describe('parameters', () => {
    it.each([
      ['bucket=month', 'VALIDATION_FAILED'],
      ['tz=Mars/Olympus_Mons', 'VALIDATION_FAILED'],
      ['tz=%2B05:00', 'VALIDATION_FAILED'],
      ['priority=9', 'VALIDATION_FAILED'],
      ['from=yesterday', 'VALIDATION_FAILED'],
      ['from=2026-10-05T10:00', 'VALIDATION_FAILED'], // a date-time must say its offset
      ['from=2026-02-31', 'ANALYTICS_RANGE_INVALID'],
      ['from=2026-10-10&to=2026-10-01', 'ANALYTICS_RANGE_INVALID'],
      ['from=2026-10-01T00:00Z&to=2026-10-01T00:00Z', 'ANALYTICS_RANGE_INVALID'],
      ['bucket=hour&from=2026-09-01&to=2026-10-15', 'ANALYTICS_RANGE_INVALID'],
      ['from=2024-01-01&to=2026-10-15', 'ANALYTICS_RANGE_INVALID'],
    ])('%s is a 400 problem (%s)', async (query, code) => {
      const res = await get(`/api/analytics/response-times?${query}`).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code });
    });

    it('the summary checks its range too', async () => {
      const res = await get('/api/analytics/summary?from=2026-10-10&to=2026-10-01').expect(400);
      expect(res.body).toMatchObject({ code: 'ANALYTICS_RANGE_INVALID' });
    });

    it("defaults: 30 whole days in the zone, up to and including the refresh's day", async () => {
      const res = await get('/api/analytics/response-times?tz=Asia/Kolkata').expect(200);
      const body = res.body as { refreshedAt: string; from: string; to: string; tz: string; bucket: string };
      expect(body).toMatchObject({ tz: 'Asia/Kolkata', bucket: 'day', priority: null });
      const [refreshed, to] = [Date.parse(body.refreshedAt), Date.parse(body.to)];
      expect(to - Date.parse(body.from)).toBe(30 * 86_400_000);
      expect(to > refreshed && to - refreshed <= 86_400_000).toBe(true);
      expect((to + 5.5 * 3_600_000) % 86_400_000).toBe(0); // a midnight in India (UTC+05:30)
      const summary = (await get('/api/analytics/summary').expect(200)).body as {
        refreshedAt: string;
        to: string;
      };
      expect(summary.to).toBe(summary.refreshedAt);
    });
  });

  describe('Accept: text/csv', () => {
    const query = 'from=2026-10-01&to=2026-10-20&tz=Europe/Paris';

    it('response-times: the CSV holds exactly the JSON series', async () => {
      const json = (await get(`/api/analytics/response-times?${query}`).expect(200)).body as {
        series: { name: string; points: Record<string, unknown>[] }[];
      };
      const csv = await get(`/api/analytics/response-times?${query}`).set('accept', 'text/csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const [header, ...rows] = parseCsv(csv.text);
      expect(header).toEqual(['series', 'start', 'count', 'mean_seconds', 'median_seconds', 'p90_seconds']);
      const expected = json.series.flatMap((s) =>
        s.points.map((p) => [s.name, p['start'], p['count'], p['mean'], p['median'], p['p90']].map(cell)),
      );
      expect(rows).toEqual(expected);
      expect(rows.some((r) => r[3] !== '')).toBe(true);
    });

    it.each([
      ['sla', 'points', ['start', 'resolved', 'met', 'breached', 'percent']],
      ['sources', 'points', ['start', 'source', 'opened', 'alerts']],
    ])('%s: the CSV holds exactly the JSON points', async (path, key, columns) => {
      const json = (await get(`/api/analytics/${path}?${query}`).expect(200)).body as Record<
        string,
        Record<string, unknown>[]
      >;
      const csv = await get(`/api/analytics/${path}?${query}`).set('accept', 'text/csv').expect(200);
      const [header, ...rows] = parseCsv(csv.text);
      expect(header).toEqual(columns);
      const camel = (c: string): string => c.replace(/_(\w)/g, (_, x: string) => x.toUpperCase());
      expect(rows).toEqual(json[key]!.map((p) => columns.map((c) => cell(p[camel(c)]))));
    });

    it('summary and backlog export too', async () => {
      const summary = await get(`/api/analytics/summary?${query}`).set('accept', 'text/csv').expect(200);
      const json = (await get(`/api/analytics/summary?${query}`).expect(200)).body as {
        mttr: { current: { mean: number } };
      };
      expect(parseCsv(summary.text)).toContainEqual([
        'mttr_mean_seconds',
        'current',
        cell(json.mttr.current.mean),
      ]);
      const backlog = await get('/api/analytics/backlog').set('accept', 'text/csv').expect(200);
      expect(parseCsv(backlog.text)[0]).toEqual([
        'state',
        'priority',
        'open',
        'unacknowledged',
        'overdue',
        'oldest_opened_at',
      ]);
    });
  });

  describe('ETag', () => {
    it('304 while no refresh happened, 200 with a new ETag after one; JSON and CSV have their own', async () => {
      const first = await get('/api/analytics/backlog').expect(200);
      const etag = first.headers['etag'] as string;
      expect(etag).toMatch(/^W\/"analytics-\d+-json"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');
      const again = await get('/api/analytics/backlog').set('if-none-match', etag).expect(304);
      expect(again.text).toBe('');
      const csv = await get('/api/analytics/backlog')
        .set('accept', 'text/csv')
        .set('if-none-match', etag)
        .expect(200);
      expect(csv.headers['etag']).not.toBe(etag);
      await get('/api/analytics/sla').set('if-none-match', etag).expect(304); // same refresh
      await t.app.get(AnalyticsRefresher).refresh('manual');
      const later = await get('/api/analytics/backlog').set('if-none-match', etag).expect(200);
      expect(later.headers['etag']).not.toBe(etag);
      expect(Date.parse((later.body as { refreshedAt: string }).refreshedAt)).toBeGreaterThan(
        Date.parse((first.body as { refreshedAt: string }).refreshedAt),
      );
    });
  });

  describe('answers shared per refresh', () => {
    it('computes an answer once for every request of the same refresh, and anew after the next', async () => {
      await t.app.get(AnalyticsRefresher).refresh('manual');
      const answers = t.app.get(AnalyticsService).answers;
      const computedBefore = answers.computed;
      const summary = '/api/analytics/summary?from=2026-10-01&to=2026-10-31&tz=UTC';
      const bodies = await Promise.all(
        [viewer, responder, viewer, responder, viewer].map(
          async (who) => (await get(summary, who).expect(200)).body as unknown,
        ),
      );
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      expect(answers.computed - computedBefore).toBe(1);
      await get(`${summary}&priority=1`).expect(200); // other parameters: another answer
      expect(answers.computed - computedBefore).toBe(2);
      // Another range is another answer, never the shared one.
      const shorter = await get('/api/analytics/summary?from=2026-10-01&to=2026-10-05&tz=UTC').expect(200);
      expect(answers.computed - computedBefore).toBe(3);
      expect((shorter.body as { to: string }).to).not.toBe((bodies[0] as { to: string }).to);
      expect((shorter.body as { mttr: { current: { count: number } } }).mttr.current.count).toBeLessThan(
        (bodies[0] as { mttr: { current: { count: number } } }).mttr.current.count,
      );

      // The newest refresh is known (the database's signal, or this instance's own refresh), so
      // an answer already computed, or an ETag that names it, needs no database round trip.
      const transactions = jest.spyOn(t.dataSource, 'transaction');
      try {
        const again = await get(summary).expect(200);
        expect(again.body).toEqual(bodies[0]);
        await get(summary)
          .set('if-none-match', again.headers['etag'] as string)
          .expect(304);
        expect(transactions).not.toHaveBeenCalled();
      } finally {
        transactions.mockRestore();
      }

      // A change lands only with the next refresh, and then the shared answer is a new one.
      const resolvedBefore = (bodies[0] as { mttr: { current: { count: number } } }).mttr.current.count;
      await t.dataSource.query(`
        INSERT INTO incidents (title, state, impact, urgency, source, opened_at, acknowledged_at, resolved_at,
                               sla_due_at, close_code, close_notes)
        VALUES ('Late addition', 'resolved', 2, 2, 'api', '2026-10-20T08:00Z', '2026-10-20T08:05Z',
                '2026-10-20T09:00Z', '2026-10-20T16:00Z', 'Solution provided', 'Fixed')`);
      const stale = (await get(summary).expect(200)).body as { mttr: { current: { count: number } } };
      expect(stale.mttr.current.count).toBe(resolvedBefore);
      await t.app.get(AnalyticsRefresher).refresh('manual');
      const fresh = (await get(summary).expect(200)).body as { mttr: { current: { count: number } } };
      expect(fresh.mttr.current.count).toBe(resolvedBefore + 1);
    });
  });

  describe('refresh', () => {
    it('reads answer at once while a refresh holds the views, and show the snapshot before it', async () => {
      const before = (await get('/api/analytics/backlog').expect(200)).body as { refreshedAt: string };
      const other = new pg.Client({ connectionString: t.database.url });
      await other.connect();
      try {
        // A refresh in progress: it holds its row and view locks until COMMIT.
        await other.query('BEGIN');
        await other.query(
          'INSERT INTO incidents (title, impact, urgency, source, sla_due_at) VALUES ($1, 1, 1, $2, now())',
          ['During the refresh', 'console'],
        );
        // What a refresh does: the incremental step (facts and bucket rows), then the views.
        await other.query('SELECT analytics_apply_changes()');
        await other.query('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_backlog');
        const started = Date.now();
        const during = await get('/api/analytics/backlog').expect(200);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(during.body).toMatchObject({ refreshedAt: before.refreshedAt });
        await get('/api/analytics/response-times?bucket=hour&from=2026-10-01&to=2026-10-03').expect(200);
        // Another instance's refresh skips its turn while this one holds the refresh lock.
        await other.query(`SELECT pg_advisory_xact_lock(hashtext('nexecute:analytics-refresh'))`);
        await expect(t.app.get(AnalyticsRefresher).refresh('schedule')).resolves.toBeUndefined();
      } finally {
        await other.query('ROLLBACK');
        await other.end();
      }
    });

    it('records each refresh with its time and duration', async () => {
      const outcome = await t.app.get(AnalyticsRefresher).refresh('manual');
      expect(outcome).toBeDefined();
      const [row] = await t.dataSource.query<{ refreshed_at: Date; duration_ms: number; trigger: string }[]>(
        'SELECT refreshed_at, duration_ms, trigger FROM analytics_refreshes ORDER BY id DESC LIMIT 1',
      );
      expect(row).toEqual({
        refreshed_at: outcome!.refreshedAt,
        duration_ms: outcome!.durationMs,
        trigger: 'manual',
      });
    });

    it('follows a burst of incident changes with one refresh', async () => {
      const count = async (): Promise<number> =>
        (
          await t.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM analytics_refreshes WHERE trigger = 'changes'`,
          )
        )[0]!.n;
      const refreshesBefore = await count();
      const created = await Promise.all(
        [1, 2, 3].map((n) =>
          t.http
            .post('/api/incidents')
            .set('authorization', responder.bearer)
            .send({ title: `Burst ${n}`, impact: 3, urgency: 3 })
            .expect(201),
        ),
      );
      const backlog = await eventually(
        async () => {
          const res = await get('/api/analytics/backlog?priority=5').expect(200);
          const body = res.body as { totals: { open: number } };
          return body.totals.open >= created.length ? body : undefined;
        },
        15_000,
        'the backlog never showed the new incidents',
      );
      expect(backlog.totals.open).toBe(3);
      // The three changes within the debounce period: one refresh for the burst.
      expect((await count()) - refreshesBefore).toBe(1);
    });
  });

  describe('SLA warnings', () => {
    it('raises each of 50, 75 and 90 % once per incident as incident.sla_warning', async () => {
      // A P1 (4 h target) opened 3 h ago: 50 % and 75 % are behind it, 90 % ahead.
      const [incident] = await t.dataSource.query<{ id: string }[]>(`
        INSERT INTO incidents (title, impact, urgency, source, opened_at, sla_due_at)
        VALUES ('Running late', 1, 1, 'console', now() - interval '3 hours', now() + interval '1 hour')
        RETURNING id`);
      const warnings = t.app.get(SlaWarnings);
      const raised = await warnings.scan();
      expect(raised.filter((w) => w.incidentId === incident!.id).map((w) => w.threshold)).toEqual([50, 75]);
      expect((await warnings.scan()).filter((w) => w.incidentId === incident!.id)).toEqual([]);
      const events = await t.dataSource.query<{ threshold: number; target: number; elapsed: number }[]>(
        `SELECT (payload->>'threshold')::int AS threshold, (payload->>'targetSeconds')::int AS target,
                (payload->>'elapsedSeconds')::int AS elapsed
           FROM outbox_events WHERE type = 'incident.sla_warning' AND aggregate_id = $1 ORDER BY 1`,
        [incident!.id],
      );
      expect(events.map((e) => e.threshold)).toEqual([50, 75]);
      expect(events[0]!.target).toBe(4 * 3600);
      expect(events[0]!.elapsed).toBeGreaterThanOrEqual(3 * 3600);
    });
  });
});
