import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box';

/** An installed workspace, tokens decrypted (never leaves the server). */
export interface SlackInstallation {
  readonly teamId: string;
  readonly teamName: string | null;
  readonly enterpriseId: string | null;
  readonly appId: string | null;
  readonly botUserId: string | null;
  readonly botId: string | null;
  readonly scopes: readonly string[];
  readonly botToken: string;
  /** Set under token rotation. */
  readonly refreshToken: string | null;
  /** Null: the token does not expire. */
  readonly tokenExpiresAt: Date | null;
  readonly installedBy: string | null;
  readonly installedByLabel: string | null;
  readonly installedAt: Date;
  readonly updatedAt: Date;
}

export type NewSlackInstallation = Omit<SlackInstallation, 'installedAt' | 'updatedAt'>;

interface InstallationRow {
  team_id: string;
  team_name: string | null;
  enterprise_id: string | null;
  app_id: string | null;
  bot_user_id: string | null;
  bot_id: string | null;
  scopes: string[];
  bot_token: string;
  refresh_token: string | null;
  token_expires_at: Date | null;
  installed_by: string | null;
  installed_by_label: string | null;
  installed_at: Date;
  updated_at: Date;
}

/** Binds each ciphertext to its row and column: one copied into another fails to decrypt. */
export const installationSecretAad = (teamId: string, column: 'bot_token' | 'refresh_token'): string =>
  `slack_installations:${teamId}:${column}`;

/**
 * `slack_installations`: one row per workspace installed through OAuth, the bot token and
 * refresh token as SecretBox tokens (AES-256-GCM). Plain SQL over the table; SlackWorkspaces and the
 * install flow are its only users.
 */
@Injectable()
export class SlackInstallations {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
  ) {}

  async find(teamId: string, manager?: EntityManager, forUpdate = false): Promise<SlackInstallation | null> {
    const rows = await (manager ?? this.dataSource.manager).query<InstallationRow[]>(
      `SELECT * FROM slack_installations WHERE team_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [teamId],
    );
    return rows[0] ? this.installationOf(rows[0]) : null;
  }

  /** Every installation, the earliest installed first. */
  async all(): Promise<SlackInstallation[]> {
    const rows = await this.dataSource.query<InstallationRow[]>(
      `SELECT * FROM slack_installations ORDER BY installed_at, team_id`,
    );
    return rows.map((row) => this.installationOf(row));
  }

  async firstTeamId(): Promise<string | null> {
    const rows = await this.dataSource.query<{ team_id: string }[]>(
      `SELECT team_id FROM slack_installations ORDER BY installed_at, team_id LIMIT 1`,
    );
    return rows[0]?.team_id ?? null;
  }

  /** Inserts or replaces a workspace's installation (a reinstall keeps `installed_at`). */
  async save(installation: NewSlackInstallation, manager?: EntityManager): Promise<void> {
    const { teamId } = installation;
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO slack_installations (team_id, team_name, enterprise_id, app_id, bot_user_id, bot_id, scopes,
         bot_token, refresh_token, token_expires_at, installed_by, installed_by_label)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (team_id) DO UPDATE SET team_name = EXCLUDED.team_name, enterprise_id = EXCLUDED.enterprise_id,
         app_id = EXCLUDED.app_id, bot_user_id = EXCLUDED.bot_user_id, bot_id = EXCLUDED.bot_id,
         scopes = EXCLUDED.scopes, bot_token = EXCLUDED.bot_token, refresh_token = EXCLUDED.refresh_token,
         token_expires_at = EXCLUDED.token_expires_at, installed_by = EXCLUDED.installed_by,
         installed_by_label = EXCLUDED.installed_by_label, updated_at = now()`,
      [
        teamId,
        installation.teamName,
        installation.enterpriseId,
        installation.appId,
        installation.botUserId,
        installation.botId,
        [...installation.scopes],
        this.secretBox.encrypt(installation.botToken, installationSecretAad(teamId, 'bot_token')),
        installation.refreshToken === null
          ? null
          : this.secretBox.encrypt(installation.refreshToken, installationSecretAad(teamId, 'refresh_token')),
        installation.tokenExpiresAt,
        installation.installedBy,
        installation.installedByLabel,
      ],
    );
  }

  /** Stores a refreshed token pair (both: Slack's refresh tokens are single-use). */
  async saveTokens(
    teamId: string,
    tokens: { botToken: string; refreshToken: string | null; expiresAt: Date | null },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE slack_installations SET bot_token = $2, refresh_token = $3, token_expires_at = $4, updated_at = now()
        WHERE team_id = $1`,
      [
        teamId,
        this.secretBox.encrypt(tokens.botToken, installationSecretAad(teamId, 'bot_token')),
        tokens.refreshToken === null
          ? null
          : this.secretBox.encrypt(tokens.refreshToken, installationSecretAad(teamId, 'refresh_token')),
        tokens.expiresAt,
      ],
    );
  }

  /** The removed installation, or null when there was none. */
  async remove(teamId: string, manager: EntityManager): Promise<SlackInstallation | null> {
    const rows = await manager.query<InstallationRow[]>(
      `DELETE FROM slack_installations WHERE team_id = $1 RETURNING *`,
      [teamId],
    );
    const row = Array.isArray(rows[0]) ? (rows[0] as unknown as InstallationRow[])[0] : rows[0];
    return row ? this.installationOf(row) : null;
  }

  private installationOf(row: InstallationRow): SlackInstallation {
    return {
      teamId: row.team_id,
      teamName: row.team_name,
      enterpriseId: row.enterprise_id,
      appId: row.app_id,
      botUserId: row.bot_user_id,
      botId: row.bot_id,
      scopes: row.scopes,
      botToken: this.secretBox.decrypt(row.bot_token, installationSecretAad(row.team_id, 'bot_token')),
      refreshToken:
        row.refresh_token === null
          ? null
          : this.secretBox.decrypt(row.refresh_token, installationSecretAad(row.team_id, 'refresh_token')),
      tokenExpiresAt: row.token_expires_at,
      installedBy: row.installed_by,
      installedByLabel: row.installed_by_label,
      installedAt: row.installed_at,
      updatedAt: row.updated_at,
    };
  }
}
