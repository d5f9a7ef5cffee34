import type { EntityManager } from 'typeorm';

/*
 * Every analytics query, one named SQL constant each, reading the analytics tables and views only
 * (docs/metrics.md). Parameters: $1 from and $2 to (instants, to exclusive), $3 bucket
 * (hour, day or week), $4 the IANA time zone, $5 the priority or NULL for all; the bucket-table
 * queries also $6, the refresh time.
 *
 * Three sources, chosen per request (AnalyticsRepository.routeOf):
 * - "buckets": a zone of ANALYTICS_TIME_ZONES that is built, day or week buckets: the day/week
 *   tables hold each bucket's figures. A bucket the range covers only in part (an instant for
 *   `from`, or `to` before the bucket's end while the bucket ends before the refresh) is computed
 *   from the facts over its covered part.
 * - "hourly": hour buckets of a whole-hour-offset zone over the 7 days the hourly view keeps.
 * - "facts": anything else (a zone not configured, older hours): from the per-incident facts.
 *
 * Buckets are that zone's hours, days or ISO weeks (Monday): `date_trunc(bucket, t, zone)` maps
 * an instant to the instant its local bucket starts, so a DST day is 23 or 25 hours long and the
 * repeated hour of a fall-back is two buckets. The bucket list comes from an hourly grid over the
 * range (every local bucket holds at least one grid point) plus the bucket of the range's last
 * instant, so empty buckets are answered too.
 */
const BUCKETS_CTE = `
  buckets AS (
    SELECT DISTINCT date_trunc($3, g, $4) AS b
      FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 microsecond', interval '1 hour') g
    UNION
    SELECT date_trunc($3, $2::timestamptz - interval '1 microsecond', $4)
  )`;

/** The bucket's start as an instant, as local wall time and its UTC offset (minutes) in the zone. */
const BUCKET_COLUMNS = `
  buckets.b AS start,
  to_char(buckets.b AT TIME ZONE $4, 'YYYY-MM-DD"T"HH24:MI:SS') AS local,
  (extract(epoch FROM (buckets.b AT TIME ZONE $4) - (buckets.b AT TIME ZONE 'UTC')) / 60)::int AS offset_minutes`;

/**
 * MTTA (opened → first acknowledgement) over the acknowledgements in each bucket and MTTR
 * (opened → resolution) over the resolutions in each bucket, per incident row of the facts view:
 * exact medians and 90th percentiles (`percentile_cont`, linear interpolation) for any zone.
 */
export const RESPONSE_TIMES_SQL = `
  WITH ${BUCKETS_CTE},
  ack AS (
    SELECT date_trunc($3, acknowledged_at, $4) AS b, count(*)::int AS n, avg(tta_s) AS mean,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta_s) AS pct
      FROM analytics_incident_facts
     WHERE acknowledged_at >= $1 AND acknowledged_at < $2 AND ($5::int IS NULL OR priority = $5)
     GROUP BY 1),
  res AS (
    SELECT date_trunc($3, resolved_at, $4) AS b, count(*)::int AS n, avg(ttr_s) AS mean,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttr_s) AS pct
      FROM analytics_incident_facts
     WHERE resolved_at >= $1 AND resolved_at < $2 AND ($5::int IS NULL OR priority = $5)
     GROUP BY 1)
  SELECT ${BUCKET_COLUMNS},
         coalesce(ack.n, 0) AS mtta_count, ack.mean AS mtta_mean, ack.pct[1] AS mtta_median, ack.pct[2] AS mtta_p90,
         coalesce(res.n, 0) AS mttr_count, res.mean AS mttr_mean, res.pct[1] AS mttr_median, res.pct[2] AS mttr_p90
    FROM buckets
    LEFT JOIN ack ON ack.b = buckets.b
    LEFT JOIN res ON res.b = buckets.b
   ORDER BY buckets.b`;

/**
 * The buckets with their ends and whether the range covers them whole (then the bucket table
 * answers): starting at or after `from`, and ending by `to` or `to` at or after the refresh (no
 * milestone lies after the refresh). `part`: the covered part of the others, read from the facts.
 */
