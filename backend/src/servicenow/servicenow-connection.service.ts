import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { SecretBox } from '../common/crypto/secret-box';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { UpdateServiceNowConnectionDto } from './dto/servicenow-connection.dto';
import type { ServiceNowConnectionView } from './dto/servicenow-connection.view';
import { ServiceNowConnection } from './servicenow-connection.entity';
import { mappingOf, mergeMapping, type ServiceNowMapping } from './servicenow-mapping';
import type { ServiceNowSettings } from './servicenow-settings';
import { ServiceNowError, ServiceNowErrorCode } from './servicenow.errors';

/** The singleton row's id. */
export const CONNECTION_ID = 1;

export type ConnectionSecret = 'clientSecret' | 'password' | 'webhookSecret' | 'accessToken' | 'refreshToken';

const COLUMN_OF: Record<ConnectionSecret, string> = {
  clientSecret: 'client_secret',
  password: 'password',
  webhookSecret: 'webhook_secret',
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
};

/** Binds each ciphertext to its column: one copied into another fails to decrypt. */
export const secretAad = (secret: ConnectionSecret): string =>
  `servicenow_connection:${CONNECTION_ID}:${COLUMN_OF[secret]}`;

/** How long a read of the settings is trusted (changes made through this instance apply at once). */
const SETTINGS_CACHE_MS = 2000;

/** The settings an audit row shows: whether each secret is set, never the secret. */
function auditable(c: ServiceNowConnection): Record<string, unknown> {
  return {
    instanceUrl: c.instanceUrl,
    grant: c.grant,
    clientId: c.clientId,
    username: c.username,
    hasClientSecret: c.clientSecret !== null,
    hasPassword: c.password !== null,
    hasWebhookSecret: c.webhookSecret !== null,
    defaultAssignmentGroup: c.defaultAssignmentGroup,
    assignmentGroups: c.assignmentGroups,
    mapping: mappingOf(c.mapping),
    enabled: c.enabled,
  };
}

/**
 * The ServiceNow connection: set by SERVICENOW_* variables (then read-only here), or by an admin
 * through the API. Secrets are stored as SecretBox tokens (AES-256-GCM) and never returned.
 * Every change is audited (`integration.updated`) in the same transaction.
 */
@Injectable()
export class ServiceNowConnectionService {
  private cached: { at: number; settings: ServiceNowSettings | null } | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get managedByEnvironment(): boolean {
    return this.config.servicenow.environment !== undefined;
  }

  /** The connection the client uses, secrets decrypted; null when none is configured. */
  async settings(): Promise<ServiceNowSettings | null> {
    if (this.cached && Date.now() - this.cached.at < SETTINGS_CACHE_MS) return this.cached.settings;
    const settings = this.settingsOf(await this.row(this.dataSource.manager));
    this.cached = { at: Date.now(), settings };
    return settings;
  }

  /** The mapping in force (defaults where nothing was set). */
  async mapping(): Promise<ServiceNowMapping> {
    return mappingOf((await this.row(this.dataSource.manager)).mapping);
  }

  /** The secret ServiceNow's business rule signs webhooks with; null when none is set. */
  async webhookSecret(): Promise<string | null> {
    return (await this.settings())?.webhookSecret ?? null;
  }

  /** Forgets the cached settings (this instance changed them). */
  forget(): void {
    this.cached = undefined;
  }

  async view(): Promise<ServiceNowConnectionView> {
    const row = await this.row(this.dataSource.manager);
    const env = this.config.servicenow.environment;
    const mapping = mappingOf(row.mapping);
    if (env) {
      return {
        configured: true,
        source: 'environment',
        instanceUrl: env.instanceUrl,
        grant: env.grant,
        clientId: env.clientId,
        username: env.username,
        hasClientSecret: env.clientSecret !== '',
        hasPassword: env.password !== null,
        hasWebhookSecret: env.webhookSecret !== null,
        defaultAssignmentGroup: env.defaultAssignmentGroup,
        assignmentGroups: env.assignmentGroups,
        mapping,
        enabled: true,
        updatedAt: null,
        updatedBy: null,
      };
    }
    const configured = row.instanceUrl !== null;
    return {
      configured,
      source: configured ? 'console' : null,
      instanceUrl: row.instanceUrl,
      grant: row.grant,
      clientId: row.clientId,
      username: row.username,
      hasClientSecret: row.clientSecret !== null,
      hasPassword: row.password !== null,
      hasWebhookSecret: row.webhookSecret !== null,
      defaultAssignmentGroup: row.defaultAssignmentGroup,
      assignmentGroups: row.assignmentGroups,
      mapping,
      enabled: row.enabled,
      updatedAt: row.updatedAt.toISOString(),
      updatedBy: row.updatedByLabel,
    };
  }

