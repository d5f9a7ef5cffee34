import { DomainError } from '../common/errors/domain-error';

export enum HealthErrorCode {
  NotReady = 'HEALTH_NOT_READY',
}

export const healthErrorStatus = {
  [HealthErrorCode.NotReady]: 503,
} satisfies Record<HealthErrorCode, number>;

export class HealthError extends DomainError<HealthErrorCode> {
  get status(): number {
    return healthErrorStatus[this.code];
  }
}
