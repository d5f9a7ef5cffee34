import type { ParamMap, Params } from '@angular/router';

import { PRIORITIES, PRIORITY_LABELS, type Priority } from '../../shared/incident-rules/priority';
import type { Bucket, SeriesParams, SummaryParams } from './analytics-api';

// What the dashboard shows, as kept in the URL (`?range=7d&bucket=day&priority=1&tz=Europe/Paris`)
// so a link shows the same figures, and how it becomes the API's `from`/`to`/`tz`/`bucket`.

export const RANGE_LABELS = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  '1y': 'Last 12 months',
  custom: 'Custom dates',
} as const;
export type RangeChoice = keyof typeof RANGE_LABELS;
export const RANGES = Object.keys(RANGE_LABELS) as RangeChoice[];

export const BUCKET_LABELS: Record<Bucket, string> = { hour: 'Hour', day: 'Day', week: 'Week' };
export const BUCKETS = Object.keys(BUCKET_LABELS) as Bucket[];

/** Which figure of each bucket the line chart draws (all three are in the tooltip and table). */
export const STAT_LABELS = { mean: 'Mean', median: 'Median', p90: '90th percentile' } as const;
export type Stat = keyof typeof STAT_LABELS;
export const STATS = Object.keys(STAT_LABELS) as Stat[];

export { PRIORITIES, PRIORITY_LABELS, type Priority };

/** The API's limits (analytics.service.ts): hour buckets span at most 31 days, others 400. */
export const MAX_DAYS: Readonly<Record<Bucket, number>> = { hour: 31, day: 400, week: 400 };

const PRESET_DAYS: Readonly<Record<Exclude<RangeChoice, 'custom' | '24h'>, number>> = {
  '7d': 7,
  '30d': 30,
  '90d': 90,
  '1y': 365,
};
const DEFAULT_BUCKET: Readonly<Record<RangeChoice, Bucket>> = {
  '24h': 'hour',
  '7d': 'day',
  '30d': 'day',
  '90d': 'day',
  '1y': 'week',
  custom: 'day',
};
export const DEFAULT_RANGE: RangeChoice = '30d';

export interface AnalyticsQuery {
  readonly range: RangeChoice;
  /** Custom range only: local dates in `tz`, both days included (YYYY-MM-DD). */
  readonly from: string;
  readonly to: string;
  readonly bucket: Bucket;
  readonly priority: Priority | null;
  /** An IANA zone; the browser's when the URL names none. */
  readonly tz: string;
  readonly stat: Stat;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The browser's own zone, or UTC when it cannot say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function isTimeZone(name: string): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Every zone the browser knows, UTC first, for the searchable zone list. */
export function timeZones(): readonly string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...known.filter((zone) => zone !== 'UTC')];
}

/** Days between two YYYY-MM-DD dates, both included (1 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The calendar date of `at` in `tz` (YYYY-MM-DD). */
export function localDate(at: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The start of the local hour of `at` in `tz` (zones are whole quarter hours off UTC). */
export function startOfLocalHour(at: Date, tz: string): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const minutes = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  const seconds = Number(parts.find((p) => p.type === 'second')?.value ?? 0);
  return new Date(at.getTime() - (minutes * 60 + seconds) * 1000 - at.getMilliseconds());
}

/** How many days the chosen range spans (24 h counts as 1), or undefined for bad custom dates. */
export function rangeDays(query: Pick<AnalyticsQuery, 'range' | 'from' | 'to'>): number | undefined {
  switch (query.range) {
    case '24h':
      return 1;
    case 'custom':
      return DATE.test(query.from) && DATE.test(query.to) ? daysBetween(query.from, query.to) : undefined;
    default:
      return PRESET_DAYS[query.range];
  }
}

/** Whether the API accepts this bucket for this range (hour buckets: 31 days at most). */
export function bucketAllowed(bucket: Bucket, query: Pick<AnalyticsQuery, 'range' | 'from' | 'to'>): boolean {
  const days = rangeDays(query);
  return days !== undefined && days <= MAX_DAYS[bucket];
}

