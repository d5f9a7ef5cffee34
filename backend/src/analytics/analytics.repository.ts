import type { EntityManager } from 'typeorm';

/*
 * Every analytics query, one named SQL constant each, reading the materialized views only
 * (docs/metrics.md). Parameters: $1 from and $2 to (instants, to exclusive), $3 bucket
 * (hour, day or week), $4 the IANA time zone, $5 the priority or NULL for all.
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
 * The same answer for UTC days, read from the UTC day × priority view (priority 0: all), when the
 * range is whole UTC days: the view already holds each day's mean, median and p90.
 */
export const RESPONSE_TIMES_UTC_DAYS_SQL = `
  WITH ${BUCKETS_CTE}
  SELECT ${BUCKET_COLUMNS},
         coalesce(d.acknowledged, 0) AS mtta_count, d.mtta_mean_s AS mtta_mean, d.mtta_median_s AS mtta_median, d.mtta_p90_s AS mtta_p90,
         coalesce(d.resolved, 0) AS mttr_count, d.mttr_mean_s AS mttr_mean, d.mttr_median_s AS mttr_median, d.mttr_p90_s AS mttr_p90
    FROM buckets
    LEFT JOIN analytics_daily_priority d
           ON d.day = (buckets.b AT TIME ZONE 'UTC')::date AND d.priority = coalesce($5::int, 0)
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

/** The SLA for whole UTC days, from the UTC day × priority view. */
export const SLA_UTC_DAYS_SQL = `
  WITH ${BUCKETS_CTE}
  SELECT ${BUCKET_COLUMNS},
         coalesce(d.resolved, 0) AS resolved, coalesce(d.sla_met, 0) AS met, coalesce(d.sla_breached, 0) AS breached
    FROM buckets
    LEFT JOIN analytics_daily_priority d
           ON d.day = (buckets.b AT TIME ZONE 'UTC')::date AND d.priority = coalesce($5::int, 0)
   ORDER BY buckets.b`;

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

/** Zones whose days are UTC days (their offset is always zero). */
const UTC_ZONES = new Set([
  'UTC',
  'Etc/UTC',
  'Etc/UCT',
  'UCT',
  'Etc/GMT',
  'GMT',
  'Etc/Zulu',
  'Zulu',
  'Etc/Universal',
  'Universal',
]);

/** Daily buckets of UTC days over whole days: the UTC day view answers exactly. */
function wholeUtcDays(p: SeriesParameters): boolean {
  const DAY_MS = 86_400_000;
  return (
    p.bucket === 'day' &&
    UTC_ZONES.has(p.tz) &&
    p.from.getTime() % DAY_MS === 0 &&
    p.to.getTime() % DAY_MS === 0
  );
}

/** The queries, on one connection's transaction (AnalyticsService reads in one snapshot). */
export class AnalyticsRepository {
  constructor(private readonly dataSource: Pick<EntityManager, 'query'>) {}

  private series<T>(sql: string, p: SeriesParameters): Promise<T[]> {
    return this.dataSource.query<T[]>(sql, [p.from, p.to, p.bucket, p.tz, p.priority]);
  }

  responseTimes(p: SeriesParameters): Promise<ResponseTimeRow[]> {
    return this.series(wholeUtcDays(p) ? RESPONSE_TIMES_UTC_DAYS_SQL : RESPONSE_TIMES_SQL, p);
  }

  sla(p: SeriesParameters): Promise<SlaRow[]> {
    return this.series(wholeUtcDays(p) ? SLA_UTC_DAYS_SQL : SLA_SQL, p);
  }

  slaByPriority(p: SeriesParameters): Promise<SlaPriorityRow[]> {
    return this.series(SLA_BY_PRIORITY_SQL, p);
  }

  sources(p: SeriesParameters): Promise<SourceRow[]> {
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
