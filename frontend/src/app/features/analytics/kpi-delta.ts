// The change of a KPI against the previous period, and whether that change is good news: fewer
// open or unacknowledged incidents and shorter MTTA/MTTR are better, a higher SLA % is better.

export type Better = 'lower' | 'higher';

export interface Delta {
  readonly direction: 'up' | 'down' | 'flat';
  /** "+3", "−12 %", "+2.5 pts" */
  readonly text: string;
  readonly verdict: 'good' | 'bad' | 'neutral';
  /** The whole sentence, for screen readers and the tooltip. */
  readonly description: string;
}

const MINUS = '\u2212';

function signed(value: number, suffix = ''): string {
  if (value === 0) return `0${suffix}`;
  return `${value > 0 ? '+' : MINUS}${String(Math.abs(value))}${suffix}`;
}

function delta(change: number, text: string, better: Better, what: string): Delta {
  const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  const verdict =
    direction === 'flat' ? 'neutral' : (direction === 'down') === (better === 'lower') ? 'good' : 'bad';
  const description =
    direction === 'flat'
      ? `${what}: no change against the previous period`
      : `${what}: ${direction} ${text.replace(/^[+\u2212]/, '')} against the previous period (${verdict === 'good' ? 'better' : 'worse'})`;
  return { direction, text, verdict, description };
}

/** Counts: the absolute difference. */
export function countDelta(current: number, previous: number, better: Better, what: string): Delta {
  const change = current - previous;
  return delta(change, signed(change), better, what);
}

/** Durations: the relative change in %, or null when either period measured none. */
export function durationDelta(
  current: number | null,
  previous: number | null,
  better: Better,
  what: string,
): Delta | null {
  if (current === null || previous === null) return null;
  if (previous === 0) return current === 0 ? delta(0, '0 %', better, what) : null;
  const percent = Math.round(((current - previous) / previous) * 100);
  return delta(percent, signed(percent, ' %'), better, what);
}

/** Percentages (SLA %): the difference in percentage points, or null when either has none. */
export function pointsDelta(
  current: number | null,
  previous: number | null,
  better: Better,
  what: string,
): Delta | null {
  if (current === null || previous === null) return null;
  const points = Math.round((current - previous) * 10) / 10;
  return delta(points, signed(points, ' pts'), better, what);
}
