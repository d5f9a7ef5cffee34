import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { parseTimestamp } from '../common/validation/timestamps';
import { RESOLUTION_HOURS } from '../incidents/incident-priority';
import type { Priority } from '../incidents/incident-priority';
import { LATEST_REFRESH_SQL } from './analytics-refresh.sql';
import { AnalyticsError, AnalyticsErrorCode } from './analytics.errors';
import { AnalyticsFreshness } from './analytics-freshness';
import { PerRefreshAnswers } from './per-refresh-answers';
import {
  AnalyticsRepository,
  type BucketRow,
  type SeriesParameters,
  type SummaryRow,
} from './analytics.repository';
import type {
  AnalyticsBacklogQuery,
  AnalyticsRangeQuery,
  AnalyticsSeriesQuery,
  Bucket,
} from './dto/analytics.query';
import type {
  BacklogView,
  DurationStatsView,
  ResponseTimesView,
  SlaCountsView,
  SlaView,
  SourcesView,
  SummaryView,
} from './dto/analytics.view';

const DAY_MS = 86_400_000;

/** The longest range each bucket may cut (points per answer stay in the hundreds). */
const MAX_RANGE_DAYS: Readonly<Record<Bucket | 'summary', number>> = {
  hour: 31,
  day: 400,
  week: 400,
  summary: 400,
};

/** Default length of a range given no `from`, in days. */
const DEFAULT_DAYS: Readonly<Record<Bucket | 'summary', number>> = { summary: 7, hour: 2, day: 30, week: 84 };

/**
 * Says whether the caller already holds the answer of this refresh (If-None-Match): then the
 * service answers `undefined` without running the query.
 */
export type HeldCheck = (refreshedAt: Date) => boolean;

export interface Answer<V> {
  readonly refreshedAt: Date;
  /** undefined: the caller holds it already (304). */
  readonly view: V | undefined;
}

/** `±HH:MM` of a whole number of minutes. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A bucket's start as local wall time with its offset: `2026-03-08T00:00:00-05:00`. */
export function bucketStart(row: BucketRow): string {
  return `${row.local}${offsetText(row.offset_minutes)}`;
}

function stats(
  count: number,
  mean: number | null,
  median: number | null,
  p90: number | null,
): DurationStatsView {
  return { count, mean, median, p90 };
}

function slaCounts(resolved: number, met: number, breached: number): SlaCountsView {
  return { resolved, met, breached, percent: resolved ? (met / resolved) * 100 : null };
}

/**
 * The analytics answers, read from the analytics tables and views (AnalyticsRepository) in one
 * repeatable-read transaction with the refresh time they carry, so `refreshedAt` (and the ETag
 * made from it) names exactly the data answered even while a refresh commits.
 */
