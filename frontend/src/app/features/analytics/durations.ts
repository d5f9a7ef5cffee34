// Durations as people read them ("4 min 30 s", "3 h 20 min") and the unit a chart axis uses.

import { NOT_MEASURED } from './figure-text';

/** A duration in seconds as a short human phrase; "—" when there is none. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NOT_MEASURED;
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${String(s)} s`;
  if (s < 3600) {
    const min = Math.floor(s / 60);
    const rest = s % 60;
    // Seconds still matter under ten minutes; past that they are noise.
    return min < 10 && rest > 0
      ? `${String(min)} min ${String(rest)} s`
      : `${String(Math.round(s / 60))} min`;
  }
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    const min = Math.round((s % 3600) / 60);
    return min > 0 && min < 60 ? `${String(h)} h ${String(min)} min` : `${String(Math.round(s / 3600))} h`;
  }
  const d = Math.floor(s / 86_400);
  const h = Math.round((s % 86_400) / 3600);
  return h > 0 && h < 24 ? `${String(d)} d ${String(h)} h` : `${String(Math.round(s / 86_400))} d`;
}

export interface DurationUnit {
  /** For the axis title and the table's column headers. */
  readonly label: 'seconds' | 'minutes' | 'hours' | 'days';
  readonly short: 's' | 'min' | 'h' | 'd';
  readonly seconds: number;
}

const SECONDS: DurationUnit = { label: 'seconds', short: 's', seconds: 1 };
const UNITS: readonly DurationUnit[] = [
  SECONDS,
  { label: 'minutes', short: 'min', seconds: 60 },
  { label: 'hours', short: 'h', seconds: 3600 },
  { label: 'days', short: 'd', seconds: 86_400 },
];

/** The largest unit in which the biggest value is still at least 2 (so the axis reads 0–2 h, not 0–0.1 d). */
export function unitFor(maxSeconds: number): DurationUnit {
  let chosen = SECONDS;
  for (const unit of UNITS) if (maxSeconds >= 2 * unit.seconds) chosen = unit;
  return chosen;
}

/** A value in `unit`, two decimals at most (what the chart plots and the table prints). */
export function inUnit(seconds: number | null, unit: DurationUnit): number | null {
  return seconds === null ? null : Math.round((seconds / unit.seconds) * 100) / 100;
}
