import { DomainError } from '../common/errors/domain-error';

export enum DeliveryErrorCode {
  NotFound = 'DELIVERY_NOT_FOUND',
  NotReplayable = 'DELIVERY_NOT_REPLAYABLE',
  CursorInvalid = 'DELIVERY_CURSOR_INVALID',
}

export const deliveryErrorStatus = {
  [DeliveryErrorCode.NotFound]: 404,
  [DeliveryErrorCode.NotReplayable]: 409,
  [DeliveryErrorCode.CursorInvalid]: 400,
} satisfies Record<DeliveryErrorCode, number>;

export class DeliveryError extends DomainError<DeliveryErrorCode> {
  get status(): number {
    return deliveryErrorStatus[this.code];
  }
}
