import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LogLevel, WebClient, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SlackCalls, slackCallError } from './slack-calls';
import { SlackInstallations, type SlackInstallation } from './slack-installations';
import { SlackError, SlackErrorCode } from './slack.errors';

/** A rotating token is refreshed when it expires within this (what @slack/oauth's authorize does). */
export const SLACK_REFRESH_BEFORE_MS = 2 * 60 * 60 * 1000;

/**
 * A WebClient that records every call (method, duration, ok or Slack's error code) in slack_calls.
 * Every method helper (`chat.postMessage`, …) goes through `apiCall`, so overriding it sees them all.
 */
export class RecordingWebClient extends WebClient {
  constructor(
    token: string | undefined,
    options: WebClientOptions,
    private readonly recorder: SlackCalls,
    private readonly workspaceOf: () => string | null,
  ) {
    super(token, options);
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    const started = performance.now();
    try {
      const result = await super.apiCall(method, options);
      this.recorder.record({
        teamId: this.workspaceOf(),
        method,
        ok: true,
        durationMs: performance.now() - started,
        error: null,
      });
      return result;
    } catch (error) {
      this.recorder.record({
        teamId: this.workspaceOf(),
        method,
        ok: false,
        durationMs: performance.now() - started,
        error: slackCallError(error),
      });
      throw error;
    }
  }
}

/**
 * The Slack workspaces we can talk to, and a bot WebClient for each: one set by SLACK_BOT_TOKEN
 * (its team resolved once by auth.test), and those installed through OAuth (slack_installations).
 *
 * Clients never retry (`retryConfig: {retries: 0}`) and reject rate-limited calls
 * (`WebAPIRateLimitedError.retryAfter`): the outbox owns retries, and WebClient's default policy
 * would retry a 5xx for half an hour inside one delivery. A rotating token that expires within 2 h
 * is refreshed first, one refresh per workspace at a time: in this process a shared promise, across
 * instances a row lock held while Slack answers (the second instance then reads the new token).
 */
