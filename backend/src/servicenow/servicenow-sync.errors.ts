import { DomainError } from '../common/errors/domain-error';

export enum ServiceNowSyncErrorCode {
  WebhookNotConfigured = 'SERVICENOW_WEBHOOK_NOT_CONFIGURED',
  SyncDisabled = 'SERVICENOW_SYNC_DISABLED',
}

export const serviceNowSyncErrorStatus = {
  [ServiceNowSyncErrorCode.WebhookNotConfigured]: 503,
  [ServiceNowSyncErrorCode.SyncDisabled]: 503,
} satisfies Record<ServiceNowSyncErrorCode, number>;

export class ServiceNowSyncError extends DomainError<ServiceNowSyncErrorCode> {
  get status(): number {
    return serviceNowSyncErrorStatus[this.code];
  }
}