const SPANS_CTE = `
  ${BUCKETS_CTE},
  spans AS (
    SELECT b, e, b >= $1::timestamptz AND (e <= $2::timestamptz OR $2::timestamptz >= $6::timestamptz) AS whole
      FROM (SELECT b, ((b AT TIME ZONE $4) + ('1 ' || $3)::interval) AT TIME ZONE $4 AS e FROM buckets) x),
  part AS (SELECT b, greatest(b, $1::timestamptz) AS lo, least(e, $2::timestamptz) AS hi FROM spans WHERE NOT whole)`;

/** The day or week table of a grain, and its key column. */
function bucketTable(grain: 'day' | 'week'): { table: string; key: string } {
  return grain === 'day'
    ? { table: 'analytics_daily_priority', key: 'day' }
    : { table: 'analytics_weekly_priority', key: 'week' };
}

/** The bucket table's row of a whole bucket (the zone's local date of its start). */
function bucketJoin(grain: 'day' | 'week', priority: string): string {
  const { table, key } = bucketTable(grain);
  return `LEFT JOIN ${table} d ON buckets.whole AND d.zone = $4 AND d.${key} = (buckets.b AT TIME ZONE $4)::date AND d.priority = ${priority}`;
}

/** MTTA and MTTR from the day or week table of a configured zone (parts of buckets from the facts). */
function responseTimesBucketsSql(grain: 'day' | 'week'): string {
  return `
  WITH ${SPANS_CTE},
  ack AS (
    SELECT part.b, count(*)::int AS n, avg(f.tta_s) AS mean,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY f.tta_s) AS pct
      FROM part JOIN analytics_incident_facts f ON f.acknowledged_at >= part.lo AND f.acknowledged_at < part.hi
     WHERE ($5::int IS NULL OR f.priority = $5)
     GROUP BY part.b),
  res AS (
    SELECT part.b, count(*)::int AS n, avg(f.ttr_s) AS mean,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY f.ttr_s) AS pct
      FROM part JOIN analytics_incident_facts f ON f.resolved_at >= part.lo AND f.resolved_at < part.hi
     WHERE ($5::int IS NULL OR f.priority = $5)
     GROUP BY part.b)
  SELECT ${BUCKET_COLUMNS},
         CASE WHEN buckets.whole THEN coalesce(d.acknowledged, 0) ELSE coalesce(ack.n, 0) END AS mtta_count,
         CASE WHEN buckets.whole THEN d.mtta_mean_s ELSE ack.mean END AS mtta_mean,
         CASE WHEN buckets.whole THEN d.mtta_median_s ELSE ack.pct[1] END AS mtta_median,
         CASE WHEN buckets.whole THEN d.mtta_p90_s ELSE ack.pct[2] END AS mtta_p90,
         CASE WHEN buckets.whole THEN coalesce(d.resolved, 0) ELSE coalesce(res.n, 0) END AS mttr_count,
         CASE WHEN buckets.whole THEN d.mttr_mean_s ELSE res.mean END AS mttr_mean,
         CASE WHEN buckets.whole THEN d.mttr_median_s ELSE res.pct[1] END AS mttr_median,
         CASE WHEN buckets.whole THEN d.mttr_p90_s ELSE res.pct[2] END AS mttr_p90
    FROM spans buckets
    ${bucketJoin(grain, 'coalesce($5::int, 0)')}
    LEFT JOIN ack ON ack.b = buckets.b
    LEFT JOIN res ON res.b = buckets.b
   ORDER BY buckets.b`;
}

export const RESPONSE_TIMES_DAYS_SQL = responseTimesBucketsSql('day');
export const RESPONSE_TIMES_WEEKS_SQL = responseTimesBucketsSql('week');

/** Hours of a whole-hour-offset zone from the hourly view: its UTC hours are the zone's hours. */
export const RESPONSE_TIMES_HOURLY_SQL = `
  WITH ${BUCKETS_CTE}
  SELECT ${BUCKET_COLUMNS},
         coalesce(h.acknowledged, 0) AS mtta_count, h.mtta_mean_s AS mtta_mean, h.mtta_median_s AS mtta_median, h.mtta_p90_s AS mtta_p90,
         coalesce(h.resolved, 0) AS mttr_count, h.mttr_mean_s AS mttr_mean, h.mttr_median_s AS mttr_median, h.mttr_p90_s AS mttr_p90
    FROM buckets
    LEFT JOIN analytics_hourly_priority h ON h.hour = buckets.b AND h.priority = coalesce($5::int, 0)
   ORDER BY buckets.b`;

