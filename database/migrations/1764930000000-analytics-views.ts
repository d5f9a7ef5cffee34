import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analytics (docs/metrics.md): materialized views that the analytics API reads, a log of their
 * refreshes (every answer says how fresh it is) and the SLA warnings already raised.
 *
 * Every view has a unique index over plain columns covering every row, which
 * `REFRESH MATERIALIZED VIEW CONCURRENTLY` needs; no key column is ever NULL (the diff that a
 * concurrent refresh runs cannot match NULL keys). The views are refreshed in the order created
 * here, in one transaction (AnalyticsRefresher), because the later ones read the first.
 *
 * Times are stored in UTC. The facts view keeps one row per incident, so any time zone's days,
 * hours and weeks and exact medians and 90th percentiles can be computed from it at query time;
 * the other views are pre-aggregated at UTC grains (a 15-minute slot, valid for every zone's
 * boundaries, for the additive source counts).
 */
export class AnalyticsViews1764930000000 implements MigrationInterface {
  name = 'AnalyticsViews1764930000000';

  async up(q: QueryRunner): Promise<void> {
    // The one definition of an incident's milestones. Canceled incidents are left out of every
    // metric. `acknowledged_at` is the first acknowledgement (IncidentLifecycle stamps it once:
    // the first move out of New, or the acknowledge action). `resolved_at` is the resolution in
    // force: a reopen clears it and the next resolve sets it again, so a reopened incident counts
    // once, at its final resolution; while reopened it is not resolved at all. Durations are
    // seconds, never negative (a clock skew of an imported incident cannot make one).
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_incident_facts AS
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
    await q.query(`CREATE UNIQUE INDEX analytics_incident_facts_id ON analytics_incident_facts (id)`);
    // The series read one milestone over a time range; INCLUDE lets them answer from the index.
    await q.query(`
      CREATE INDEX analytics_incident_facts_acknowledged ON analytics_incident_facts (acknowledged_at)
        INCLUDE (priority, tta_s) WHERE acknowledged_at IS NOT NULL`);
    await q.query(`
      CREATE INDEX analytics_incident_facts_resolved ON analytics_incident_facts (resolved_at)
        INCLUDE (priority, ttr_s, sla_met) WHERE resolved_at IS NOT NULL`);
    await q.query(`
      CREATE INDEX analytics_incident_facts_opened ON analytics_incident_facts (opened_at)
        INCLUDE (priority, acknowledged_at, resolved_at)`);
    // "Open at instant t" for the summary's comparison: unresolved ones by opening time.
    await q.query(`
      CREATE INDEX analytics_incident_facts_unresolved ON analytics_incident_facts (opened_at)
        INCLUDE (priority, acknowledged_at) WHERE resolved_at IS NULL`);

    // Per UTC day × priority: what happened that day (each milestone counted on its own day),
    // MTTA over the acknowledgements of the day, MTTR and the SLA over its resolutions. Priority 0
    // is every priority together (a grouping set of its own: medians and p90 do not combine, so
    // the all-priorities figures are computed, not summed). The API answers UTC days from here;
    // other zones' days from the facts.
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_daily_priority AS
      WITH milestones AS (
        SELECT (opened_at AT TIME ZONE 'UTC')::date AS day, priority, 'opened' AS kind,
               NULL::float8 AS seconds, NULL::boolean AS sla_met
          FROM analytics_incident_facts
        UNION ALL
        SELECT (acknowledged_at AT TIME ZONE 'UTC')::date, priority, 'acknowledged', tta_s, NULL
          FROM analytics_incident_facts WHERE acknowledged_at IS NOT NULL
        UNION ALL
        SELECT (resolved_at AT TIME ZONE 'UTC')::date, priority, 'resolved', ttr_s, sla_met
          FROM analytics_incident_facts WHERE resolved_at IS NOT NULL
      )
      SELECT day,
             coalesce(priority, 0)::smallint AS priority,
             count(*) FILTER (WHERE kind = 'opened')::int AS opened,
             count(*) FILTER (WHERE kind = 'acknowledged')::int AS acknowledged,
             count(*) FILTER (WHERE kind = 'resolved')::int AS resolved,
             sum(seconds) FILTER (WHERE kind = 'acknowledged') AS tta_sum_s,
             avg(seconds) FILTER (WHERE kind = 'acknowledged') AS mtta_mean_s,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'acknowledged') AS mtta_median_s,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'acknowledged') AS mtta_p90_s,
             sum(seconds) FILTER (WHERE kind = 'resolved') AS ttr_sum_s,
             avg(seconds) FILTER (WHERE kind = 'resolved') AS mttr_mean_s,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'resolved') AS mttr_median_s,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE kind = 'resolved') AS mttr_p90_s,
             count(*) FILTER (WHERE kind = 'resolved' AND sla_met)::int AS sla_met,
             count(*) FILTER (WHERE kind = 'resolved' AND NOT sla_met)::int AS sla_breached
        FROM milestones
       GROUP BY GROUPING SETS ((day, priority), (day))`);
    await q.query(
      `CREATE UNIQUE INDEX analytics_daily_priority_key ON analytics_daily_priority (day, priority)`,
    );

    // The same per UTC hour (priority 0: all), for the 7 days before the refresh.
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

    // Open incidents (New, In progress, On hold) by state × priority, as of the refresh:
    // overdue means past the SLA due time at the refresh.
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

    // Open load per assignment group × assignee × priority. '' stands for "none" in the keys
    // (NULL keys would defeat the concurrent refresh's row matching); the assignee's name is
    // copied at refresh so the API needs no join.
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_load AS
      SELECT coalesce(f.assignment_group, '') AS group_key,
             coalesce(f.assignee_id::text, '') AS assignee_key,
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

    // Incidents opened per source (console, api, slack, servicenow, webhook) and the alerts
    // grouped into them (webhook producers' events: alert_count, counted at the incident's
    // opening) per 15-minute UTC slot × priority. Every zone's offset is a whole number of
    // quarter hours, so any zone's hours, days and weeks are exact sums of slots.
    await q.query(`
      CREATE MATERIALIZED VIEW analytics_source_counts AS
      SELECT date_bin('15 minutes', opened_at, timestamptz '2000-01-01 00:00:00+00') AS slot,
             source,
             priority,
             count(*)::int AS opened,
             sum(alert_count)::bigint AS alerts
        FROM analytics_incident_facts
       GROUP BY 1, 2, 3`);
    await q.query(
      `CREATE UNIQUE INDEX analytics_source_counts_key ON analytics_source_counts (slot, source, priority)`,
    );

    // One row per refresh of all the views: the snapshot they show (the refreshing transaction's
    // start) and how long it took. The newest row is every answer's refreshedAt.
    await q.query(`
      CREATE TABLE analytics_refreshes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        refreshed_at timestamptz NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        trigger text NOT NULL CHECK (trigger IN ('migration', 'schedule', 'changes', 'manual'))
      )`);
    await q.query(`CREATE INDEX analytics_refreshes_latest ON analytics_refreshes (refreshed_at DESC)`);
    // The views were just populated (WITH DATA is the default): that is the first refresh.
    await q.query(
      `INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES (now(), 0, 'migration')`,
    );

    // SLA warnings raised (incident.sla_warning), so each threshold is published once per incident.
    await q.query(`
      CREATE TABLE analytics_sla_warnings (
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        threshold smallint NOT NULL CHECK (threshold IN (50, 75, 90)),
        raised_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, threshold)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE analytics_sla_warnings');
    await q.query('DROP TABLE analytics_refreshes');
    await q.query('DROP MATERIALIZED VIEW analytics_source_counts');
    await q.query('DROP MATERIALIZED VIEW analytics_load');
    await q.query('DROP MATERIALIZED VIEW analytics_backlog');
    await q.query('DROP MATERIALIZED VIEW analytics_hourly_priority');
    await q.query('DROP MATERIALIZED VIEW analytics_daily_priority');
    await q.query('DROP MATERIALIZED VIEW analytics_incident_facts');
  }
}
