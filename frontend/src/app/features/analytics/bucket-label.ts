import type { Bucket } from './analytics-api';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const START = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/**
 * A bucket's label from its `start` as the API writes it: local time in the asked zone with its
 * offset (`2026-11-01T00:00:00+01:00`). The local fields are read as written, never converted
 * through the browser's zone, so the label is the zone's wall-clock time.
 */
export function bucketLabel(start: string, bucket: Bucket, withYear = false): string {
  const m = START.exec(start);
  if (!m) return start;
  const [, year, month, day, hour, minute] = m;
  const date = `${String(Number(day))} ${MONTHS[Number(month) - 1] ?? month}${withYear ? ` ${year}` : ''}`;
  if (bucket === 'hour') return `${date} ${hour}:${minute}`;
  return bucket === 'week' ? `Week of ${date}` : date;
}

/** Whether the buckets span more than one year (then labels need it). */
export function spansYears(starts: readonly string[]): boolean {
  return new Set(starts.map((s) => s.slice(0, 4))).size > 1;
}