/** Resolutions per bucket: within the SLA due time (met) or after it (breached). */
export const SLA_SQL = `
  WITH ${BUCKETS_CTE},
  res AS (
    SELECT date_trunc($3, resolved_at, $4) AS b, count(*)::int AS resolved,
           count(*) FILTER (WHERE sla_met)::int AS met, count(*) FILTER (WHERE NOT sla_met)::int AS breached
      FROM analytics_incident_facts
     WHERE resolved_at >= $1 AND resolved_at < $2 AND ($5::int IS NULL OR priority = $5)
     GROUP BY 1)
  SELECT ${BUCKET_COLUMNS},
         coalesce(res.resolved, 0) AS resolved, coalesce(res.met, 0) AS met, coalesce(res.breached, 0) AS breached
    FROM buckets
    LEFT JOIN res ON res.b = buckets.b
   ORDER BY buckets.b`;

/** The SLA per bucket from the day or week table of a configured zone. */
function slaBucketsSql(grain: 'day' | 'week'): string {
  return `
  WITH ${SPANS_CTE},
  res AS (
    SELECT part.b, count(*)::int AS resolved,
           count(*) FILTER (WHERE f.sla_met)::int AS met, count(*) FILTER (WHERE NOT f.sla_met)::int AS breached
      FROM part JOIN analytics_incident_facts f ON f.resolved_at >= part.lo AND f.resolved_at < part.hi
     WHERE ($5::int IS NULL OR f.priority = $5)
     GROUP BY part.b)
  SELECT ${BUCKET_COLUMNS},
         CASE WHEN buckets.whole THEN coalesce(d.resolved, 0) ELSE coalesce(res.resolved, 0) END AS resolved,
         CASE WHEN buckets.whole THEN coalesce(d.sla_met, 0) ELSE coalesce(res.met, 0) END AS met,
         CASE WHEN buckets.whole THEN coalesce(d.sla_breached, 0) ELSE coalesce(res.breached, 0) END AS breached
    FROM spans buckets
    ${bucketJoin(grain, 'coalesce($5::int, 0)')}
    LEFT JOIN res ON res.b = buckets.b
   ORDER BY buckets.b`;
}

export const SLA_DAYS_SQL = slaBucketsSql('day');
export const SLA_WEEKS_SQL = slaBucketsSql('week');

/** The SLA of hours from the hourly view. */
export const SLA_HOURLY_SQL = `
  WITH ${BUCKETS_CTE}
  SELECT ${BUCKET_COLUMNS},
         coalesce(h.resolved, 0) AS resolved, coalesce(h.sla_met, 0) AS met, coalesce(h.sla_breached, 0) AS breached
    FROM buckets
    LEFT JOIN analytics_hourly_priority h ON h.hour = buckets.b AND h.priority = coalesce($5::int, 0)
   ORDER BY buckets.b`;

/** The SLA over the whole range per priority, from the bucket table (parts from the facts). */
function slaByPriorityBucketsSql(grain: 'day' | 'week'): string {
  const { table, key } = bucketTable(grain);
  return `
  WITH ${SPANS_CTE},
  r AS (
    SELECT d.priority, d.resolved, d.sla_met AS met, d.sla_breached AS breached
      FROM spans JOIN ${table} d ON spans.whole AND d.zone = $4 AND d.${key} = (spans.b AT TIME ZONE $4)::date
     WHERE d.priority <> 0 AND ($5::int IS NULL OR d.priority = $5)
    UNION ALL
    SELECT f.priority, 1, f.sla_met::int, (NOT f.sla_met)::int
      FROM part JOIN analytics_incident_facts f ON f.resolved_at >= part.lo AND f.resolved_at < part.hi
     WHERE ($5::int IS NULL OR f.priority = $5))
  SELECT priority::int AS priority, sum(resolved)::int AS resolved, sum(met)::int AS met, sum(breached)::int AS breached
    FROM r
   GROUP BY priority
  HAVING sum(resolved) > 0
   ORDER BY priority`;
}

