import { DomainError } from '../common/errors/domain-error';

/** docs/errors.md, "Module codes". */
export enum SlackErrorCode {
  /** No workspace is installed and no SLACK_BOT_TOKEN is set (or not for the team asked for). */
  NotConnected = 'SLACK_NOT_CONNECTED',
  /** Installing from the console needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET. */
  InstallNotConfigured = 'SLACK_INSTALL_NOT_CONFIGURED',
  /** No installed workspace with that team id. */
  WorkspaceNotFound = 'SLACK_WORKSPACE_NOT_FOUND',
  /** The workspace's token comes from SLACK_BOT_TOKEN; change it there. */
  ManagedByEnvironment = 'INTEGRATION_MANAGED_BY_ENVIRONMENT',
  /** A rotating token expired and Slack refused to refresh it (reinstall the app). */
  TokenRefreshFailed = 'SLACK_TOKEN_REFRESH_FAILED',
  /** The install's `state` is unknown, used, expired or not this browser's (the callback's `code`). */
  OAuthStateInvalid = 'SLACK_OAUTH_STATE_INVALID',
  /** The admin cancelled on Slack's consent page (the callback's `code`). */
  OAuthDenied = 'SLACK_OAUTH_DENIED',
  /** oauth.v2.access refused the code or could not be reached (the callback's `code`; `reason` has Slack's). */
  OAuthFailed = 'SLACK_OAUTH_FAILED',
}

export const slackErrorStatus = {
  [SlackErrorCode.NotConnected]: 503,
  // the install is switched off by configuration: a state of ours, not an outage (503)
  [SlackErrorCode.InstallNotConfigured]: 409,
  [SlackErrorCode.WorkspaceNotFound]: 404,
  [SlackErrorCode.ManagedByEnvironment]: 409,
  [SlackErrorCode.TokenRefreshFailed]: 503,
  [SlackErrorCode.OAuthStateInvalid]: 400,
  [SlackErrorCode.OAuthDenied]: 403,
  [SlackErrorCode.OAuthFailed]: 502,
} satisfies Record<SlackErrorCode, number>;

export class SlackError extends DomainError<SlackErrorCode> {
  get status(): number {
    return slackErrorStatus[this.code];
  }
}
