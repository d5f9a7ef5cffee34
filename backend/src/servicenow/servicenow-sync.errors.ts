import { DomainError } from '../common/errors/domain-error';

export enum ServiceNowSyncErrorCode {
  WebhookNotConfigured = 'SERVICENOW_NO_WEBHOOK_SECRET',
  SyncDisabled = 'SERVICENOW_SYNC_DISABLED',
  SignatureMissing = 'SERVICENOW_SIGNATURE_MISSING',
  SignatureInvalid = 'SERVICENOW_SIGNATURE_INVALID',
  SignatureStale = 'SERVICENOW_SIGNATURE_STALE',
}

export const serviceNowSyncErrorStatus = {
  // no secret to check a signature against: the sender cannot be authenticated
  [ServiceNowSyncErrorCode.WebhookNotConfigured]: 401,
  [ServiceNowSyncErrorCode.SyncDisabled]: 503,
  [ServiceNowSyncErrorCode.SignatureMissing]: 401,
  [ServiceNowSyncErrorCode.SignatureInvalid]: 401,
  [ServiceNowSyncErrorCode.SignatureStale]: 401,
} satisfies Record<ServiceNowSyncErrorCode, number>;

export class ServiceNowSyncError extends DomainError<ServiceNowSyncErrorCode> {
  get status(): number {
    return serviceNowSyncErrorStatus[this.code];
  }
}
