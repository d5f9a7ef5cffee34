import { DomainError } from '../common/errors/domain-error';

export enum EventsErrorCode {
  SourceUnknown = 'EVENTS_SOURCE_UNKNOWN',
  SourceDisabled = 'EVENTS_SOURCE_DISABLED',
  SignatureMissing = 'EVENTS_SIGNATURE_MISSING',
  SignatureInvalid = 'EVENTS_SIGNATURE_INVALID',
  SignatureStale = 'EVENTS_SIGNATURE_STALE',
  RateLimited = 'EVENTS_RATE_LIMITED',
  SourceNotFound = 'EVENT_SOURCE_NOT_FOUND',
  SourceNameTaken = 'EVENT_SOURCE_NAME_TAKEN',
}

export const eventsErrorStatus = {
  [EventsErrorCode.SourceUnknown]: 401,
  [EventsErrorCode.SourceDisabled]: 403,
  [EventsErrorCode.SignatureMissing]: 401,
  [EventsErrorCode.SignatureInvalid]: 401,
  [EventsErrorCode.SignatureStale]: 401,
  [EventsErrorCode.RateLimited]: 429,
  [EventsErrorCode.SourceNotFound]: 404,
  [EventsErrorCode.SourceNameTaken]: 409,
} satisfies Record<EventsErrorCode, number>;

export class EventsError extends DomainError<EventsErrorCode> {
  get status(): number {
    return eventsErrorStatus[this.code];
  }
}