  async update(dto: UpdateServiceNowConnectionDto, actor: RequestActor): Promise<ServiceNowConnectionView> {
    if (this.managedByEnvironment) {
      throw new ServiceNowError(
        ServiceNowErrorCode.ManagedByEnvironment,
        'The ServiceNow connection is set by SERVICENOW_* environment variables; change them there',
      );
    }
    await this.uow.run(async (m) => {
      const before = await this.row(m, true);
      const set: Partial<ServiceNowConnection> = {};
      const seal = (secret: ConnectionSecret, value: string | null | undefined): void => {
        if (value === undefined) return;
        set[secret] = value === null ? null : this.secretBox.encrypt(value, secretAad(secret));
      };
      if (dto.instanceUrl === null) {
        // Disconnect: nothing that could reach the old instance stays.
        Object.assign(set, {
          instanceUrl: null,
          clientId: null,
          username: null,
          clientSecret: null,
          password: null,
          webhookSecret: null,
        });
      } else {
        if (dto.instanceUrl !== undefined) set.instanceUrl = dto.instanceUrl;
        if (dto.grant !== undefined) set.grant = dto.grant;
        if (dto.clientId !== undefined) set.clientId = dto.clientId;
        if (dto.username !== undefined) set.username = dto.username;
        seal('clientSecret', dto.clientSecret);
        seal('password', dto.password);
        seal('webhookSecret', dto.webhookSecret);
      }
      if (dto.defaultAssignmentGroup !== undefined)
        set.defaultAssignmentGroup = dto.defaultAssignmentGroup || null;
      // The whole map is replaced: a group left out is no longer mapped.
      if (dto.assignmentGroups !== undefined) set.assignmentGroups = dto.assignmentGroups;
      if (dto.mapping !== undefined) set.mapping = mergeMapping(mappingOf(before.mapping), dto.mapping);
      if (dto.enabled !== undefined) set.enabled = dto.enabled;

      const next = { ...before, ...set };
      this.assertComplete(next);
      const credentialsChanged = (
        ['instanceUrl', 'grant', 'clientId', 'username', 'clientSecret', 'password'] as const
      ).some((k) => k in set && set[k] !== before[k]);
      if (credentialsChanged) {
        // Tokens belong to the credentials that obtained them.
        Object.assign(set, {
          accessToken: null,
          accessTokenObtainedAt: null,
          accessTokenExpiresAt: null,
          refreshToken: null,
          refreshTokenExpiresAt: null,
          tokenOwner: null,
        });
      }
      const user = actor.principal?.kind === 'user' ? actor.principal : null;
      await m.getRepository(ServiceNowConnection).update(
        { id: CONNECTION_ID },
        {
          ...set,
          updatedAt: new Date(),
          updatedBy: user?.id ?? null,
          updatedByLabel: user?.email ?? actor.principal?.name ?? null,
        },
      );
      const after = await this.row(m);
      const changedSecrets = (['clientSecret', 'password', 'webhookSecret'] as const).filter(
        (k) => k in set && set[k] !== before[k],
      );
      await this.audit.record(
        {
          action: 'integration.updated',
          context: actor,
          target: { type: 'integration', id: 'servicenow', label: 'ServiceNow' },
          before: auditable(before),
          after: auditable(after),
          details: { secretsChanged: changedSecrets },
        },
        m,
      );
    });
    this.forget();
    return this.view();
  }

  private assertComplete(c: ServiceNowConnection): void {
    if (c.instanceUrl === null) return;
    const missing: string[] = [];
    if (!c.clientId) missing.push('clientId');
    if (c.clientSecret === null) missing.push('clientSecret');
    if (c.grant === 'password') {
      if (!c.username) missing.push('username');
      if (c.password === null) missing.push('password');
    }
    if (missing.length > 0) {
      throw new ServiceNowError(
        ServiceNowErrorCode.SettingsIncomplete,
        `A ${c.grant} connection needs ${missing.join(', ')}`,
        { missing },
      );
    }
  }

  private settingsOf(row: ServiceNowConnection): ServiceNowSettings | null {
    const env = this.config.servicenow.environment;
    const mapping = mappingOf(row.mapping);
    if (env) {
      return {
        source: 'environment',
        instanceUrl: env.instanceUrl,
        grant: env.grant,
        clientId: env.clientId,
        clientSecret: env.clientSecret,
        username: env.username,
        password: env.password,
        webhookSecret: env.webhookSecret,
        defaultAssignmentGroup: env.defaultAssignmentGroup,
        assignmentGroups: env.assignmentGroups,
        mapping,
        enabled: true,
      };
    }
    if (row.instanceUrl === null || row.clientId === null || row.clientSecret === null) return null;
    return {
      source: 'console',
      instanceUrl: row.instanceUrl,
      grant: row.grant,
      clientId: row.clientId,
      clientSecret: this.open('clientSecret', row.clientSecret)!,
      username: row.username,
      password: this.open('password', row.password),
      webhookSecret: this.open('webhookSecret', row.webhookSecret),
      defaultAssignmentGroup: row.defaultAssignmentGroup,
      assignmentGroups: row.assignmentGroups,
      mapping,
      enabled: row.enabled,
    };
  }

  private open(secret: ConnectionSecret, token: string | null): string | null {
    return token === null ? null : this.secretBox.decrypt(token, secretAad(secret));
  }

  private async row(m: EntityManager, lock = false): Promise<ServiceNowConnection> {
    const row = await m.getRepository(ServiceNowConnection).findOne({
      where: { id: CONNECTION_ID },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    // The migration inserts it; its absence means the schema is not ours.
    if (!row) throw new Error('servicenow_connection has no row: run the migrations');
    return row;
  }
}
