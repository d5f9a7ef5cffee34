/**
 * What `live.error` and a refused `subscribe`/`unsubscribe` acknowledgement say about a client
 * message (docs/live.md, docs/errors.md). Socket codes, not HTTP answers: the status is the one a
 * REST request refused for the same reason would get, for clients that share their handling.
 */
export enum LiveErrorCode {
  /** Not JSON of the documented shape (e.g. `subscribe` without `room`). */
  MessageInvalid = 'LIVE_MESSAGE_INVALID',
  /** An event name the server does not handle. */
  MessageUnknown = 'LIVE_MESSAGE_UNKNOWN',
  /** More than LIVE_MAX_MESSAGES_PER_SECOND messages in a second; the message was dropped. */
  RateLimited = 'LIVE_RATE_LIMITED',
  /** The user's role may not read that room's events over REST either. */
  RoomForbidden = 'LIVE_ROOM_FORBIDDEN',
}

export const liveErrorStatus = {
  [LiveErrorCode.MessageInvalid]: 400,
  [LiveErrorCode.MessageUnknown]: 400,
  [LiveErrorCode.RateLimited]: 429,
  [LiveErrorCode.RoomForbidden]: 403,
} satisfies Record<LiveErrorCode, number>;
