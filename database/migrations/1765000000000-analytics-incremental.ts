import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AnalyticsViews1764930000000 } from './1764930000000-analytics-views';

/**
 * Analytics, maintained incrementally (docs/metrics.md, "Refresh"). The first analytics migration
 * kept every figure in materialized views; a concurrent refresh of the per-incident facts view
 * diffs all of its rows, so at 1,000,000 incidents one refresh took 120.7 s (target 5 s), and any
 * zone but UTC was aggregated from the facts at query time. Here:
 *
 * - `analytics_incident_facts` is a TABLE with the same columns and the same milestone rules (the
 *   rules live once, in the plain view `analytics_incident_facts_now` over incidents). A refresh
 *   rewrites only the incidents changed since the last one: those the `analytics` delivery
 *   consumer marked in `analytics_dirty_incidents` (it consumes every incident event), and those
 *   whose `updated_at` passed the reconcile watermark (a write made without an event, such as SQL
 *   by hand, and anything a lost mark missed).
 * - Day and ISO-week (Monday) pre-aggregates per configured zone × bucket × priority (0: all,
 *   computed, not summed) are TABLES; a refresh recomputes only the buckets holding the changed
 *   incidents' old and new milestones, from the facts by index range scans. The same function
 *   builds every bucket of a zone, so an incremental bucket is by construction a rebuilt one.
 * - The opened counts per source are tables too: per 15-minute UTC slot (any zone's hours) and per
 *   configured zone's day.
 * - The hourly (7 days), backlog and load views stay materialized views refreshed CONCURRENTLY:
 *   they read a week of facts or the open incidents only (a partial index), so they are small.
 *
 * `analytics_rebuild(zones)` recomputes everything from scratch (this migration, the bench, a
 * repair): it truncates, so it takes an exclusive lock on the tables while it runs.
 */