export const SLA_BY_PRIORITY_DAYS_SQL = slaByPriorityBucketsSql('day');
export const SLA_BY_PRIORITY_WEEKS_SQL = slaByPriorityBucketsSql('week');

/** The SLA per priority over hours, from the hourly view. */
export const SLA_BY_PRIORITY_HOURLY_SQL = `
  SELECT priority::int AS priority, sum(resolved)::int AS resolved,
         sum(sla_met)::int AS met, sum(sla_breached)::int AS breached
    FROM analytics_hourly_priority
   WHERE hour >= $1 AND hour < $2 AND priority <> 0 AND ($5::int IS NULL OR priority = $5)
     AND $3::text IS NOT NULL AND $4::text IS NOT NULL
   GROUP BY priority
  HAVING sum(resolved) > 0
   ORDER BY priority`;

/** The same over the whole range, per priority ($3 and $4 unused: the same parameter list). */
export const SLA_BY_PRIORITY_SQL = `
  SELECT priority::int AS priority, count(*)::int AS resolved,
         count(*) FILTER (WHERE sla_met)::int AS met, count(*) FILTER (WHERE NOT sla_met)::int AS breached
    FROM analytics_incident_facts
   WHERE resolved_at >= $1 AND resolved_at < $2 AND ($5::int IS NULL OR priority = $5)
     AND $3::text IS NOT NULL AND $4::text IS NOT NULL
   GROUP BY priority
   ORDER BY priority`;

/** Incidents opened per source and bucket, every source in every bucket (zeros included). */
export const SOURCES_SQL = `
  WITH ${BUCKETS_CTE},
  sources(source, ord) AS (VALUES ('console', 1), ('api', 2), ('slack', 3), ('servicenow', 4), ('webhook', 5)),
  c AS (
    SELECT date_trunc($3, slot, $4) AS b, source, sum(opened)::int AS opened, sum(alerts)::int AS alerts
      FROM analytics_source_counts
     WHERE slot >= $1 AND slot < $2 AND ($5::int IS NULL OR priority = $5)
     GROUP BY 1, 2)
  SELECT ${BUCKET_COLUMNS}, sources.source, coalesce(c.opened, 0) AS opened, coalesce(c.alerts, 0) AS alerts
    FROM buckets
   CROSS JOIN sources
    LEFT JOIN c ON c.b = buckets.b AND c.source = sources.source
   ORDER BY buckets.b, sources.ord`;

/**
 * Openings per source from the zone's day table (weeks: their seven days); buckets the range
 * covers in part from the 15-minute slots.
 */
export const SOURCES_BUCKETS_SQL = `
  WITH ${SPANS_CTE},
  sources(source, ord) AS (VALUES ('console', 1), ('api', 2), ('slack', 3), ('servicenow', 4), ('webhook', 5)),
  c AS (
    SELECT spans.b, ds.source, sum(ds.opened)::int AS opened, sum(ds.alerts)::int AS alerts
      FROM spans JOIN analytics_daily_sources ds
        ON spans.whole AND ds.zone = $4
       AND ds.day >= (spans.b AT TIME ZONE $4)::date AND ds.day < (spans.e AT TIME ZONE $4)::date
     WHERE ($5::int IS NULL OR ds.priority = $5)
     GROUP BY 1, 2
    UNION ALL
    SELECT part.b, sc.source, sum(sc.opened)::int, sum(sc.alerts)::int
      FROM part JOIN analytics_source_counts sc ON sc.slot >= part.lo AND sc.slot < part.hi
     WHERE ($5::int IS NULL OR sc.priority = $5)
     GROUP BY 1, 2)
  SELECT ${BUCKET_COLUMNS}, sources.source, coalesce(c.opened, 0) AS opened, coalesce(c.alerts, 0) AS alerts
    FROM spans buckets
   CROSS JOIN sources
    LEFT JOIN c ON c.b = buckets.b AND c.source = sources.source
   ORDER BY buckets.b, sources.ord`;

