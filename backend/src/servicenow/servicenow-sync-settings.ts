import type { CloseCode, IncidentState } from '../incidents/incident-state';

/**
 * What the sync reads of the connection (H2's connection settings provide it at merge; until then
 * EnvServiceNowSettings reads the environment). Read on every use, so a change in the console
 * applies at once.
 */
export interface ServiceNowSettings {
  /** `https://acme.service-now.com`; null: not configured (the sync does nothing). */
  readonly instanceUrl: string | null;
  /** The webhook signing secret (protocols.md §1.7); null refuses webhooks with 503. */
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
};

/** The injection token of the settings source. */
export const SERVICENOW_SETTINGS = Symbol('SERVICENOW_SETTINGS');

/** Where the sync reads its settings from (H2's connection service, wired in at merge). */
export interface ServiceNowSettingsSource {
  read(): Promise<ServiceNowSettings>;
}

function parseGroups(value: string | undefined): Record<string, string> {
  // "Network Operations=287ebd7da9fe198100f92cc8d1d2154e,Service Desk=d625dccec0a8016700a222a0f7900d06"
  const groups: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.lastIndexOf('=');
    if (at > 0) groups[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return groups;
}

/**
 * STAND-IN until H2's connection settings land (the lead wires them into SERVICENOW_SETTINGS at
 * merge): the environment, read on every call. SERVICENOW_INSTANCE_URL, SERVICENOW_WEBHOOK_SECRET,
 * SERVICENOW_SYNC_ENABLED (default true), SERVICENOW_DEFAULT_ASSIGNMENT_GROUP,
 * SERVICENOW_ASSIGNMENT_GROUPS ("name=sys_id,…").
 */
export class EnvServiceNowSettings implements ServiceNowSettingsSource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  read(): Promise<ServiceNowSettings> {
    const e = this.env;
    return Promise.resolve({
      instanceUrl: e['SERVICENOW_INSTANCE_URL']?.trim().replace(/\/+$/, '') || null,
      webhookSecret: e['SERVICENOW_WEBHOOK_SECRET'] || null,
      enabled: !/^(false|0|no|off)$/i.test(e['SERVICENOW_SYNC_ENABLED'] ?? ''),
      mapping: {
        ...DEFAULT_MAPPING,
        defaultAssignmentGroup: e['SERVICENOW_DEFAULT_ASSIGNMENT_GROUP'] || null,
        assignmentGroups: parseGroups(e['SERVICENOW_ASSIGNMENT_GROUPS']),
      },
    });
  }
}