export class AnalyticsIncremental1765000000000 implements MigrationInterface {
  name = 'AnalyticsIncremental1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP MATERIALIZED VIEW analytics_source_counts');
    await q.query('DROP MATERIALIZED VIEW analytics_load');
    await q.query('DROP MATERIALIZED VIEW analytics_backlog');
    await q.query('DROP MATERIALIZED VIEW analytics_hourly_priority');
    await q.query('DROP MATERIALIZED VIEW analytics_daily_priority');
    await q.query('DROP MATERIALIZED VIEW analytics_incident_facts');

    // The one definition of an incident's milestones (unchanged from 1764930000000). Canceled
    // incidents are left out of every metric. `acknowledged_at` is the first acknowledgement.
    // `resolved_at` is the resolution in force, only while Resolved or Closed: a reopen clears it,
    // so a reopened incident counts once, at its final resolution. Durations are seconds, never
    // negative (clock skew of an imported incident cannot make one).
    await q.query(`
      CREATE VIEW analytics_incident_facts_now AS
      SELECT i.id,
             i.priority,
             i.source,
             i.state,
             i.assignee_id,
             i.assignment_group,
             i.alert_count,
             i.opened_at,
             i.acknowledged_at,
             r.resolved_at,
             i.sla_due_at,
             greatest(0, extract(epoch FROM i.acknowledged_at - i.opened_at))::float8 AS tta_s,
             greatest(0, extract(epoch FROM r.resolved_at - i.opened_at))::float8 AS ttr_s,
             CASE WHEN r.resolved_at IS NOT NULL THEN r.resolved_at <= i.sla_due_at END AS sla_met
        FROM incidents i
        CROSS JOIN LATERAL (
          SELECT CASE WHEN i.state IN ('resolved', 'closed') THEN i.resolved_at END AS resolved_at
        ) r
       WHERE i.state <> 'canceled'`);
    // The same columns, kept: one row per counted incident as of the last refresh.
    await q.query(
      `CREATE TABLE analytics_incident_facts AS SELECT * FROM analytics_incident_facts_now WITH NO DATA`,
    );
    await q.query(
      `ALTER TABLE analytics_incident_facts ADD CONSTRAINT analytics_incident_facts_pkey PRIMARY KEY (id)`,
    );
    // The series read one milestone over a time range; INCLUDE lets them answer from the index.
    await q.query(`
      CREATE INDEX analytics_incident_facts_acknowledged ON analytics_incident_facts (acknowledged_at)
        INCLUDE (priority, tta_s) WHERE acknowledged_at IS NOT NULL`);
    await q.query(`
      CREATE INDEX analytics_incident_facts_resolved ON analytics_incident_facts (resolved_at)
        INCLUDE (priority, ttr_s, sla_met) WHERE resolved_at IS NOT NULL`);
    await q.query(`
      CREATE INDEX analytics_incident_facts_opened ON analytics_incident_facts (opened_at)
        INCLUDE (priority, acknowledged_at, resolved_at, source, alert_count)`);
    await q.query(`
      CREATE INDEX analytics_incident_facts_unresolved ON analytics_incident_facts (opened_at)
        INCLUDE (priority, acknowledged_at) WHERE resolved_at IS NULL`);
    // Backlog and load read only the open incidents (a few thousand of a million).
    await q.query(`
      CREATE INDEX analytics_incident_facts_open ON analytics_incident_facts (state, priority)
        INCLUDE (acknowledged_at, sla_due_at, opened_at, assignee_id, assignment_group)
        WHERE state IN ('new', 'in_progress', 'on_hold')`);

    // Incidents to rewrite at the next refresh. Append-only (a sequence, not the incident id, is
    // the key): the refresh deletes exactly the rows its snapshot saw, so a mark made while it
    // runs stays for the next one and nothing ever waits on or conflicts with a row lock.
    await q.query(`
      CREATE TABLE analytics_dirty_incidents (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id uuid NOT NULL,
        marked_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The newest incidents.updated_at a refresh has seen; the next re-reads from a minute before
    // it (transactions that committed after that refresh's snapshot with an older updated_at).
    await q.query(`
      CREATE TABLE analytics_watermark (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        updated_at timestamptz NOT NULL
      )`);
    // The zones whose day and week buckets are kept (ANALYTICS_TIME_ZONES), and since when they
    // are complete: a zone without built_at is being backfilled and is answered from the facts.
    await q.query(`
      CREATE TABLE analytics_zones (
        zone text PRIMARY KEY,
        built_at timestamptz
      )`);

    // Per zone × local day (or ISO week, Monday) × priority (0: every priority, its own exact
    // median and p90): what happened in the bucket, each milestone counted in its own bucket.
    for (const [table, column] of [
      ['analytics_daily_priority', 'day'],
      ['analytics_weekly_priority', 'week'],
    ] as const) {
      await q.query(`
        CREATE TABLE ${table} (
          zone text NOT NULL,
          ${column} date NOT NULL,
          priority smallint NOT NULL,
          opened integer NOT NULL,
          acknowledged integer NOT NULL,
          resolved integer NOT NULL,
          tta_sum_s float8,
          mtta_mean_s float8,
          mtta_median_s float8,
          mtta_p90_s float8,
          ttr_sum_s float8,
          mttr_mean_s float8,
          mttr_median_s float8,
          mttr_p90_s float8,
          sla_met integer NOT NULL,
          sla_breached integer NOT NULL,
          PRIMARY KEY (zone, ${column}, priority)
        )`);
    }
    // Openings and alerts per zone × local day × source × priority (additive: weeks are sums of days).
    await q.query(`
      CREATE TABLE analytics_daily_sources (
        zone text NOT NULL,
        day date NOT NULL,
        source text NOT NULL,
        priority smallint NOT NULL,
        opened integer NOT NULL,
        alerts bigint NOT NULL,
        PRIMARY KEY (zone, day, source, priority)
      )`);
    // The same per 15-minute UTC slot: every zone's offset is a whole number of quarter hours,
    // so any zone's hours (and days, for a zone not configured) are exact sums of slots.
    await q.query(`
      CREATE TABLE analytics_source_counts (
        slot timestamptz NOT NULL,
        source text NOT NULL,
        priority smallint NOT NULL,
        opened integer NOT NULL,
        alerts bigint NOT NULL,
        PRIMARY KEY (slot, source, priority)
      )`);

    // The buckets `starts` (local dates) of `zone` at grain 'day' or 'week', recomputed from the
    // facts: each bucket is [local midnight of start, of the next start) (23 or 25 hours on a DST
    // day) and each milestone is found by a range scan of its index.
    await q.query(`
      CREATE FUNCTION analytics_refresh_buckets(p_zone text, p_grain text, p_starts date[]) RETURNS void
      LANGUAGE plpgsql SET jit = off AS $$
      DECLARE
        tbl text := CASE p_grain WHEN 'day' THEN 'analytics_daily_priority' ELSE 'analytics_weekly_priority' END;
        col text := CASE p_grain WHEN 'day' THEN 'day' ELSE 'week' END;
        step int := CASE p_grain WHEN 'day' THEN 1 ELSE 7 END;
      BEGIN
        IF cardinality(p_starts) = 0 THEN RETURN; END IF;
        EXECUTE format('DELETE FROM %I WHERE zone = $1 AND %I = ANY($2)', tbl, col) USING p_zone, p_starts;
        EXECUTE format($q$
          INSERT INTO %I
          WITH t AS (
            SELECT s AS start, (s::timestamp AT TIME ZONE $1) AS lo, ((s + $3)::timestamp AT TIME ZONE $1) AS hi
              FROM unnest($2::date[]) s
          ), milestones AS (
            SELECT t.start, f.priority, 'opened' AS kind, NULL::float8 AS seconds, NULL::boolean AS sla_met
              FROM t JOIN analytics_incident_facts f ON f.opened_at >= t.lo AND f.opened_at < t.hi
            UNION ALL
            SELECT t.start, f.priority, 'acknowledged', f.tta_s, NULL
              FROM t JOIN analytics_incident_facts f ON f.acknowledged_at >= t.lo AND f.acknowledged_at < t.hi
            UNION ALL
            SELECT t.start, f.priority, 'resolved', f.ttr_s, f.sla_met
              FROM t JOIN analytics_incident_facts f ON f.resolved_at >= t.lo AND f.resolved_at < t.hi
          )
          SELECT $1,
                 start,
                 coalesce(priority, 0)::smallint,
                 count(*) FILTER (WHERE kind = 'opened')::int,
                 count(*) FILTER (WHERE kind = 'acknowledged')::int,
                 count(*) FILTER (WHERE kind = 'resolved')::int,
                 sum(seconds) FILTER (WHERE kind = 'acknowledged'),
                 avg(seconds) FILTER (WHERE kind = 'acknowledged'),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'acknowledged'),
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'acknowledged'),
                 sum(seconds) FILTER (WHERE kind = 'resolved'),
                 avg(seconds) FILTER (WHERE kind = 'resolved'),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'resolved'),
                 percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'resolved'),
                 count(*) FILTER (WHERE kind = 'resolved' AND sla_met)::int,
                 count(*) FILTER (WHERE kind = 'resolved' AND NOT sla_met)::int
            FROM milestones
           GROUP BY GROUPING SETS ((start, priority), (start))$q$, tbl)
          USING p_zone, p_starts, step;
        IF p_grain = 'day' THEN
          DELETE FROM analytics_daily_sources WHERE zone = p_zone AND day = ANY(p_starts);
          INSERT INTO analytics_daily_sources
          SELECT p_zone, t.start, f.source, f.priority, count(*)::int, sum(f.alert_count)::bigint
            FROM (SELECT s AS start, (s::timestamp AT TIME ZONE p_zone) AS lo,
                         ((s + 1)::timestamp AT TIME ZONE p_zone) AS hi
                    FROM unnest(p_starts) s) t
            JOIN analytics_incident_facts f ON f.opened_at >= t.lo AND f.opened_at < t.hi
           GROUP BY t.start, f.source, f.priority;
        END IF;
      END $$`);

    // The 15-minute UTC slots `slots`, recomputed from the facts.
    await q.query(`
      CREATE FUNCTION analytics_refresh_slots(p_slots timestamptz[]) RETURNS void
      LANGUAGE plpgsql SET jit = off AS $$
      BEGIN
        IF cardinality(p_slots) = 0 THEN RETURN; END IF;
        DELETE FROM analytics_source_counts WHERE slot = ANY(p_slots);
        INSERT INTO analytics_source_counts
        SELECT s.slot, f.source, f.priority, count(*)::int, sum(f.alert_count)::bigint
          FROM unnest(p_slots) s(slot)
          JOIN analytics_incident_facts f ON f.opened_at >= s.slot AND f.opened_at < s.slot + interval '15 minutes'
         GROUP BY s.slot, f.source, f.priority;
      END $$`);

    // Every bucket of one zone, from scratch (a zone added to ANALYTICS_TIME_ZONES, a rebuild).
    await q.query(`
      CREATE FUNCTION analytics_build_zone(p_zone text) RETURNS void
      LANGUAGE plpgsql SET jit = off AS $$
      DECLARE
        days date[];
      BEGIN
        DELETE FROM analytics_daily_priority WHERE zone = p_zone;
        DELETE FROM analytics_weekly_priority WHERE zone = p_zone;
        DELETE FROM analytics_daily_sources WHERE zone = p_zone;
        -- Every local day from the earliest milestone to the latest (each end an index look-up);
        -- a day with nothing in it makes no row.
        SELECT coalesce(array_agg(d::date), '{}') INTO days
          FROM (SELECT least(min(opened_at), min(acknowledged_at), min(resolved_at)) AS lo,
                       greatest(max(opened_at), max(acknowledged_at), max(resolved_at)) AS hi
                  FROM analytics_incident_facts) b,
               generate_series((b.lo AT TIME ZONE p_zone)::date::timestamp,
                               (b.hi AT TIME ZONE p_zone)::date::timestamp, interval '1 day') d;
        PERFORM analytics_refresh_buckets(p_zone, 'day', days);
        PERFORM analytics_refresh_buckets(p_zone, 'week',
          (SELECT coalesce(array_agg(DISTINCT date_trunc('week', d::timestamp)::date), '{}') FROM unnest(days) d));
        INSERT INTO analytics_zones (zone, built_at) VALUES (p_zone, now())
          ON CONFLICT (zone) DO UPDATE SET built_at = excluded.built_at;
      END $$`);

    // One incremental step, in the caller's repeatable-read transaction under the refresh lock.
    // Every read of the facts and incidents in it is a look-up of changed ids or a bucket's range:
    // for a day's worth of changes (5,480 ids) the planner preferred reading all million facts
    // rows (1.1 s of an otherwise idle step), so sequential scans are off (the small temporary
    // tables, which have no index, are still scanned):
    // takes the marked incidents and those updated since the watermark, rewrites their facts where
    // they differ, and recomputes the buckets and slots their old and new milestones fall in, for
    // every built zone. Answers how many facts rows changed.
    await q.query(`
      CREATE FUNCTION analytics_apply_changes(p_margin interval DEFAULT interval '1 minute') RETURNS integer
      LANGUAGE plpgsql SET jit = off SET enable_seqscan = off AS $$
      DECLARE
        mark timestamptz;
        newest timestamptz;
        changed integer;
        z text;
      BEGIN
        SELECT updated_at INTO mark FROM analytics_watermark;
        SELECT max(updated_at) INTO newest FROM incidents;
        CREATE TEMP TABLE analytics_step_ids (id uuid PRIMARY KEY) ON COMMIT DROP;
        -- Only the marks this snapshot sees are deleted: one made meanwhile waits for the next refresh.
        WITH marked AS (DELETE FROM analytics_dirty_incidents RETURNING incident_id)
        INSERT INTO analytics_step_ids SELECT DISTINCT incident_id FROM marked ON CONFLICT DO NOTHING;
        -- EXECUTE: planned with the watermark's value, so a range scan of incidents_updated.
        EXECUTE 'INSERT INTO analytics_step_ids SELECT id FROM incidents WHERE updated_at > $1 ON CONFLICT DO NOTHING'
          USING coalesce(mark - p_margin, '-infinity'::timestamptz);
        -- A temporary table has no statistics: without them the joins below were planned for
        -- 1,850 rows and scanned every incident instead of looking the few changed ones up.
        ANALYZE analytics_step_ids;
        CREATE TEMP TABLE analytics_step ON COMMIT DROP AS
          SELECT ids.id,
                 n.id IS NOT NULL AS present,
                 o.opened_at AS o_opened, o.acknowledged_at AS o_ack, o.resolved_at AS o_res,
                 n.opened_at AS n_opened, n.acknowledged_at AS n_ack, n.resolved_at AS n_res,
                 -- What each milestone's bucket reads of the incident: only a bucket whose
                 -- inputs changed is recomputed (resolving a months-old incident touches the day
                 -- and week of its resolution, not those of its opening).
                 (o.opened_at, o.priority) IS DISTINCT FROM (n.opened_at, n.priority) AS opened_changed,
                 (o.acknowledged_at, o.priority, o.tta_s)
                   IS DISTINCT FROM (n.acknowledged_at, n.priority, n.tta_s) AS ack_changed,
                 (o.resolved_at, o.priority, o.ttr_s, o.sla_met)
                   IS DISTINCT FROM (n.resolved_at, n.priority, n.ttr_s, n.sla_met) AS res_changed,
                 (o.opened_at, o.priority, o.source, o.alert_count)
                   IS DISTINCT FROM (n.opened_at, n.priority, n.source, n.alert_count) AS sources_changed
            FROM analytics_step_ids ids
            LEFT JOIN analytics_incident_facts o ON o.id = ids.id
            LEFT JOIN analytics_incident_facts_now n ON n.id = ids.id
           WHERE ROW(o.*) IS DISTINCT FROM ROW(n.*);
        ANALYZE analytics_step;
        SELECT count(*) INTO changed FROM analytics_step;
        -- The instants whose buckets must be recomputed (old and new of each changed milestone),
        -- and the openings whose source counts must be.
        CREATE TEMP TABLE analytics_step_at ON COMMIT DROP AS
          SELECT DISTINCT v.t, v.source_only
            FROM analytics_step c,
                 LATERAL (VALUES (c.o_opened, c.opened_changed, false), (c.n_opened, c.opened_changed, false),
                                 (c.o_ack, c.ack_changed, false), (c.n_ack, c.ack_changed, false),
                                 (c.o_res, c.res_changed, false), (c.n_res, c.res_changed, false),
                                 (c.o_opened, c.sources_changed, true), (c.n_opened, c.sources_changed, true)) v(t, changed, source_only)
           WHERE v.changed AND v.t IS NOT NULL;

        IF changed > 0 THEN
          DELETE FROM analytics_incident_facts f USING analytics_step c WHERE f.id = c.id AND NOT c.present;
          INSERT INTO analytics_incident_facts
          SELECT n.* FROM analytics_incident_facts_now n JOIN analytics_step c ON c.id = n.id AND c.present
          ON CONFLICT (id) DO UPDATE SET
            priority = excluded.priority, source = excluded.source, state = excluded.state,
            assignee_id = excluded.assignee_id, assignment_group = excluded.assignment_group,
            alert_count = excluded.alert_count, opened_at = excluded.opened_at,
            acknowledged_at = excluded.acknowledged_at, resolved_at = excluded.resolved_at,
            sla_due_at = excluded.sla_due_at, tta_s = excluded.tta_s, ttr_s = excluded.ttr_s,
            sla_met = excluded.sla_met;

          FOR z IN SELECT zone FROM analytics_zones WHERE built_at IS NOT NULL LOOP
            -- Days hold the source counts too: a source-only change recomputes its day.
            PERFORM analytics_refresh_buckets(z, 'day', coalesce((
              SELECT array_agg(DISTINCT (t AT TIME ZONE z)::date) FROM analytics_step_at), '{}'));
            PERFORM analytics_refresh_buckets(z, 'week', coalesce((
              SELECT array_agg(DISTINCT date_trunc('week', t AT TIME ZONE z)::date)
                FROM analytics_step_at WHERE NOT source_only), '{}'));
          END LOOP;
          PERFORM analytics_refresh_slots(coalesce((
            SELECT array_agg(DISTINCT date_bin('15 minutes', t, timestamptz '2000-01-01 00:00:00+00'))
              FROM analytics_step_at WHERE source_only), '{}'));
        END IF;

        INSERT INTO analytics_watermark (updated_at) VALUES (coalesce(greatest(mark, newest), mark, newest, now()))
          ON CONFLICT (singleton) DO UPDATE SET updated_at = excluded.updated_at;
        DROP TABLE analytics_step_ids;
        DROP TABLE analytics_step;
        DROP TABLE IF EXISTS analytics_step_at;
        RETURN changed;
      END $$`);

    // Everything from scratch, for exactly `zones`. TRUNCATE: an exclusive lock while it runs
    // (the migration, the bench, a repair), never used by the periodic refresh.
    await q.query(`
      CREATE FUNCTION analytics_rebuild(p_zones text[]) RETURNS void
      LANGUAGE plpgsql SET jit = off AS $$
      DECLARE
        z text;
      BEGIN
        TRUNCATE analytics_incident_facts, analytics_daily_priority, analytics_weekly_priority,
                 analytics_daily_sources, analytics_source_counts, analytics_dirty_incidents, analytics_zones;
        INSERT INTO analytics_incident_facts SELECT * FROM analytics_incident_facts_now;
        INSERT INTO analytics_watermark (updated_at)
          VALUES ((SELECT coalesce(max(updated_at), now()) FROM incidents))
          ON CONFLICT (singleton) DO UPDATE SET updated_at = excluded.updated_at;
        ANALYZE analytics_incident_facts;
        INSERT INTO analytics_source_counts
        SELECT date_bin('15 minutes', opened_at, timestamptz '2000-01-01 00:00:00+00'), source, priority,
               count(*)::int, sum(alert_count)::bigint
          FROM analytics_incident_facts GROUP BY 1, 2, 3;
        FOREACH z IN ARRAY p_zones LOOP
          PERFORM analytics_build_zone(z);
        END LOOP;
        REFRESH MATERIALIZED VIEW analytics_hourly_priority;
        REFRESH MATERIALIZED VIEW analytics_backlog;
        REFRESH MATERIALIZED VIEW analytics_load;
      END $$`);

    // Per UTC hour × priority (0: all) for the 7 days before the refresh: a week of facts.
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_hourly_priority AS
      WITH since AS (SELECT date_trunc('hour', now()) - interval '7 days' AS at),
      milestones AS (
        SELECT date_trunc('hour', opened_at AT TIME ZONE 'UTC') AS hour, priority, 'opened' AS kind,
               NULL::float8 AS seconds, NULL::boolean AS sla_met
          FROM analytics_incident_facts, since WHERE opened_at >= since.at
        UNION ALL
        SELECT date_trunc('hour', acknowledged_at AT TIME ZONE 'UTC'), priority, 'acknowledged', tta_s, NULL
          FROM analytics_incident_facts, since WHERE acknowledged_at >= since.at
        UNION ALL
        SELECT date_trunc('hour', resolved_at AT TIME ZONE 'UTC'), priority, 'resolved', ttr_s, sla_met
          FROM analytics_incident_facts, since WHERE resolved_at >= since.at
      )
      SELECT hour AT TIME ZONE 'UTC' AS hour,
             coalesce(priority, 0)::smallint AS priority,
             count(*) FILTER (WHERE kind = 'opened')::int AS opened,
             count(*) FILTER (WHERE kind = 'acknowledged')::int AS acknowledged,
             count(*) FILTER (WHERE kind = 'resolved')::int AS resolved,
             avg(seconds) FILTER (WHERE kind = 'acknowledged') AS mtta_mean_s,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'acknowledged') AS mtta_median_s,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'acknowledged') AS mtta_p90_s,
             avg(seconds) FILTER (WHERE kind = 'resolved') AS mttr_mean_s,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'resolved') AS mttr_median_s,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'resolved') AS mttr_p90_s,
             count(*) FILTER (WHERE kind = 'resolved' AND sla_met)::int AS sla_met,
             count(*) FILTER (WHERE kind = 'resolved' AND NOT sla_met)::int AS sla_breached
        FROM milestones
       GROUP BY GROUPING SETS ((hour, priority), (hour))`);
    await q.query(
      `CREATE UNIQUE INDEX analytics_hourly_priority_key ON analytics_hourly_priority (hour, priority)`,
    );

    // Open incidents by state × priority, as of the refresh (the open-states partial index).
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_backlog AS
      SELECT state,
             priority,
             count(*)::int AS open,
             count(*) FILTER (WHERE acknowledged_at IS NULL)::int AS unacknowledged,
             count(*) FILTER (WHERE sla_due_at < now())::int AS overdue,
             min(opened_at) AS oldest_opened_at
        FROM analytics_incident_facts
       WHERE state IN ('new', 'in_progress', 'on_hold')
       GROUP BY state, priority`);
    await q.query(`CREATE UNIQUE INDEX analytics_backlog_key ON analytics_backlog (state, priority)`);

    // Open load per group × assignee × priority ('' = none). The assignee key comes from users, so
    // an assignee deleted since the incident's last change (its column set to NULL without an
    // event) counts as unassigned, as the incident now says.
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_load AS
      SELECT coalesce(f.assignment_group, '') AS group_key,
             coalesce(u.id::text, '') AS assignee_key,
             f.priority,
             max(u.name) AS assignee_name,
             count(*)::int AS open,
             count(*) FILTER (WHERE f.acknowledged_at IS NULL)::int AS unacknowledged,
             count(*) FILTER (WHERE f.sla_due_at < now())::int AS overdue
        FROM analytics_incident_facts f
        LEFT JOIN users u ON u.id = f.assignee_id
       WHERE f.state IN ('new', 'in_progress', 'on_hold')
       GROUP BY 1, 2, 3`);
    await q.query(
      `CREATE UNIQUE INDEX analytics_load_key ON analytics_load (group_key, assignee_key, priority)`,
    );

    // Fill everything for UTC; the app backfills the other configured zones in the background.
    await q.query(`SELECT analytics_rebuild(ARRAY['UTC'])`);
    await q.query(
      `INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES (now(), 0, 'migration')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP MATERIALIZED VIEW analytics_load');
    await q.query('DROP MATERIALIZED VIEW analytics_backlog');
    await q.query('DROP MATERIALIZED VIEW analytics_hourly_priority');
    await q.query('DROP FUNCTION analytics_rebuild(text[])');
    await q.query('DROP FUNCTION analytics_apply_changes(interval)');
    await q.query('DROP FUNCTION analytics_build_zone(text)');
    await q.query('DROP FUNCTION analytics_refresh_slots(timestamptz[])');
    await q.query('DROP FUNCTION analytics_refresh_buckets(text, text, date[])');
    await q.query('DROP TABLE analytics_source_counts');
    await q.query('DROP TABLE analytics_daily_sources');
    await q.query('DROP TABLE analytics_weekly_priority');
    await q.query('DROP TABLE analytics_daily_priority');
    await q.query('DROP TABLE analytics_zones');
    await q.query('DROP TABLE analytics_watermark');
    await q.query('DROP TABLE analytics_dirty_incidents');
    await q.query('DROP TABLE analytics_incident_facts');
    await q.query('DROP VIEW analytics_incident_facts_now');
    // The previous migration's views, by its own SQL (populated: WITH DATA). Its tables
    // analytics_refreshes and analytics_sla_warnings are still here: those statements are skipped.
    const keeps = /analytics_refreshes|analytics_sla_warnings/;
    const viewsOnly = {
      query: (sql: string): Promise<unknown> => (keeps.test(sql) ? Promise.resolve([]) : q.query(sql)),
    } as unknown as QueryRunner;
    await new AnalyticsViews1764930000000().up(viewsOnly);
    await q.query(
      `INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES (now(), 0, 'migration')`,
    );
  }
}