@Injectable()
export class SlackWorkspaces {
  private readonly logger = new Logger(SlackWorkspaces.name);
  private envTeam: Promise<string | null> | undefined;
  private readonly clients = new Map<string, { token: string; client: WebClient }>();
  private readonly refreshing = new Map<string, Promise<SlackInstallation>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly installations: SlackInstallations,
    private readonly calls: SlackCalls,
  ) {}

  /**
   * The team's bot WebClient, or the default workspace's when teamId is omitted: SLACK_BOT_TOKEN's
   * if set, else the earliest installed. Throws SLACK_NOT_CONNECTED (503) when there is none.
   */
  async client(teamId?: string | null): Promise<WebClient> {
    const envToken = this.config.slack.botToken;
    if (teamId === undefined || teamId === null) {
      if (envToken !== null) return this.clientFor('env', envToken, () => this.knownEnvTeam);
      const first = await this.installations.firstTeamId();
      if (first === null)
        throw this.notConnected('No Slack workspace is installed and SLACK_BOT_TOKEN is not set');
      teamId = first;
    }
    const installation = await this.installations.find(teamId);
    if (installation !== null) {
      const fresh = await this.fresh(installation);
      return this.clientFor(fresh.teamId, fresh.botToken, () => fresh.teamId);
    }
    if (envToken !== null) {
      const envTeam = await this.envTeamId();
      // Unresolved (Slack unreachable): the environment's token is the best guess for any team.
      if (envTeam === null || envTeam === teamId)
        return this.clientFor('env', envToken, () => this.knownEnvTeam);
    }
    throw this.notConnected(`Slack workspace ${teamId} is not installed`);
  }

  /** SLACK_BOT_TOKEN's team (auth.test, once), else the earliest installed workspace; null: none. */
  async defaultTeamId(): Promise<string | null> {
    if (this.config.slack.botToken !== null) {
      const envTeam = await this.envTeamId();
      if (envTeam !== null) return envTeam;
    }
    return this.installations.firstTeamId();
  }

  /** The team SLACK_BOT_TOKEN belongs to (auth.test, cached; retried on the next ask after a failure). */
  async envTeamId(): Promise<string | null> {
    const token = this.config.slack.botToken;
    if (token === null) return null;
    this.envTeam ??= this.clientFor('env', token, () => this.knownEnvTeam)
      .auth.test()
      .then(
        (answer) => {
          this.knownEnvTeam = answer.team_id ?? null;
          return this.knownEnvTeam;
        },
        (error: unknown) => {
          this.logger.warn(`auth.test of SLACK_BOT_TOKEN failed: ${slackCallError(error)}`);
          this.envTeam = undefined;
          return null;
        },
      );
    return this.envTeam;
  }

  private knownEnvTeam: string | null = null;

  /** A client without a token, for oauth.v2.access (install and refresh). */
  anonymousClient(teamId: string | null = null): WebClient {
    return new RecordingWebClient(undefined, this.clientOptions(), this.calls, () => teamId);
  }

  /** A one-off client with a given token (install checks, revoking an uninstalled workspace's token). */
  clientWithToken(teamId: string, token: string): WebClient {
    return new RecordingWebClient(token, this.clientOptions(), this.calls, () => teamId);
  }

  /** Forget cached clients of a team (uninstall, reinstall). */
  forget(teamId: string): void {
    this.clients.delete(teamId);
    this.refreshing.delete(teamId);
  }

  private clientFor(key: string, token: string, teamId: () => string | null): WebClient {
    const cached = this.clients.get(key);
    if (cached?.token === token) return cached.client;
    const client = new RecordingWebClient(token, this.clientOptions(), this.calls, teamId);
    this.clients.set(key, { token, client });
    return client;
  }

  private clientOptions(): WebClientOptions {
    return {
      slackApiUrl: this.config.slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: this.config.slack.timeoutMs,
      logLevel: LogLevel.WARN,
    };
  }

  private needsRefresh(installation: SlackInstallation): boolean {
    return (
      installation.refreshToken !== null &&
      installation.tokenExpiresAt !== null &&
      installation.tokenExpiresAt.getTime() - Date.now() < SLACK_REFRESH_BEFORE_MS
    );
  }

  private async fresh(installation: SlackInstallation): Promise<SlackInstallation> {
    if (!this.needsRefresh(installation)) return installation;
    let inFlight = this.refreshing.get(installation.teamId);
    if (inFlight === undefined) {
      inFlight = this.refresh(installation.teamId).finally(() => this.refreshing.delete(installation.teamId));
      this.refreshing.set(installation.teamId, inFlight);
    }
    try {
      return await inFlight;
    } catch (error) {
      // Still valid for a while: use it, the next call tries again.
      if (installation.tokenExpiresAt !== null && installation.tokenExpiresAt.getTime() > Date.now()) {
        this.logger.warn(
          `Slack token refresh for ${installation.teamId} failed, old token still valid: ${String(error)}`,
        );
        return installation;
      }
      throw error;
    }
  }

  private async refresh(teamId: string): Promise<SlackInstallation> {
    const { clientId, clientSecret } = this.config.slack;
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      const current = await this.installations.find(teamId, manager, true);
      if (current === null) throw this.notConnected(`Slack workspace ${teamId} is not installed`);
      // Another instance refreshed while this one waited for the lock.
      if (!this.needsRefresh(current) || current.refreshToken === null) return current;
      if (clientId === null || clientSecret === null) {
        throw new SlackError(
          SlackErrorCode.TokenRefreshFailed,
          'The token of this workspace rotates; refreshing it needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET',
        );
      }
      let answer: WebAPICallResult & { access_token?: string; refresh_token?: string; expires_in?: number };
      try {
        answer = await this.anonymousClient(teamId).oauth.v2.access({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'refresh_token',
          refresh_token: current.refreshToken,
        });
      } catch (error) {
        throw new SlackError(
          SlackErrorCode.TokenRefreshFailed,
          `Slack refused to refresh the token of ${teamId}: ${slackCallError(error)}`,
          { teamId, reason: slackCallError(error) },
        );
      }
      if (typeof answer.access_token !== 'string') {
        throw new SlackError(
          SlackErrorCode.TokenRefreshFailed,
          'oauth.v2.access answered without an access_token',
        );
      }
      const tokens = {
        botToken: answer.access_token,
        refreshToken: answer.refresh_token ?? current.refreshToken,
        expiresAt:
          typeof answer.expires_in === 'number' ? new Date(Date.now() + answer.expires_in * 1000) : null,
      };
      await this.installations.saveTokens(teamId, tokens, manager);
      this.logger.log(
        `Refreshed the Slack token of ${teamId}; it expires ${tokens.expiresAt?.toISOString() ?? 'never'}`,
      );
      return {
        ...current,
        botToken: tokens.botToken,
        refreshToken: tokens.refreshToken,
        tokenExpiresAt: tokens.expiresAt,
      };
    });
  }

  private notConnected(detail: string): SlackError {
    return new SlackError(SlackErrorCode.NotConnected, detail);
  }
}
