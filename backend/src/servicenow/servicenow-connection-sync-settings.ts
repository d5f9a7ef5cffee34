import type { CloseCode } from '../incidents/incident-state';
import type { ServiceNowConnectionService } from './servicenow-connection.service';
import type { ServiceNowMapping } from './servicenow-mapping';
import {
  DEFAULT_MAPPING,
  type ServiceNowSettings,
  type ServiceNowSettingsSource,
  type ServiceNowSyncMapping,
} from './servicenow-sync-settings';

/**
 * The mapping's close codes as the sync applies them: an entry that maps one of our codes to the
 * same text is the default, not a choice the admin made, so it is left out and the field map
 * matches the instance's own `sys_choice` list instead (an instance on the older base list has
 * "Solved (Permanently)", not "Solution provided").
 */
export function syncCloseCodesOf(mapping: ServiceNowMapping): Partial<Record<CloseCode, string>> {
  return Object.fromEntries(
    (Object.entries(mapping.closeCodes) as [CloseCode, string][]).filter(([ours, theirs]) => ours !== theirs),
  );
}

/**
 * What the sync reads of the connection: the console's settings (or the SERVICENOW_* variables
 * when they manage it), read on every use so a change on the Integrations page applies at once.
 * Assignment groups by name still come from SERVICENOW_ASSIGNMENT_GROUPS (the page has no field
 * for them yet). Provided under SERVICENOW_SETTINGS by ServiceNowModule.
 */
export class ConnectionSyncSettings implements ServiceNowSettingsSource {
  constructor(
    private readonly connection: ServiceNowConnectionService,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async read(): Promise<ServiceNowSettings> {
    const settings = await this.connection.settings();
    if (settings === null) {
      return { instanceUrl: null, webhookSecret: null, enabled: false, mapping: DEFAULT_MAPPING };
    }
    const mapping: ServiceNowSyncMapping = {
      ...DEFAULT_MAPPING,
      defaultAssignmentGroup: settings.defaultAssignmentGroup,
      assignmentGroups: groupsOf(this.env['SERVICENOW_ASSIGNMENT_GROUPS']),
      states: settings.mapping.states,
      closeCodes: syncCloseCodesOf(settings.mapping),
    };
    return {
      instanceUrl: settings.instanceUrl,
      // Environment-managed: the variable as it is now (as the environment stand-in read it).
      webhookSecret:
        settings.source === 'environment'
          ? this.env['SERVICENOW_WEBHOOK_SECRET'] || null
          : settings.webhookSecret,
      enabled: settings.enabled,
      mapping,
    };
  }
}

/** "Network Operations=287ebd…,Service Desk=d625dc…" → name → sys_id. */
function groupsOf(value: string | undefined): Record<string, string> {
  const groups: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.lastIndexOf('=');
    if (at > 0) groups[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return groups;
}
