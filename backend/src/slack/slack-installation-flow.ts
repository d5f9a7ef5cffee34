import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InstallProvider, LogLevel } from '@slack/oauth';
import type { OauthV2AccessResponse } from '@slack/web-api';
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuditLog, auditActorOf, SYSTEM_CONTEXT, type AuditActor } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { slackCallError } from './slack-calls';
import { SlackInstallations, type SlackInstallation } from './slack-installations';
import { SlackWorkspaces } from './slack-workspaces';
import { SlackError, SlackErrorCode } from './slack.errors';

/** The bot scopes the app asks for (docs/slack-app-manifest.yml lists the same). */
export const SLACK_BOT_SCOPES = [
  'chat:write',
  'commands',
  'app_mentions:read',
  'users:read',
  'users:read.email',
];

/** How long an install may take between our redirect to Slack and Slack's redirect back. */
export const SLACK_STATE_TTL_SECONDS = 600;

export const SLACK_CALLBACK_PATH = '/api/slack/oauth/callback';

/** Where the browser lands after an install, success or not: the console's Integrations page. */
export const SLACK_RETURN_PATH = '/admin/integrations';

export type SlackInstallOutcome =
  | { readonly kind: 'installed'; readonly teamId: string; readonly teamName: string | null }
  | { readonly kind: 'failed'; readonly code: SlackErrorCode; readonly reason: string };

const hashOf = (state: string): string => createHash('sha256').update(state).digest('hex');

/** What an audit row shows of an installation: never a token. */
function auditable(i: SlackInstallation | null): Record<string, unknown> | null {
  if (i === null) return null;
  return {
    teamId: i.teamId,
    teamName: i.teamName,
    enterpriseId: i.enterpriseId,
    appId: i.appId,
    botUserId: i.botUserId,
    scopes: i.scopes,
    tokenRotation: i.refreshToken !== null,
  };
}

/**
 * The OAuth v2 install (protocols.md §2.8). @slack/oauth's InstallProvider builds the authorize
 * URL (`generateInstallUrl`); its `handleCallback` is not used: it wants Node's req/res and its own
 * cookie and installation store, where we run on Fastify, bind the state to the browser with our
 * own cookie and keep it single-use in PostgreSQL (any instance may receive the callback), and
 * store the tokens encrypted with the audit row in one transaction. So the callback is ours:
 * `oauth.v2.access` through WebClient, then `auth.test` for the bot id, as handleCallback does.
 */
@Injectable()
export class SlackInstallationFlow {
  private readonly logger = new Logger(SlackInstallationFlow.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly installations: SlackInstallations,
    private readonly workspaces: SlackWorkspaces,
  ) {}

  get installConfigured(): boolean {
    return this.config.slack.clientId !== null && this.config.slack.clientSecret !== null;
  }

  get redirectUri(): string {
    return `${this.config.publicUrl}${SLACK_CALLBACK_PATH}`;
  }

