import {
  CLOSE_CODES,
  INCIDENT_STATES,
  type CloseCode,
  type IncidentState,
} from '../incidents/incident-state';

export const MAPPED_LEVELS = ['1', '2', '3'] as const;
export type MappedLevel = (typeof MAPPED_LEVELS)[number];

/**
 * How our values become ServiceNow's (raw values, as the Table API takes them). Sync reads it
 * both ways: a ServiceNow value maps back to the first of ours that maps to it.
 */
export interface ServiceNowMapping {
  /** Our state → ServiceNow `state` code (protocols.md §1.3). */
  readonly states: Readonly<Record<IncidentState, string>>;
  /** Our close code → ServiceNow `close_code` value (its `sys_choice` values differ by release). */
  readonly closeCodes: Readonly<Record<CloseCode, string>>;
  /** Our impact → ServiceNow `impact`; priority is never written (the instance derives it). */
  readonly impact: Readonly<Record<MappedLevel, string>>;
  /** Our urgency → ServiceNow `urgency`. */
  readonly urgency: Readonly<Record<MappedLevel, string>>;
}

/** A change to the mapping: any part, any key; the rest stays. */
export interface ServiceNowMappingPatch {
  readonly states?: Partial<Record<IncidentState, string>>;
  readonly closeCodes?: Partial<Record<CloseCode, string>>;
  readonly impact?: Partial<Record<MappedLevel, string>>;
  readonly urgency?: Partial<Record<MappedLevel, string>>;
}

const identity = <K extends string>(keys: readonly K[]): Record<K, string> =>
  Object.fromEntries(keys.map((k) => [k, k as string])) as Record<K, string>;

/**
 * States are ServiceNow's base codes. Our close codes are the Utah-and-later labels, so they map
 * to themselves; an instance on the older base list (`Solved (Permanently)`, …) remaps them, with
 * the instance's list (`sys_choice`) offered by the console. Impact and urgency map to themselves unless the admin maps them.
 */
export const DEFAULT_MAPPING: ServiceNowMapping = {
  states: { new: '1', in_progress: '2', on_hold: '3', resolved: '6', closed: '7', canceled: '8' },
  closeCodes: identity(CLOSE_CODES),
  impact: identity(MAPPED_LEVELS),
  urgency: identity(MAPPED_LEVELS),
};

/** The stored mapping (NULL or partial) over the defaults, so new keys get their default. */
export function mappingOf(stored: ServiceNowMappingPatch | null | undefined): ServiceNowMapping {
  return mergeMapping(DEFAULT_MAPPING, stored ?? {});
}

export function mergeMapping(base: ServiceNowMapping, patch: ServiceNowMappingPatch): ServiceNowMapping {
  const pick = <K extends string>(
    keys: readonly K[],
    a: Record<K, string>,
    b: Partial<Record<K, string>> = {},
  ) => Object.fromEntries(keys.map((k) => [k, b[k] ?? a[k]])) as Record<K, string>;
  return {
    states: pick(INCIDENT_STATES, base.states, patch.states),
    closeCodes: pick(CLOSE_CODES, base.closeCodes, patch.closeCodes),
    impact: pick(MAPPED_LEVELS, base.impact, patch.impact),
    urgency: pick(MAPPED_LEVELS, base.urgency, patch.urgency),
  };
}
