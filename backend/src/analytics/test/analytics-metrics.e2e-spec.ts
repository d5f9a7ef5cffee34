import { givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { AnalyticsRefresher } from '../analytics-refresher';
import type { DurationPointView } from '../dto/analytics.view';

/**
 * The metrics of docs/metrics.md checked against figures worked out by hand on a small fixed data
 * set, written straight into the incidents table (their times lie in the past) and refreshed into
 * the views. America/New_York switches to daylight time on 2026-03-08 at 02:00 (07:00 UTC): that
 * local day is 23 hours long.
 *
 *   A  P1 console    opened 03-06 14:00Z, ack +10 min, resolved +2 h (SLA 4 h: met)
 *   B  P1 webhook    opened 03-06 15:00Z, never acknowledged, still New (3 alerts)
 *   C  P3 api        opened 03-07 12:00Z, ack +30 min, resolved, reopened, resolved at +8 h, closed
 *   D  P1 console    opened 03-06 16:00Z, ack +5 min, canceled: in no figure
 *   E  P3 slack      opened 03-07 04:30Z (23:30 on the 6th in New York), ack 05:15Z (00:15 the
 *                    next local day), resolved 03-08 06:30Z after 26 h (SLA 24 h: breached)
 *   F  P3 servicenow opened 03-08 06:00Z (01:00 EST), ack 08:00Z (04:00 EDT: 2 h, not the 3 the
 *                    wall clock says), resolved 03-09 03:30Z (23:30 EDT on the 8th) after 21.5 h
 *   G  P3 console    opened 03-08 15:00Z, ack +20 min, resolved +2 h
 *   H  P1 webhook    opened 03-09 13:00Z, ack +30 min, in progress (1 alert)
 */
const FIXTURE: readonly {
  key: string;
  impact: number;
  urgency: number;
  source: string;
  state: string;
  opened: string;
  ack?: string;
  resolved?: string;
  closed?: string;
  slaHours: number;
  alerts?: number;
}[] = [
  {
    key: 'A',
    impact: 1,
    urgency: 1,
    source: 'console',
    state: 'resolved',
    opened: '2026-03-06T14:00Z',
    ack: '2026-03-06T14:10Z',
    resolved: '2026-03-06T16:00Z',
    slaHours: 4,
  },
  {
    key: 'B',
    impact: 1,
    urgency: 1,
    source: 'webhook',
    state: 'new',
    opened: '2026-03-06T15:00Z',
    slaHours: 4,
    alerts: 3,
  },
  {
    key: 'C',
    impact: 2,
    urgency: 2,
    source: 'api',
    state: 'closed',
    opened: '2026-03-07T12:00Z',
    ack: '2026-03-07T12:30Z',
    resolved: '2026-03-07T20:00Z',
    closed: '2026-03-07T21:00Z',
    slaHours: 24,
  },
  {
    key: 'D',
    impact: 1,
    urgency: 1,
    source: 'console',
    state: 'canceled',
    opened: '2026-03-06T16:00Z',
    ack: '2026-03-06T16:05Z',
    slaHours: 4,
  },
  {
    key: 'E',
    impact: 2,
    urgency: 2,
    source: 'slack',
    state: 'resolved',
    opened: '2026-03-07T04:30Z',
    ack: '2026-03-07T05:15Z',
    resolved: '2026-03-08T06:30Z',
    slaHours: 24,
  },
  {
    key: 'F',
    impact: 2,
    urgency: 2,
    source: 'servicenow',
    state: 'resolved',
    opened: '2026-03-08T06:00Z',
    ack: '2026-03-08T08:00Z',
    resolved: '2026-03-09T03:30Z',
    slaHours: 24,
  },
  {
    key: 'G',
    impact: 2,
    urgency: 2,
    source: 'console',
    state: 'resolved',
    opened: '2026-03-08T15:00Z',
    ack: '2026-03-08T15:20Z',
    resolved: '2026-03-08T17:00Z',
    slaHours: 24,
  },
  {
    key: 'H',
    impact: 1,
    urgency: 1,
    source: 'webhook',
    state: 'in_progress',
    opened: '2026-03-09T13:00Z',
    ack: '2026-03-09T13:30Z',
    slaHours: 4,
    alerts: 1,
  },
];

/** A point of a response-time series, as the API answers it. */
type Point = DurationPointView;
interface ResponseTimes {
  refreshedAt: string;
  from: string;
  to: string;
  series: { name: 'mtta' | 'mttr'; points: Point[] }[];
}

/** A point as worked out by hand (null figures when nothing was measured). */
const pt = (start: string, count: number, mean?: number, median?: number, p90?: number): Point => ({
  start,
  count,
  mean: mean ?? null,
  median: median ?? null,
  p90: p90 ?? null,
});

/** Floating-point sums and interpolations: compare to the millisecond. */
function close(points: Point[]): Point[] {
  const r = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  return points.map((p) => ({ ...p, mean: r(p.mean), median: r(p.median), p90: r(p.p90) }));
}

describe('analytics metrics on a fixed data set', () => {
  let t: TestApp;
  let viewer: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({
      env: { ANALYTICS_REFRESH_INTERVAL_MS: '0', ANALYTICS_SLA_SCAN_INTERVAL_MS: '0' },
    });
    viewer = await givenUser(t, 'viewer');
    for (const i of FIXTURE) {
      const resolved = i.resolved ?? null;
      await t.dataSource.query(
        `INSERT INTO incidents (title, state, impact, urgency, source, opened_at, acknowledged_at,
                                resolved_at, closed_at, sla_due_at, close_code, close_notes, alert_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6::timestamptz + $10 * interval '1 hour',
                 $11, $12, $13)`,
        [
          `Fixture ${i.key}`,
          i.state,
          i.impact,
          i.urgency,
          i.source,
          i.opened,
          i.ack ?? null,
          resolved,
          i.closed ?? null,
          i.slaHours,
          resolved ? 'Solution provided' : null,
          resolved ? 'Fixed' : null,
          i.alerts ?? 0,
        ],
      );
    }
    await t.app.get(AnalyticsRefresher).refresh('manual');
  });
  afterAll(() => t.close());

  const get = (path: string) => t.http.get(path).set('authorization', viewer.bearer);

  describe('GET /api/analytics/response-times', () => {
    it("buckets by the zone's days: the DST day, midnight-spanning and reopened incidents, canceled left out", async () => {
      const res = await get(
        '/api/analytics/response-times?from=2026-03-06&to=2026-03-09&bucket=day&tz=America/New_York',
      ).expect(200);
      const body = res.body as ResponseTimes;
      expect(body.from).toBe('2026-03-06T05:00:00.000Z');
      expect(body.to).toBe('2026-03-10T04:00:00.000Z');
      const [mtta, mttr] = body.series;
      expect(mtta!.name).toBe('mtta');
      expect(close(mtta!.points)).toEqual([
        pt('2026-03-06T00:00:00-05:00', 1, 600, 600, 600), // A (D is canceled)
        pt('2026-03-07T00:00:00-05:00', 2, 2250, 2250, 2610), // E (00:15 local), C
        pt('2026-03-08T00:00:00-05:00', 2, 4200, 4200, 6600), // F (2 h across the switch), G
        pt('2026-03-09T00:00:00-04:00', 1, 1800, 1800, 1800), // H
      ]);
      expect(mttr!.name).toBe('mttr');
      expect(close(mttr!.points)).toEqual([
        pt('2026-03-06T00:00:00-05:00', 1, 7200, 7200, 7200), // A
        pt('2026-03-07T00:00:00-05:00', 1, 28800, 28800, 28800), // C once, at its final resolution
        pt('2026-03-08T00:00:00-05:00', 3, 59400, 77400, 90360), // E, G, F (23:30 EDT)
        pt('2026-03-09T00:00:00-04:00', 0),
      ]);
    });

    it('answers the same incidents in UTC days differently (F resolves on the 9th in UTC)', async () => {
      const res = await get('/api/analytics/response-times?from=2026-03-06&to=2026-03-09&bucket=day').expect(
        200,
      );
      const mttr = (res.body as ResponseTimes).series[1]!;
      expect(close(mttr.points)).toEqual([
        pt('2026-03-06T00:00:00+00:00', 1, 7200, 7200, 7200),
        pt('2026-03-07T00:00:00+00:00', 1, 28800, 28800, 28800),
        pt('2026-03-08T00:00:00+00:00', 2, 50400, 50400, 84960), // E, G
        pt('2026-03-09T00:00:00+00:00', 1, 77400, 77400, 77400), // F
      ]);
    });

    it('answers UTC days from the day view exactly as from the facts (a zone always at UTC+0 reads the facts)', async () => {
      for (const query of ['from=2026-03-05&to=2026-03-10', 'from=2026-03-05&to=2026-03-10&priority=3']) {
        for (const path of ['response-times', 'sla']) {
          const fromView = (await get(`/api/analytics/${path}?${query}&tz=UTC`).expect(200)).body as Record<
            string,
            unknown
          >;
          const fromFacts = (await get(`/api/analytics/${path}?${query}&tz=Africa/Abidjan`).expect(200))
            .body as Record<string, unknown>;
          expect({ ...fromView, tz: 'Africa/Abidjan' }).toEqual(fromFacts);
        }
      }
    });

    it('agrees with the UTC day × priority view the migration created', async () => {
      const rows = await t.dataSource.query<{ day: string; resolved: number; mttr_mean_s: number }[]>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, resolved, mttr_mean_s FROM analytics_daily_priority
          WHERE zone = 'UTC' AND priority = 3 AND resolved > 0 ORDER BY day`,
      );
      expect(rows).toEqual([
        { day: '2026-03-07', resolved: 1, mttr_mean_s: 28800 },
        { day: '2026-03-08', resolved: 2, mttr_mean_s: 50400 },
        { day: '2026-03-09', resolved: 1, mttr_mean_s: 77400 },
      ]);
    });

    it('cuts the DST morning into the local hours that exist (no 02:00)', async () => {
      const res = await get(
        '/api/analytics/response-times?from=2026-03-08T00:00:00-05:00&to=2026-03-08T05:00:00-04:00&bucket=hour&tz=America/New_York',
      ).expect(200);
      const mtta = (res.body as ResponseTimes).series[0]!;
      expect(mtta.points.map((p) => [p.start, p.count])).toEqual([
        ['2026-03-08T00:00:00-05:00', 0],
        ['2026-03-08T01:00:00-05:00', 0],
        ['2026-03-08T03:00:00-04:00', 0],
        ['2026-03-08T04:00:00-04:00', 1], // F, acknowledged at 08:00Z
      ]);
    });

    it('weeks start on Monday in the zone; priority narrows', async () => {
      const res = await get(
        '/api/analytics/response-times?from=2026-03-02&to=2026-03-15&bucket=week&tz=America/New_York&priority=1',
      ).expect(200);
      const [mtta, mttr] = (res.body as ResponseTimes).series;
      expect(close(mtta!.points)).toEqual([
        pt('2026-03-02T00:00:00-05:00', 1, 600, 600, 600), // A (D canceled)
        pt('2026-03-09T00:00:00-04:00', 1, 1800, 1800, 1800), // H
      ]);
      expect(close(mttr!.points)).toEqual([
        pt('2026-03-02T00:00:00-05:00', 1, 7200, 7200, 7200),
        pt('2026-03-09T00:00:00-04:00', 0),
      ]);
    });
  });

  describe('GET /api/analytics/summary', () => {
    it('gives each KPI for the period and the one before it', async () => {
      const res = await get(
        '/api/analytics/summary?from=2026-03-08&to=2026-03-09&tz=America/New_York',
      ).expect(200);
      const body = res.body as Record<string, unknown>;
      expect(body).toMatchObject({
        from: '2026-03-08T05:00:00.000Z',
        to: '2026-03-10T04:00:00.000Z',
        previousFrom: '2026-03-06T06:00:00.000Z',
        open: { current: 2, previous: 2 }, // B, H at the end; B, E at the start
        unacknowledged: { current: 1, previous: 1 }, // B
        mtta: {
          current: { count: 3, mean: 3400, median: 1800, p90: 6120 }, // F, G, H
          previous: { count: 3, mean: 1700, median: 1800, p90: 2520 }, // A, E, C
        },
        mttr: {
          current: { count: 3, mean: 59400, median: 77400 }, // E, G, F
          previous: { count: 2, mean: 18000, median: 18000, p90: 26640 }, // A, C
        },
        sla: {
          current: { resolved: 3, met: 2, breached: 1 },
          previous: { resolved: 2, met: 2, breached: 0, percent: 100 },
        },
      });
      const mttr = body['mttr'] as { current: { p90: number } };
      expect(mttr.current.p90).toBeCloseTo(90360, 6);
      const sla = body['sla'] as { current: { percent: number } };
      expect(sla.current.percent).toBeCloseTo(200 / 3, 9);
    });
  });

  describe('GET /api/analytics/sla', () => {
    it('counts resolutions met and breached per local day and per priority with its target', async () => {
      const res = await get('/api/analytics/sla?from=2026-03-06&to=2026-03-09&tz=America/New_York').expect(
        200,
      );
      const body = res.body as {
        points: { start: string; resolved: number; met: number; breached: number }[];
        byPriority: unknown[];
      };
      expect(body.points.map((p) => [p.start, p.resolved, p.met, p.breached])).toEqual([
        ['2026-03-06T00:00:00-05:00', 1, 1, 0],
        ['2026-03-07T00:00:00-05:00', 1, 1, 0],
        ['2026-03-08T00:00:00-05:00', 3, 2, 1], // E breached (26 h over a 24 h target)
        ['2026-03-09T00:00:00-04:00', 0, 0, 0],
      ]);
      expect(body.byPriority).toEqual([
        { priority: 1, targetHours: 4, resolved: 1, met: 1, breached: 0, percent: 100 },
        { priority: 3, targetHours: 24, resolved: 4, met: 3, breached: 1, percent: 75 },
      ]);
    });
  });

  describe('GET /api/analytics/sources', () => {
    it('counts openings per source and local day (every source in every day) and the alerts grouped', async () => {
      const res = await get(
        '/api/analytics/sources?from=2026-03-06&to=2026-03-07&tz=America/New_York',
      ).expect(200);
      const body = res.body as {
        points: { start: string; source: string; opened: number; alerts: number }[];
        totals: unknown[];
      };
      expect(body.points).toEqual([
        { start: '2026-03-06T00:00:00-05:00', source: 'console', opened: 1, alerts: 0 }, // A (D canceled)
        { start: '2026-03-06T00:00:00-05:00', source: 'api', opened: 0, alerts: 0 },
        { start: '2026-03-06T00:00:00-05:00', source: 'slack', opened: 1, alerts: 0 }, // E at 23:30
        { start: '2026-03-06T00:00:00-05:00', source: 'servicenow', opened: 0, alerts: 0 },
        { start: '2026-03-06T00:00:00-05:00', source: 'webhook', opened: 1, alerts: 3 }, // B
        { start: '2026-03-07T00:00:00-05:00', source: 'console', opened: 0, alerts: 0 },
        { start: '2026-03-07T00:00:00-05:00', source: 'api', opened: 1, alerts: 0 }, // C
        { start: '2026-03-07T00:00:00-05:00', source: 'slack', opened: 0, alerts: 0 },
        { start: '2026-03-07T00:00:00-05:00', source: 'servicenow', opened: 0, alerts: 0 },
        { start: '2026-03-07T00:00:00-05:00', source: 'webhook', opened: 0, alerts: 0 },
      ]);
      expect(body.totals).toEqual([
        { source: 'console', opened: 1, alerts: 0 },
        { source: 'api', opened: 1, alerts: 0 },
        { source: 'slack', opened: 1, alerts: 0 },
        { source: 'servicenow', opened: 0, alerts: 0 },
        { source: 'webhook', opened: 1, alerts: 3 },
      ]);
    });
  });

  describe('GET /api/analytics/backlog', () => {
    it('shows the open incidents by state × priority, assignee and group as of the refresh', async () => {
      const res = await get('/api/analytics/backlog?priority=1').expect(200);
      expect(res.body).toMatchObject({
        priority: 1,
        totals: { open: 2, unacknowledged: 1, overdue: 2 },
        byState: [
          {
            state: 'new',
            priority: 1,
            open: 1,
            unacknowledged: 1,
            overdue: 1,
            oldestOpenedAt: '2026-03-06T15:00:00.000Z',
          },
          { state: 'in_progress', priority: 1, open: 1, unacknowledged: 0, overdue: 1 },
        ],
        byAssignee: [{ assigneeId: null, name: null, open: 2, unacknowledged: 1, overdue: 2 }],
        byGroup: [{ group: null, open: 2, unacknowledged: 1, overdue: 2 }],
      });
    });
  });

  describe('a reopened incident through the API', () => {
    it('counts once, at its final resolution', async () => {
      const responder = await givenUser(t, 'responder');
      const act = (id: string, action: string, body: object = {}) =>
        t.http
          .post(`/api/incidents/${id}/${action}`)
          .set('authorization', responder.bearer)
          .send(body)
          .expect(200);
      const created = await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .send({ title: 'Reopened for analytics', impact: 3, urgency: 3 })
        .expect(201);
      const id = (created.body as { id: string }).id;
      await act(id, 'acknowledge');
      const resolution = { closeCode: 'Solution provided', closeNotes: 'Restarted' };
      await act(id, 'resolve', resolution);
      await act(id, 'reopen', { reason: 'Came back' });
      const final = (await act(id, 'resolve', resolution)).body as { openedAt: string; resolvedAt: string };
      await t.app.get(AnalyticsRefresher).refresh('manual');
      const res = await get('/api/analytics/summary?priority=5').expect(200);
      const mttr = (res.body as { mttr: { current: Point } }).mttr.current;
      expect(mttr.count).toBe(1);
      expect(mttr.mean).toBeCloseTo((Date.parse(final.resolvedAt) - Date.parse(final.openedAt)) / 1000, 3);
    });
  });
});
