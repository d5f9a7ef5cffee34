import { DomainError } from '../common/errors/domain-error';

export enum AnalyticsErrorCode {
  /** `from`/`to` unreadable, not in order, or longer than the bucket allows. */
  RangeInvalid = 'ANALYTICS_RANGE_INVALID',
}

export const analyticsErrorStatus = {
  [AnalyticsErrorCode.RangeInvalid]: 400,
} satisfies Record<AnalyticsErrorCode, number>;

export class AnalyticsError extends DomainError<AnalyticsErrorCode> {
  get status(): number {
    return analyticsErrorStatus[this.code];
  }
}