/** Is the zone's day and week buckets table complete (configured and backfilled)? */
export const ZONE_BUILT_SQL = `SELECT built_at IS NOT NULL AS built FROM analytics_zones WHERE zone = $1`;

/** Is every UTC offset the zone has over [$1, $2] a whole number of hours? */
export const WHOLE_HOUR_OFFSETS_SQL = `
  SELECT bool_and(extract(epoch FROM (g AT TIME ZONE $3) - (g AT TIME ZONE 'UTC'))::int % 3600 = 0) AS whole
    FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 hour') g`;

/**
 * The summary's figures for one period [$1, $2): MTTA and MTTR over its acknowledgements and
 * resolutions, the SLA of its resolutions, and the incidents open (and open unacknowledged) at its
 * end. "Open at t": opened before t and not resolved at t, in two index-friendly halves (never
 * resolved; resolved at or after t). Run once per period with the period's own bounds, so the
 * planner sees them (a recent t makes "resolved at or after t" a short walk of the resolution
 * index; given both periods at once it walked the opening index over every incident).
 */
export const SUMMARY_PERIOD_SQL = `
  SELECT ack.n AS mtta_count, ack.mean AS mtta_mean, ack.pct[1] AS mtta_median, ack.pct[2] AS mtta_p90,
         res.n AS mttr_count, res.mean AS mttr_mean, res.pct[1] AS mttr_median, res.pct[2] AS mttr_p90,
         res.met AS sla_met, res.breached AS sla_breached,
         o.open, o.unacknowledged
    FROM (SELECT count(*)::int AS n, avg(tta_s) AS mean,
                 percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta_s) AS pct
            FROM analytics_incident_facts
           WHERE acknowledged_at >= $1 AND acknowledged_at < $2 AND ($3::int IS NULL OR priority = $3)) ack,
         (SELECT count(*)::int AS n, avg(ttr_s) AS mean,
                 percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttr_s) AS pct,
                 count(*) FILTER (WHERE sla_met)::int AS met, count(*) FILTER (WHERE NOT sla_met)::int AS breached
            FROM analytics_incident_facts
           WHERE resolved_at >= $1 AND resolved_at < $2 AND ($3::int IS NULL OR priority = $3)) res,
         (SELECT count(*)::int AS open,
                 count(*) FILTER (WHERE acknowledged_at IS NULL OR acknowledged_at >= $2)::int AS unacknowledged
            FROM (SELECT acknowledged_at FROM analytics_incident_facts
                   WHERE resolved_at IS NULL AND opened_at < $2 AND ($3::int IS NULL OR priority = $3)
                  UNION ALL
                  SELECT acknowledged_at FROM analytics_incident_facts
                   WHERE resolved_at >= $2 AND opened_at < $2 AND ($3::int IS NULL OR priority = $3)) x) o`;

/** Open incidents by state × priority as of the refresh. */
export const BACKLOG_BY_STATE_SQL = `
  SELECT state, priority::int AS priority, open, unacknowledged, overdue, oldest_opened_at
    FROM analytics_backlog
   WHERE ($1::int IS NULL OR priority = $1)
   ORDER BY array_position(ARRAY['new', 'in_progress', 'on_hold'], state), priority`;

/** Open load per assignee ('' = unassigned), busiest first. */
export const LOAD_BY_ASSIGNEE_SQL = `
  SELECT assignee_key, max(assignee_name) AS assignee_name,
         sum(open)::int AS open, sum(unacknowledged)::int AS unacknowledged, sum(overdue)::int AS overdue
    FROM analytics_load
   WHERE ($1::int IS NULL OR priority = $1)
   GROUP BY assignee_key
   ORDER BY sum(open) DESC, assignee_key`;

/** Open load per assignment group ('' = none), busiest first. */
export const LOAD_BY_GROUP_SQL = `
  SELECT group_key, sum(open)::int AS open, sum(unacknowledged)::int AS unacknowledged, sum(overdue)::int AS overdue
    FROM analytics_load
   WHERE ($1::int IS NULL OR priority = $1)
   GROUP BY group_key
   ORDER BY sum(open) DESC, group_key`;

/** Local midnight of a date in a zone, as an instant. */
export const LOCAL_MIDNIGHT_SQL = `SELECT ($1::date::timestamp AT TIME ZONE $2) AS at`;

