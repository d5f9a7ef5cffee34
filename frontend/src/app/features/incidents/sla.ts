import { IncidentView } from './incident';

export interface SlaStatus {
  /** "Due in 3 hours", "Overdue by 20 minutes", "Met", "Breached", or "—" without a target. */
  readonly text: string;
  readonly breached: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Where an incident stands against its resolution target at `now` (epoch ms). `open`: whether its
 * state is still being worked (the API's rules say which are); once not, the target was met or not.
 */
export function slaStatus(
  incident: Pick<IncidentView, 'slaDueAt' | 'slaBreached'>,
  open: boolean,
  now: number,
): SlaStatus {
  if (!incident.slaDueAt) {
    return { text: '—', breached: false };
  }
  const due = Date.parse(incident.slaDueAt);
  if (!open) {
    return incident.slaBreached ? { text: 'Breached', breached: true } : { text: 'Met', breached: false };
  }
  if (incident.slaBreached || due <= now) {
    return { text: `Overdue by ${duration(now - due)}`, breached: true };
  }
  return { text: `Due in ${duration(due - now)}`, breached: false };
}

/** A rounded, human duration: "45 minutes", "3 hours", "2 days". */
export function duration(ms: number): string {
  const abs = Math.max(0, ms);
  if (abs < HOUR) {
    return unit(Math.max(1, Math.round(abs / MINUTE)), 'minute');
  }
  if (abs < 2 * DAY) {
    return unit(Math.round(abs / HOUR), 'hour');
  }
  return unit(Math.round(abs / DAY), 'day');
}

function unit(value: number, name: 'minute' | 'hour' | 'day'): string {
  return new Intl.NumberFormat('en', { style: 'unit', unit: name, unitDisplay: 'long' }).format(value);
}
