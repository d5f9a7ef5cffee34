import { createHmac } from 'node:crypto';
import type { ServiceNowGrant } from '../config/app-config';
import type { ServiceNowMapping } from './servicenow-mapping';

/** The connection as the client uses it: wherever it came from, secrets decrypted. */
export interface ServiceNowSettings {
  readonly source: 'environment' | 'console';
  /** No trailing slash. */
  readonly instanceUrl: string;
  readonly grant: ServiceNowGrant;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly webhookSecret: string | null;
  readonly defaultAssignmentGroup: string | null;
  /** Our assignment group name → the instance's sys_user_group sys_id (both ways). */
  readonly assignmentGroups: Readonly<Record<string, string>>;
  readonly mapping: ServiceNowMapping;
  readonly enabled: boolean;
}

/**
 * Names the credentials tokens were obtained with, without revealing them (keyed by the client
 * secret): tokens stored under other credentials are never used.
 */
export function tokenOwnerOf(s: ServiceNowSettings): string {
  return createHmac('sha256', s.clientSecret)
    .update(JSON.stringify([s.instanceUrl, s.grant, s.clientId, s.username, s.password]))
    .digest('base64url');
}
