import { DomainError } from '../common/errors/domain-error';

/** What the Slack request endpoints (events, interactions, slash commands) refuse, and why. */
export enum SlackInteractionErrorCode {
  /** No signing secret configured: no request can be told to be Slack's. */
  NoSigningSecret = 'SLACK_NO_SIGNING_SECRET',
  SignatureMissing = 'SLACK_SIGNATURE_MISSING',
  SignatureInvalid = 'SLACK_SIGNATURE_INVALID',
  SignatureStale = 'SLACK_SIGNATURE_STALE',
  SignatureVersion = 'SLACK_SIGNATURE_VERSION',
  /** Signed, but not a request of the kind the endpoint takes (no `payload`, no `event_id`, …). */
  RequestInvalid = 'SLACK_REQUEST_INVALID',
}

export const slackInteractionErrorStatus = {
  [SlackInteractionErrorCode.NoSigningSecret]: 401,
  [SlackInteractionErrorCode.SignatureMissing]: 401,
  [SlackInteractionErrorCode.SignatureInvalid]: 401,
  [SlackInteractionErrorCode.SignatureStale]: 401,
  [SlackInteractionErrorCode.SignatureVersion]: 401,
  [SlackInteractionErrorCode.RequestInvalid]: 400,
} satisfies Record<SlackInteractionErrorCode, number>;

export class SlackInteractionError extends DomainError<SlackInteractionErrorCode> {
  get status(): number {
    return slackInteractionErrorStatus[this.code];
  }
}
