import { Injectable } from '@nestjs/common';
import type { CloseCode, IncidentState } from '../incidents/incident-state';
import { ServiceNowConnectionService } from './servicenow-connection.service';
import type { MappedLevel } from './servicenow-mapping';

/**
 * What the sync reads of the connection (ConnectionSyncSettings, below). Read on every use, so a
 * change in the console applies to the next sync.
 */
export interface ServiceNowSettings {
  /** `https://acme.service-now.com`; null: not configured (the sync does nothing). */
  readonly instanceUrl: string | null;
  /** The webhook signing secret (protocols.md §1.7); null refuses webhooks with 401. */
  readonly webhookSecret: string | null;
  readonly enabled: boolean;
  readonly mapping: ServiceNowSyncMapping;
}

/** How our values become the instance's (servicenow-field-map.ts applies it). */
export interface ServiceNowSyncMapping {
  /** sys_user_group sys_id written when an incident's group is not in `assignmentGroups`. */
  readonly defaultAssignmentGroup: string | null;
  /** Our assignment group name → the instance's sys_user_group sys_id (both ways). */
  readonly assignmentGroups: Readonly<Record<string, string>>;
  /** Our state → the instance's `state` value. */
  readonly states: Readonly<Record<IncidentState, string>>;
  /** `hold_reason` written with On Hold (4 Awaiting Vendor: 1 would make comments mandatory). */
  readonly holdReason: string;
  /** Our close code → the instance's `close_code` value; unmapped ones are matched (field map). */
  readonly closeCodes: Readonly<Partial<Record<CloseCode, string>>>;
  /** Our impact (1–3) → the instance's `impact` value; read back through the same map. */
  readonly impact: Readonly<Record<MappedLevel, string>>;
  /** Our urgency (1–3) → the instance's `urgency` value. */
  readonly urgency: Readonly<Record<MappedLevel, string>>;
}

export const DEFAULT_STATE_MAPPING: Readonly<Record<IncidentState, string>> = {
  new: '1',
  in_progress: '2',
  on_hold: '3',
  resolved: '6',
  closed: '7',
  canceled: '8',
};

export const DEFAULT_MAPPING: ServiceNowSyncMapping = {
  defaultAssignmentGroup: null,
  assignmentGroups: {},
  states: DEFAULT_STATE_MAPPING,
  holdReason: '4',
  closeCodes: {},
  impact: { '1': '1', '2': '2', '3': '3' },
  urgency: { '1': '1', '2': '2', '3': '3' },
};

/** The injection token of the settings source. */
export const SERVICENOW_SETTINGS = Symbol('SERVICENOW_SETTINGS');

/** Where the sync reads its settings from. */
export interface ServiceNowSettingsSource {
  read(): Promise<ServiceNowSettings>;
}

/**
 * The sync's view of the connection the console or SERVICENOW_* variables set
 * (ServiceNowConnectionService, which caches a read for two seconds and forgets it when this
 * instance changes it): a change in the console applies to the next sync.
 */
@Injectable()
export class ConnectionSyncSettings implements ServiceNowSettingsSource {
  constructor(private readonly connection: ServiceNowConnectionService) {}

  async read(): Promise<ServiceNowSettings> {
    const s = await this.connection.settings();
    if (!s) return { instanceUrl: null, webhookSecret: null, enabled: false, mapping: DEFAULT_MAPPING };
    return {
      instanceUrl: s.instanceUrl,
      webhookSecret: s.webhookSecret,
      enabled: s.enabled,
      mapping: {
        ...DEFAULT_MAPPING,
        defaultAssignmentGroup: s.defaultAssignmentGroup,
        assignmentGroups: s.assignmentGroups,
        states: s.mapping.states,
        closeCodes: explicitCloseCodes(s.mapping.closeCodes),
        impact: s.mapping.impact,
        urgency: s.mapping.urgency,
      },
    };
  }
}

/**
 * The connection's close-code map defaults each of our codes to itself; only the admin's own
 * choices are passed on, so an unmapped code is matched against the instance's sys_choice list
 * (servicenow-field-map.ts) instead of being sent as a value the instance may not have.
 */
export function explicitCloseCodes(
  codes: Readonly<Record<CloseCode, string>>,
): Readonly<Partial<Record<CloseCode, string>>> {
  return Object.fromEntries(Object.entries(codes).filter(([ours, theirs]) => ours !== theirs));
}
