import { DomainError } from '../common/errors/domain-error';

export enum InboxErrorCode {
  NotFound = 'INBOX_EVENT_NOT_FOUND',
  NotReplayable = 'INBOX_EVENT_NOT_REPLAYABLE',
  CursorInvalid = 'INBOX_CURSOR_INVALID',
}

export const inboxErrorStatus = {
  [InboxErrorCode.NotFound]: 404,
  [InboxErrorCode.NotReplayable]: 409,
  [InboxErrorCode.CursorInvalid]: 400,
} satisfies Record<InboxErrorCode, number>;

export class InboxError extends DomainError<InboxErrorCode> {
  get status(): number {
    return inboxErrorStatus[this.code];
  }
}