/** Why custom dates cannot be asked for, or null when they can. */
export function customRangeProblem(from: string, to: string): string | null {
  if (!DATE.test(from) || !DATE.test(to)) return 'Choose both dates.';
  const days = daysBetween(from, to);
  if (days < 1) return 'The start must not be after the end.';
  if (days > MAX_DAYS.day) return `A range may span at most ${String(MAX_DAYS.day)} days.`;
  return null;
}

export function queryFromParams(
  params: ParamMap,
  defaultTz = browserTimeZone(),
  today = new Date(),
): AnalyticsQuery {
  const rangeParam = params.get('range');
  const range = RANGES.find((r) => r === rangeParam) ?? DEFAULT_RANGE;
  const tzParam = params.get('tz');
  const tz = tzParam && isTimeZone(tzParam) ? tzParam : defaultTz;
  let from = params.get('from') ?? '';
  let to = params.get('to') ?? '';
  if (range === 'custom') {
    if (customRangeProblem(from, to) !== null) {
      // A half-written link: start from the last 30 days rather than refuse it.
      to = localDate(today, tz);
      from = addDays(to, -29);
    }
  } else {
    from = '';
    to = '';
  }
  const bucketParam = params.get('bucket');
  const wanted = BUCKETS.find((b) => b === bucketParam) ?? DEFAULT_BUCKET[range];
  const bucket = bucketAllowed(wanted, { range, from, to }) ? wanted : DEFAULT_BUCKET[range];
  const priorityParam = params.get('priority');
  const priority = PRIORITIES.find((p) => String(p) === priorityParam) ?? null;
  const statParam = params.get('stat');
  const stat = STATS.find((s) => s === statParam) ?? 'mean';
  return { range, from, to, bucket, priority, tz, stat };
}

/** The URL form: defaults left out, so a plain link stays plain (no tz: the viewer's own zone). */
export function queryToParams(query: AnalyticsQuery, defaultTz = browserTimeZone()): Params {
  return {
    range: query.range === DEFAULT_RANGE ? null : query.range,
    from: query.range === 'custom' ? query.from : null,
    to: query.range === 'custom' ? query.to : null,
    bucket: query.bucket === DEFAULT_BUCKET[query.range] ? null : query.bucket,
    priority: query.priority,
    tz: query.tz === defaultTz ? null : query.tz,
    stat: query.stat === 'mean' ? null : query.stat,
  };
}

/** A change of range keeps the bucket when the API accepts it, and otherwise takes the range's default. */
export function withRange(query: AnalyticsQuery, range: RangeChoice, from = '', to = ''): AnalyticsQuery {
  const next = { ...query, range, from, to };
  return { ...next, bucket: bucketAllowed(query.bucket, next) ? query.bucket : DEFAULT_BUCKET[range] };
}

/**
 * The range as the API takes it, at `now`. Preset days are whole local days ending today (so the
 * request, and its ETag, stay the same all day); 24 h is the 24 local hours ending with the current
 * one (the same all hour).
 */
export function seriesParams(
  query: AnalyticsQuery,
  now: Date,
): SeriesParams & Record<string, string | number> {
  return { ...summaryParams(query, now), bucket: query.bucket };
}

export function summaryParams(
  query: AnalyticsQuery,
  now: Date,
): SummaryParams & Record<string, string | number> {
  let from: string;
  let to: string;
  if (query.range === '24h') {
    const end = new Date(startOfLocalHour(now, query.tz).getTime() + 3_600_000);
    to = end.toISOString();
    from = new Date(end.getTime() - DAY_MS).toISOString();
  } else if (query.range === 'custom') {
    ({ from, to } = query);
  } else {
    to = localDate(now, query.tz);
    from = addDays(to, -(PRESET_DAYS[query.range] - 1));
  }
  return { from, to, tz: query.tz, ...(query.priority === null ? {} : { priority: query.priority }) };
}

export function priorityLabel(priority: Priority): string {
  return `P${String(priority)} · ${PRIORITY_LABELS[priority]}`;
}