/** The local days ending with the one holding instant $1 in zone $2: $3 days, as instants. */
export const LOCAL_DAYS_SQL = `
  SELECT ((($1::timestamptz AT TIME ZONE $2)::date - ($3::int - 1))::timestamp AT TIME ZONE $2) AS from,
         ((($1::timestamptz AT TIME ZONE $2)::date + 1)::timestamp AT TIME ZONE $2) AS to`;

export interface BucketRow {
  readonly start: Date;
  readonly local: string;
  readonly offset_minutes: number;
}

export interface ResponseTimeRow extends BucketRow {
  readonly mtta_count: number;
  readonly mtta_mean: number | null;
  readonly mtta_median: number | null;
  readonly mtta_p90: number | null;
  readonly mttr_count: number;
  readonly mttr_mean: number | null;
  readonly mttr_median: number | null;
  readonly mttr_p90: number | null;
}

export interface SlaRow extends BucketRow {
  readonly resolved: number;
  readonly met: number;
  readonly breached: number;
}

export interface SlaPriorityRow {
  readonly priority: number;
  readonly resolved: number;
  readonly met: number;
  readonly breached: number;
}

export interface SourceRow extends BucketRow {
  readonly source: string;
  readonly opened: number;
  readonly alerts: number;
}

export interface SummaryRow {
  readonly mtta_count: number;
  readonly mtta_mean: number | null;
  readonly mtta_median: number | null;
  readonly mtta_p90: number | null;
  readonly mttr_count: number;
  readonly mttr_mean: number | null;
  readonly mttr_median: number | null;
  readonly mttr_p90: number | null;
  readonly sla_met: number;
  readonly sla_breached: number;
  readonly open: number;
  readonly unacknowledged: number;
}

export interface BacklogStateRow {
  readonly state: string;
  readonly priority: number;
  readonly open: number;
  readonly unacknowledged: number;
  readonly overdue: number;
  readonly oldest_opened_at: Date;
}

export interface LoadAssigneeRow {
  readonly assignee_key: string;
  readonly assignee_name: string | null;
  readonly open: number;
  readonly unacknowledged: number;
  readonly overdue: number;
}

export interface LoadGroupRow {
  readonly group_key: string;
  readonly open: number;
  readonly unacknowledged: number;
  readonly overdue: number;
}

/** A series query's parameters, already checked (AnalyticsParameters). */
export interface SeriesParameters {
  readonly from: Date;
  readonly to: Date;
  readonly bucket: 'hour' | 'day' | 'week';
  readonly tz: string;
  readonly priority: number | null;
}

/** Where a series is read from (see the top of this file). */
export type SeriesRoute = 'buckets' | 'hourly' | 'facts';

const HOUR_MS = 3_600_000;
/** The hourly view keeps the 7 days before its refresh's hour. */
const HOURLY_DAYS = 7;
/** The queries, on one connection's transaction (AnalyticsService reads in one snapshot). */
export class AnalyticsRepository {
  constructor(private readonly dataSource: Pick<EntityManager, 'query'>) {}

  private series<T>(sql: string, p: SeriesParameters, refreshedAt?: Date): Promise<T[]> {
    const params: unknown[] = [p.from, p.to, p.bucket, p.tz, p.priority];
    if (refreshedAt) params.push(refreshedAt);
    return this.dataSource.query<T[]>(sql, params);
  }

  /**
   * Where this series is read from: the bucket tables for a built zone's days and weeks, the
   * hourly view for whole hours of the last 7 days in a zone whose offsets are whole hours, else
   * the facts.
   */
  async routeOf(p: SeriesParameters, refreshedAt: Date): Promise<SeriesRoute> {
    if (p.bucket !== 'hour') {
      const [row] = await this.dataSource.query<{ built: boolean }[]>(ZONE_BUILT_SQL, [p.tz]);
      return row?.built ? 'buckets' : 'facts';
    }
    const since = Math.floor(refreshedAt.getTime() / HOUR_MS) * HOUR_MS - HOURLY_DAYS * 24 * HOUR_MS;
    const aligned =
      p.from.getTime() % HOUR_MS === 0 &&
      (p.to.getTime() % HOUR_MS === 0 || p.to.getTime() >= refreshedAt.getTime());
    if (!aligned || p.from.getTime() < since) return 'facts';
    const [row] = await this.dataSource.query<{ whole: boolean }[]>(WHOLE_HOUR_OFFSETS_SQL, [
      p.from,
      p.to,
      p.tz,
    ]);
    return row?.whole ? 'hourly' : 'facts';
  }

