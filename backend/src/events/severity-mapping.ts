import type { Level } from '../incidents/incident-priority';

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ImpactUrgency {
  readonly impact: Level;
  readonly urgency: Level;
}

export type SeverityMapping = Readonly<Record<Severity, ImpactUrgency>>;

/** critical → P1, error → P2, warning → P3, info → P5 (ServiceNow's default matrix). */
export const DEFAULT_SEVERITY_MAPPING: SeverityMapping = {
  critical: { impact: 1, urgency: 1 },
  error: { impact: 1, urgency: 2 },
  warning: { impact: 2, urgency: 2 },
  info: { impact: 3, urgency: 3 },
};

/**
 * Alertmanager's `severity` label is free text; the common spellings map onto the four
 * severities, anything else (or none) is a warning.
 */
const LABEL_SEVERITIES: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  disaster: 'critical',
  high: 'error',
  error: 'error',
  err: 'error',
  major: 'error',
  warning: 'warning',
  warn: 'warning',
  average: 'warning',
  medium: 'warning',
  minor: 'warning',
  info: 'info',
  informational: 'info',
  information: 'info',
  low: 'info',
  none: 'info',
  ok: 'info',
};

export function severityOfLabel(label: string | undefined): Severity {
  return (label && LABEL_SEVERITIES[label.trim().toLowerCase()]) || 'warning';
}
