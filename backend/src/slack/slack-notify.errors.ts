import { ErrorCode as SlackSdkErrorCode } from '@slack/web-api';
import { DomainError } from '../common/errors/domain-error';

export enum SlackNotifyErrorCode {
  /** No routing rule with that id. */
  RouteNotFound = 'SLACK_ROUTE_NOT_FOUND',
  /** Work notes go only to channels marked internal. */
  RouteWorkNotesNeedInternal = 'SLACK_ROUTE_WORK_NOTES_INTERNAL',
  /** A reorder must name every rule exactly once. */
  RouteOrderMismatch = 'SLACK_ROUTE_ORDER_MISMATCH',
}

export const slackNotifyErrorStatus = {
  [SlackNotifyErrorCode.RouteNotFound]: 404,
  [SlackNotifyErrorCode.RouteWorkNotesNeedInternal]: 422,
  [SlackNotifyErrorCode.RouteOrderMismatch]: 409,
} satisfies Record<SlackNotifyErrorCode, number>;

export class SlackNotifyError extends DomainError<SlackNotifyErrorCode> {
  get status(): number {
    return slackNotifyErrorStatus[this.code];
  }
}

/**
 * `ok:false` errors for which sending the same message again cannot help until someone acts
 * (reinstall the app, invite the bot, fix the channel): the delivery is dead at once, in the
 * ledger, replayable. `invalid_blocks` is ours to fix, so it is permanent too.
 */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'no_permission',
  'missing_scope',
  'team_access_not_granted',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
]);

/** How a Web API call failed, and what to do about it. */
export type SlackFailure =
  /** 429: wait Retry-After seconds, then send again. */
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number; readonly message: string }
  /** Slack refused for good (PERMANENT_SLACK_ERRORS); nothing was posted. */
  | { readonly kind: 'permanent'; readonly error: string; readonly message: string }
  /** Slack answered ok:false with another code: nothing was posted; try again later. */
  | { readonly kind: 'refused'; readonly error: string; readonly message: string }
  /** No answer, or a 5xx: the message may or may not have been taken; try again later. */
  | { readonly kind: 'unknown'; readonly message: string };

/** Duck-typed on the SDK's error codes, so errors of another copy of the SDK classify the same. */
export function classifySlackFailure(e: unknown): SlackFailure {
  const err = e as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number };
  if (err?.code === SlackSdkErrorCode.RateLimitedError) {
    const retryAfterSeconds = Math.max(1, Math.ceil(Number(err.retryAfter) || 1));
    return {
      kind: 'rate_limited',
      retryAfterSeconds,
      message: `Slack rate limited the call (429); Retry-After ${retryAfterSeconds} s`,
    };
  }
  if (err?.code === SlackSdkErrorCode.PlatformError) {
    const error = err.data?.error ?? 'unknown_error';
    if (error === 'ratelimited') {
      return { kind: 'rate_limited', retryAfterSeconds: 1, message: 'Slack rate limited the call' };
    }
    return PERMANENT_SLACK_ERRORS.has(error)
      ? { kind: 'permanent', error, message: `Slack refused the call for good: ${error}` }
      : { kind: 'refused', error, message: `Slack refused the call: ${error}` };
  }
  if (err?.code === SlackSdkErrorCode.HTTPError) {
    return { kind: 'unknown', message: `Slack answered HTTP ${err.statusCode ?? '?'}` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { kind: 'unknown', message: `Slack call failed: ${message}` };
}