  /** A fresh single-use state (stored as its hash) and the authorize URL carrying it. */
  async begin(actor: RequestActor): Promise<{ url: string; state: string; expiresAt: Date }> {
    const { clientId, clientSecret, authorizeUrl } = this.config.slack;
    if (clientId === null || clientSecret === null) {
      throw new SlackError(
        SlackErrorCode.InstallNotConfigured,
        'Installing Slack from the console needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET',
      );
    }
    const state = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SLACK_STATE_TTL_SECONDS * 1000);
    const who = auditActorOf(actor.principal);
    await this.dataSource.query(`DELETE FROM slack_oauth_states WHERE expires_at < now()`);
    await this.dataSource.query(
      `INSERT INTO slack_oauth_states (state_hash, created_by, created_by_label, expires_at) VALUES ($1, $2, $3, $4)`,
      [hashOf(state), who.type === 'user' ? who.id : null, who.label, expiresAt],
    );
    const provider = new InstallProvider({
      clientId,
      clientSecret,
      stateVerification: false,
      authorizationUrl: authorizeUrl,
      logLevel: LogLevel.ERROR,
    });
    const url = await provider.generateInstallUrl(
      { scopes: SLACK_BOT_SCOPES, redirectUri: this.redirectUri },
      true,
      state,
    );
    return { url, state, expiresAt };
  }

  /**
   * Slack's redirect back. The state must be the one this browser was given (cookie) and still
   * stored (single use, 10 minutes); then the code is exchanged and the workspace stored.
   */
  async complete(
    query: Record<string, unknown>,
    cookieState: string | undefined,
    context: RequestActor = SYSTEM_CONTEXT,
  ): Promise<SlackInstallOutcome> {
    const text = (key: string): string | undefined => {
      const value = query[key];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const state = text('state');
    if (state === undefined || cookieState === undefined || state !== cookieState) {
      return this.failed(
        SlackErrorCode.OAuthStateInvalid,
        state === undefined ? 'missing_state' : 'state_mismatch',
      );
    }
    const rows = await this.dataSource.query<
      [{ created_by: string | null; created_by_label: string | null }[], number]
    >(
      `DELETE FROM slack_oauth_states WHERE state_hash = $1 AND expires_at > now() RETURNING created_by, created_by_label`,
      [hashOf(state)],
    );
    const started = rows[0][0];
    if (started === undefined)
      return this.failed(SlackErrorCode.OAuthStateInvalid, 'unknown_or_expired_state');
    const installer: AuditActor =
      started.created_by === null
        ? { type: 'anonymous', id: null, label: started.created_by_label }
        : { type: 'user', id: started.created_by, label: started.created_by_label };

    const error = text('error');
    if (error !== undefined) return this.failed(SlackErrorCode.OAuthDenied, error);
    const code = text('code');
    if (code === undefined) return this.failed(SlackErrorCode.OAuthFailed, 'missing_code');
    const { clientId, clientSecret } = this.config.slack;
    if (clientId === null || clientSecret === null) {
      return this.failed(SlackErrorCode.InstallNotConfigured, 'not_configured');
    }

    let access: OauthV2AccessResponse;
    try {
      access = await this.workspaces.anonymousClient().oauth.v2.access({
        client_id: clientId,
        client_secret: clientSecret,
        code,
        redirect_uri: this.redirectUri,
      });
    } catch (e) {
      return this.failed(SlackErrorCode.OAuthFailed, slackCallError(e));
    }
    const teamId = access.team?.id;
    if (access.access_token === undefined || teamId === undefined) {
      return this.failed(SlackErrorCode.OAuthFailed, 'no_bot_token');
    }
    const botId = await this.botIdOf(access.access_token, teamId);
    const installation = {
      teamId,
      teamName: access.team?.name ?? null,
      enterpriseId: access.enterprise?.id ?? null,
      appId: access.app_id ?? null,
      botUserId: access.bot_user_id ?? null,
      botId,
      scopes: (access.scope ?? '').split(',').filter((s) => s !== ''),
      botToken: access.access_token,
      refreshToken: access.refresh_token ?? null,
      tokenExpiresAt:
        typeof access.expires_in === 'number' ? new Date(Date.now() + access.expires_in * 1000) : null,
      installedBy: installer.id,
      installedByLabel: installer.label,
    };
    await this.uow.run(async (m) => {
      const before = await this.installations.find(teamId, m, true);
      await this.installations.save(installation, m);
      await this.audit.record(
        {
          action: 'integration.updated',
          context,
          actor: installer,
          target: { type: 'integration', id: 'slack', label: 'Slack' },
          before: auditable(before),
          after: auditable({ ...installation, installedAt: new Date(), updatedAt: new Date() }),
          details: { change: before === null ? 'workspace_installed' : 'workspace_reinstalled', teamId },
        },
        m,
      );
    });
    this.workspaces.forget(teamId);
    this.logger.log(`Slack workspace ${teamId} installed by ${installer.label ?? 'unknown'}`);
    return { kind: 'installed', teamId, teamName: installation.teamName };
  }

  /** Removes an installed workspace (its tokens revoked at Slack, best effort), audited. */
  async uninstall(teamId: string, actor: RequestActor): Promise<void> {
    const removed = await this.uow.run(async (m) => {
      const gone = await this.installations.remove(teamId, m);
      if (gone === null) return null;
      await this.audit.record(
        {
          action: 'integration.updated',
          context: actor,
          target: { type: 'integration', id: 'slack', label: 'Slack' },
          before: auditable(gone),
          after: null,
          details: { change: 'workspace_uninstalled', teamId },
        },
        m,
      );
      return gone;
    });
    if (removed === null) {
      if (this.config.slack.botToken !== null && (await this.workspaces.envTeamId()) === teamId) {
        throw new SlackError(
          SlackErrorCode.ManagedByEnvironment,
          `Workspace ${teamId} is connected by SLACK_BOT_TOKEN; unset it to disconnect`,
        );
      }
      throw new SlackError(SlackErrorCode.WorkspaceNotFound, `No installed Slack workspace ${teamId}`);
    }
    this.workspaces.forget(teamId);
    // Revoking makes the removal real at Slack's end too; the row is gone whatever Slack answers.
    try {
      await this.workspaces.clientWithToken(teamId, removed.botToken).auth.revoke();
    } catch (e) {
      this.logger.warn(`auth.revoke for Slack workspace ${teamId} failed: ${slackCallError(e)}`);
    }
  }

  private async botIdOf(token: string, teamId: string): Promise<string | null> {
    try {
      const answer = await this.workspaces.clientWithToken(teamId, token).auth.test();
      return answer.bot_id ?? null;
    } catch (e) {
      this.logger.warn(`auth.test after installing ${teamId} failed: ${slackCallError(e)}`);
      return null;
    }
  }

  private failed(code: SlackErrorCode, reason: string): SlackInstallOutcome {
    this.logger.warn(`Slack install failed: ${code} (${reason})`);
    return { kind: 'failed', code, reason };
  }
}