  responseTimes(p: SeriesParameters, route: SeriesRoute, refreshedAt: Date): Promise<ResponseTimeRow[]> {
    if (route === 'hourly') return this.series(RESPONSE_TIMES_HOURLY_SQL, p);
    if (route === 'facts') return this.series(RESPONSE_TIMES_SQL, p);
    return this.series(
      p.bucket === 'week' ? RESPONSE_TIMES_WEEKS_SQL : RESPONSE_TIMES_DAYS_SQL,
      p,
      refreshedAt,
    );
  }

  sla(p: SeriesParameters, route: SeriesRoute, refreshedAt: Date): Promise<SlaRow[]> {
    if (route === 'hourly') return this.series(SLA_HOURLY_SQL, p);
    if (route === 'facts') return this.series(SLA_SQL, p);
    return this.series(p.bucket === 'week' ? SLA_WEEKS_SQL : SLA_DAYS_SQL, p, refreshedAt);
  }

  slaByPriority(p: SeriesParameters, route: SeriesRoute, refreshedAt: Date): Promise<SlaPriorityRow[]> {
    if (route === 'hourly') return this.series(SLA_BY_PRIORITY_HOURLY_SQL, p);
    if (route === 'facts') return this.series(SLA_BY_PRIORITY_SQL, p);
    return this.series(
      p.bucket === 'week' ? SLA_BY_PRIORITY_WEEKS_SQL : SLA_BY_PRIORITY_DAYS_SQL,
      p,
      refreshedAt,
    );
  }

  sources(p: SeriesParameters, route: SeriesRoute, refreshedAt: Date): Promise<SourceRow[]> {
    if (route === 'buckets') return this.series(SOURCES_BUCKETS_SQL, p, refreshedAt);
    return this.series(SOURCES_SQL, p);
  }

  /** The period [from, to) and the one before it, as long. */
  async summary(
    from: Date,
    to: Date,
    priority: number | null,
  ): Promise<{ current: SummaryRow; previous: SummaryRow }> {
    const period = async (lo: Date, hi: Date): Promise<SummaryRow> => {
      const [row] = await this.dataSource.query<SummaryRow[]>(SUMMARY_PERIOD_SQL, [lo, hi, priority]);
      if (!row) throw new Error('summary: no row');
      return row;
    };
    const previousFrom = new Date(2 * from.getTime() - to.getTime());
    return { current: await period(from, to), previous: await period(previousFrom, from) };
  }

  backlogByState(priority: number | null): Promise<BacklogStateRow[]> {
    return this.dataSource.query<BacklogStateRow[]>(BACKLOG_BY_STATE_SQL, [priority]);
  }

  loadByAssignee(priority: number | null): Promise<LoadAssigneeRow[]> {
    return this.dataSource.query<LoadAssigneeRow[]>(LOAD_BY_ASSIGNEE_SQL, [priority]);
  }

  loadByGroup(priority: number | null): Promise<LoadGroupRow[]> {
    return this.dataSource.query<LoadGroupRow[]>(LOAD_BY_GROUP_SQL, [priority]);
  }

  /** The `days` local days up to and including the one holding `at`, as [from, to). */
  async localDays(at: Date, tz: string, days: number): Promise<{ from: Date; to: Date }> {
    const [row] = await this.dataSource.query<{ from: Date; to: Date }[]>(LOCAL_DAYS_SQL, [at, tz, days]);
    if (!row) throw new Error('local days: no row');
    return row;
  }

  async localMidnight(date: string, tz: string): Promise<Date> {
    const [row] = await this.dataSource.query<{ at: Date }[]>(LOCAL_MIDNIGHT_SQL, [date, tz]);
    if (!row) throw new Error('local midnight: no row');
    return row.at;
  }
}