@Injectable()
export class AnalyticsService {
  /** Shared per refresh; exposed for tests and benches. */
  readonly answers = new PerRefreshAnswers();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly freshness: AnalyticsFreshness,
  ) {}

  summary(q: AnalyticsRangeQuery, held: HeldCheck): Promise<Answer<SummaryView>> {
    return this.read(`summary:${JSON.stringify(q)}`, held, async (refreshedAt, repo) => {
      const p = await this.parameters(q, 'summary', refreshedAt, repo);
      const { current, previous } = await repo.summary(p.from, p.to, p.priority);
      const durations = (r: SummaryRow, m: 'mtta' | 'mttr'): DurationStatsView =>
        stats(r[`${m}_count`], r[`${m}_mean`], r[`${m}_median`], r[`${m}_p90`]);
      return {
        ...this.range(refreshedAt, p),
        previousFrom: new Date(2 * p.from.getTime() - p.to.getTime()).toISOString(),
        open: { current: current.open, previous: previous.open },
        unacknowledged: { current: current.unacknowledged, previous: previous.unacknowledged },
        mtta: { current: durations(current, 'mtta'), previous: durations(previous, 'mtta') },
        mttr: { current: durations(current, 'mttr'), previous: durations(previous, 'mttr') },
        sla: {
          current: slaCounts(current.sla_met + current.sla_breached, current.sla_met, current.sla_breached),
          previous: slaCounts(
            previous.sla_met + previous.sla_breached,
            previous.sla_met,
            previous.sla_breached,
          ),
        },
      };
    });
  }

  responseTimes(q: AnalyticsSeriesQuery, held: HeldCheck): Promise<Answer<ResponseTimesView>> {
    return this.read(`responseTimes:${JSON.stringify(q)}`, held, async (refreshedAt, repo) => {
      const p = await this.parameters(q, q.bucket ?? 'day', refreshedAt, repo);
      const rows = await repo.responseTimes(p, await repo.routeOf(p, refreshedAt), refreshedAt);
      return {
        ...this.range(refreshedAt, p),
        bucket: p.bucket,
        series: (['mtta', 'mttr'] as const).map((name) => ({
          name,
          points: rows.map((r) => ({
            start: bucketStart(r),
            ...stats(r[`${name}_count`], r[`${name}_mean`], r[`${name}_median`], r[`${name}_p90`]),
          })),
        })),
      };
    });
  }

  sla(q: AnalyticsSeriesQuery, held: HeldCheck): Promise<Answer<SlaView>> {
    return this.read(`sla:${JSON.stringify(q)}`, held, async (refreshedAt, repo) => {
      const p = await this.parameters(q, q.bucket ?? 'day', refreshedAt, repo);
      const route = await repo.routeOf(p, refreshedAt);
      const [rows, byPriority] = [
        await repo.sla(p, route, refreshedAt),
        await repo.slaByPriority(p, route, refreshedAt),
      ];
      return {
        ...this.range(refreshedAt, p),
        bucket: p.bucket,
        points: rows.map((r) => ({ start: bucketStart(r), ...slaCounts(r.resolved, r.met, r.breached) })),
        byPriority: byPriority.map((r) => ({
          priority: r.priority,
          targetHours: RESOLUTION_HOURS[r.priority as Priority],
          ...slaCounts(r.resolved, r.met, r.breached),
        })),
      };
    });
  }

  sources(q: AnalyticsSeriesQuery, held: HeldCheck): Promise<Answer<SourcesView>> {
    return this.read(`sources:${JSON.stringify(q)}`, held, async (refreshedAt, repo) => {
      const p = await this.parameters(q, q.bucket ?? 'day', refreshedAt, repo);
      const rows = await repo.sources(p, await repo.routeOf(p, refreshedAt), refreshedAt);
      const totals = new Map<string, { source: string; opened: number; alerts: number }>();
      for (const r of rows) {
        const t = totals.get(r.source) ?? { source: r.source, opened: 0, alerts: 0 };
        t.opened += r.opened;
        t.alerts += r.alerts;
        totals.set(r.source, t);
      }
      return {
        ...this.range(refreshedAt, p),
        bucket: p.bucket,
        points: rows.map((r) => ({
          start: bucketStart(r),
          source: r.source,
          opened: r.opened,
          alerts: r.alerts,
        })),
        totals: [...totals.values()],
      };
    });
  }

  backlog(q: AnalyticsBacklogQuery, held: HeldCheck): Promise<Answer<BacklogView>> {
    return this.read(`backlog:${JSON.stringify(q)}`, held, async (refreshedAt, repo) => {
      const priority = q.priority ?? null;
      const [byState, byAssignee, byGroup] = [
        await repo.backlogByState(priority),
        await repo.loadByAssignee(priority),
        await repo.loadByGroup(priority),
      ];
      const sum = (k: 'open' | 'unacknowledged' | 'overdue'): number => byState.reduce((n, r) => n + r[k], 0);
      return {
        refreshedAt: refreshedAt.toISOString(),
        priority,
        totals: { open: sum('open'), unacknowledged: sum('unacknowledged'), overdue: sum('overdue') },
        byState: byState.map((r) => ({
          state: r.state,
          priority: r.priority,
          open: r.open,
          unacknowledged: r.unacknowledged,
          overdue: r.overdue,
          oldestOpenedAt: r.oldest_opened_at.toISOString(),
        })),
        byAssignee: byAssignee.map((r) => ({
          assigneeId: r.assignee_key || null,
          name: r.assignee_name,
          open: r.open,
          unacknowledged: r.unacknowledged,
          overdue: r.overdue,
        })),
        byGroup: byGroup.map((r) => ({
          group: r.group_key || null,
          open: r.open,
          unacknowledged: r.unacknowledged,
          overdue: r.overdue,
        })),
      };
    });
  }

  /**
   * Runs `answer` with the refresh time, in one snapshot; skips it when the caller holds it. `key`
   * names the endpoint and its parameters: the answer is shared by every request for the same
   * refresh (PerRefreshAnswers).
   */
  private async read<V>(
    key: string,
    held: HeldCheck,
    answer: (refreshedAt: Date, repo: AnalyticsRepository) => Promise<V>,
  ): Promise<Answer<V>> {
    // The newest refresh is known and its answer computed (or the caller holds it): no database.
    const known = this.freshness.latest;
    if (known) {
      if (held(known)) return { refreshedAt: known, view: undefined };
      const computed = this.answers.peek<V>(known, key);
      const view = await computed?.catch(() => undefined);
      if (view !== undefined) return { refreshedAt: known, view };
    }
    return this.dataSource.transaction('REPEATABLE READ', async (m: EntityManager) => {
      // These queries read a few rows through indexes, but their estimates over a million facts
      // cross the JIT threshold: compiling took 1.1 s of a 1.3 s answer (bench/analytics).
      await m.query('SET LOCAL jit = off');
      const [row] = await m.query<{ refreshed_at: Date }[]>(LATEST_REFRESH_SQL);
      const refreshedAt = row?.refreshed_at ?? new Date(0);
      this.freshness.saw(refreshedAt);
      if (held(refreshedAt)) return { refreshedAt, view: undefined };
      const view = await this.answers.answer(refreshedAt, key, () =>
        answer(refreshedAt, new AnalyticsRepository(m)),
      );
      return { refreshedAt, view };
    });
  }

  private range(
    refreshedAt: Date,
    p: SeriesParameters,
  ): { refreshedAt: string; from: string; to: string; tz: string; priority: number | null } {
    return {
      refreshedAt: refreshedAt.toISOString(),
      from: p.from.toISOString(),
      to: p.to.toISOString(),
      tz: p.tz,
      priority: p.priority,
    };
  }

  /**
   * The checked range: a date is its local midnight in `tz` (`to`: the midnight after, so the day
   * is included), an instant is itself. Defaults: the summary's `to` is the refresh time and its
   * `from` 7 days before; a series covers whole local days up to and including the refresh's
   * (2 for hours, 30 for days, 84 for weeks).
   */
  private async parameters(
    q: AnalyticsRangeQuery,
    kind: Bucket | 'summary',
    refreshedAt: Date,
    repo: AnalyticsRepository,
  ): Promise<SeriesParameters> {
    const tz = q.tz ?? 'UTC';
    const days = DEFAULT_DAYS[kind];
    let from: Date;
    let to: Date;
    if (kind !== 'summary' && q.from === undefined && q.to === undefined) {
      // A series by default: whole local days, up to and including the refresh's day.
      ({ from, to } = await repo.localDays(refreshedAt, tz, days));
    } else {
      to =
        q.to !== undefined
          ? await this.instant(q.to, tz, 'end', repo)
          : kind === 'summary'
            ? refreshedAt
            : (await repo.localDays(refreshedAt, tz, 1)).to;
      from =
        q.from === undefined
          ? new Date(to.getTime() - days * DAY_MS)
          : await this.instant(q.from, tz, 'start', repo);
    }
    if (from.getTime() >= to.getTime()) {
      throw new AnalyticsError(
        AnalyticsErrorCode.RangeInvalid,
        `from (${from.toISOString()}) must be before to (${to.toISOString()})`,
        { from: from.toISOString(), to: to.toISOString() },
      );
    }
    const max = MAX_RANGE_DAYS[kind];
    if (to.getTime() - from.getTime() > max * DAY_MS) {
      throw new AnalyticsError(
        AnalyticsErrorCode.RangeInvalid,
        kind === 'summary'
          ? `The range may span at most ${max} days`
          : `A range cut into ${kind}s may span at most ${max} days`,
        { maxDays: max },
      );
    }
    return { from, to, tz, priority: q.priority ?? null, bucket: kind === 'summary' ? 'day' : kind };
  }

  private async instant(
    text: string,
    tz: string,
    edge: 'start' | 'end',
    repo: AnalyticsRepository,
  ): Promise<Date> {
    const at = parseTimestamp(text);
    if (!at) {
      throw new AnalyticsError(AnalyticsErrorCode.RangeInvalid, `${text} is not a real date or time`);
    }
    if (text.length > 10) return at; // an instant (the DTO demands its offset)
    // A date: parseTimestamp read it as UTC midnight; its day, or the next, starts at local midnight.
    const day = new Date(at.getTime() + (edge === 'end' ? DAY_MS : 0)).toISOString().slice(0, 10);
    return repo.localMidnight(day, tz);
  }
}
