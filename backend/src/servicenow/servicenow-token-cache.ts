import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ServiceNowCallStats } from './servicenow-call-stats';
import { ServiceNowConnection } from './servicenow-connection.entity';
import { CONNECTION_ID, secretAad } from './servicenow-connection.service';
import { errorTextOf, ServiceNowExchange, type ServiceNowAnswer } from './servicenow-http';
import { tokenOwnerOf, type ServiceNowSettings } from './servicenow-settings';
import { ServiceNowCallError } from './servicenow.errors';

/**
 * ServiceNow does not say when a refresh token lapses; its Application Registry default is
 * 100 days from the grant, and refreshing does not extend it (protocols.md §1.4).
 */
export const REFRESH_TOKEN_LIFETIME_MS = 8_640_000 * 1000;
/** Renew this long before expiry at most (a fifth of the lifetime for short-lived tokens). */
const RENEW_AHEAD_MS = 60_000;

interface Token {
  readonly owner: string;
  readonly accessToken: string;
  readonly obtainedAt: number;
  readonly expiresAt: number;
  readonly refreshToken: string | null;
  readonly refreshExpiresAt: number | null;
}

const renewAt = (t: Token): number =>
  t.expiresAt - Math.min(RENEW_AHEAD_MS, (t.expiresAt - t.obtainedAt) / 5);
const fresh = (t: Token | undefined, owner: string, now = Date.now()): t is Token =>
  t !== undefined && t.owner === owner && now < renewAt(t);

/**
 * OAuth access tokens for the Table API. A token is renewed before it expires; at most one
 * renewal runs at a time (callers meanwhile wait for it); a token the instance refused (401) is
 * renewed once. Renewal uses the refresh token while it lives, and re-runs the configured grant
 * (password or client_credentials) when it is refused or lapsed. Tokens are stored encrypted in
 * the connection row, so a restart or another instance of the app reuses them.
 * The token endpoint is form-encoded only.
 */
@Injectable()
export class ServiceNowTokenCache {
  private current: Token | undefined;
  private renewal: Promise<Token> | undefined;
  private readonly exchange: ServiceNowExchange;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secretBox: SecretBox,
    stats: ServiceNowCallStats,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.exchange = new ServiceNowExchange(config.servicenow.timeoutMs, stats);
  }

  /** A usable access token, renewing it first if it is about to expire. */
  async accessToken(settings: ServiceNowSettings): Promise<string> {
    const owner = tokenOwnerOf(settings);
    if (fresh(this.current, owner)) return this.current.accessToken;
    return (await this.renew(settings, owner, null)).accessToken;
  }

  /** The instance answered 401 to `rejected`: a new token, unless another call already got one. */
  async renewAfterRejection(settings: ServiceNowSettings, rejected: string): Promise<string> {
    const owner = tokenOwnerOf(settings);
    if (fresh(this.current, owner) && this.current.accessToken !== rejected) return this.current.accessToken;
    return (await this.renew(settings, owner, rejected)).accessToken;
  }

  /** Obtains a token now, whatever is cached: what "Test connection" checks. */
  async obtainNew(
    settings: ServiceNowSettings,
  ): Promise<{ accessToken: string; expiresAt: Date; grant: string }> {
    const owner = tokenOwnerOf(settings);
    const token = await this.grant(settings, owner);
    return { accessToken: token.accessToken, expiresAt: new Date(token.expiresAt), grant: settings.grant };
  }

  /** Expiries of the stored tokens (the refresh token's is our estimate). */
  async expiries(): Promise<{ accessTokenExpiresAt: Date | null; refreshTokenExpiresAt: Date | null }> {
    const row = await this.dataSource.getRepository(ServiceNowConnection).findOneBy({ id: CONNECTION_ID });
    return {
      accessTokenExpiresAt: row?.accessToken ? row.accessTokenExpiresAt : null,
      refreshTokenExpiresAt: row?.refreshToken ? row.refreshTokenExpiresAt : null,
    };
  }

  /** Drops the token held in memory (the connection changed on this instance). */
  forget(): void {
    this.current = undefined;
  }

  private renew(settings: ServiceNowSettings, owner: string, rejected: string | null): Promise<Token> {
    // One renewal at a time: concurrent callers share it.
    this.renewal ??= this.obtain(settings, owner, rejected).finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  private async obtain(settings: ServiceNowSettings, owner: string, rejected: string | null): Promise<Token> {
    // Another instance may have renewed it already.
    const stored = await this.stored(owner);
    if (fresh(stored, owner) && stored.accessToken !== rejected) return (this.current = stored);
    const known = stored ?? (this.current?.owner === owner ? this.current : undefined);
    const refreshToken = known?.refreshToken ?? null;
    const refreshExpiresAt = known?.refreshExpiresAt ?? null;
    if (refreshToken !== null && (refreshExpiresAt === null || Date.now() < refreshExpiresAt)) {
      try {
        return await this.save(await this.refresh(settings, owner, refreshToken, refreshExpiresAt));
      } catch (e) {
        // Refused (lapsed or revoked): fall back on the configured grant; a transient failure is reported.
        if (!(e instanceof ServiceNowCallError) || e.kind !== 'auth') throw e;
      }
    }
    return this.grant(settings, owner);
  }

  private async grant(settings: ServiceNowSettings, owner: string): Promise<Token> {
    const form = new URLSearchParams({ grant_type: settings.grant, client_id: settings.clientId });
    form.set('client_secret', settings.clientSecret);
    if (settings.grant === 'password') {
      form.set('username', settings.username ?? '');
      form.set('password', settings.password ?? '');
    }
    const answer = await this.post(settings, form);
    return this.save(this.tokenOf(answer, owner, null, null));
  }

  private async refresh(
    settings: ServiceNowSettings,
    owner: string,
    refreshToken: string,
    refreshExpiresAt: number | null,
  ): Promise<Token> {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      refresh_token: refreshToken,
    });
    return this.tokenOf(await this.post(settings, form), owner, refreshToken, refreshExpiresAt);
  }

  private async post(settings: ServiceNowSettings, form: URLSearchParams): Promise<ServiceNowAnswer> {
    const answer = await this.exchange.send('token', `${settings.instanceUrl}/oauth_token.do`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
    });
    if (answer.status === 200) return answer;
    const transient = answer.status === 429 || answer.status >= 500;
    throw new ServiceNowCallError({
      kind: transient ? 'transient' : 'auth',
      operation: 'token',
      status: answer.status,
      instanceMessage: errorTextOf(answer.body),
      reason: `token endpoint answered ${answer.status}`,
    });
  }

  /** A reply without a new refresh token keeps the old one (and its expiry: refreshing never extends it). */
  private tokenOf(
    answer: ServiceNowAnswer,
    owner: string,
    previousRefresh: string | null,
    previousRefreshExpiresAt: number | null,
  ): Token {
    const body = answer.body as {
      access_token?: unknown;
      refresh_token?: unknown;
      expires_in?: unknown;
    } | null;
    const accessToken = typeof body?.access_token === 'string' ? body.access_token : '';
    if (accessToken === '') {
      throw new ServiceNowCallError({
        kind: 'auth',
        operation: 'token',
        status: answer.status,
        reason: 'the token endpoint answered without an access_token',
      });
    }
    const now = Date.now();
    const expiresIn = Number(body?.expires_in);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn >= 0 ? expiresIn * 1000 : 1800_000;
    const newRefresh =
      typeof body?.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : null;
    const sameRefresh = newRefresh === null || newRefresh === previousRefresh;
    return {
      owner,
      accessToken,
      obtainedAt: now,
      expiresAt: now + lifetimeMs,
      refreshToken: newRefresh ?? previousRefresh,
      refreshExpiresAt:
        (newRefresh ?? previousRefresh) === null
          ? null
          : sameRefresh && previousRefreshExpiresAt !== null
            ? previousRefreshExpiresAt
            : now + REFRESH_TOKEN_LIFETIME_MS,
    };
  }

  private async save(token: Token): Promise<Token> {
    await this.dataSource.getRepository(ServiceNowConnection).update(
      { id: CONNECTION_ID },
      {
        accessToken: this.secretBox.encrypt(token.accessToken, secretAad('accessToken')),
        accessTokenObtainedAt: new Date(token.obtainedAt),
        accessTokenExpiresAt: new Date(token.expiresAt),
        refreshToken:
          token.refreshToken === null
            ? null
            : this.secretBox.encrypt(token.refreshToken, secretAad('refreshToken')),
        refreshTokenExpiresAt: token.refreshExpiresAt === null ? null : new Date(token.refreshExpiresAt),
        tokenOwner: token.owner,
      },
    );
    this.current = token;
    return token;
  }

  private async stored(owner: string): Promise<Token | undefined> {
    const row = await this.dataSource.getRepository(ServiceNowConnection).findOneBy({ id: CONNECTION_ID });
    if (!row?.accessToken || row.tokenOwner !== owner || !row.accessTokenExpiresAt) return undefined;
    return {
      owner,
      accessToken: this.secretBox.decrypt(row.accessToken, secretAad('accessToken')),
      obtainedAt: (row.accessTokenObtainedAt ?? row.accessTokenExpiresAt).getTime(),
      expiresAt: row.accessTokenExpiresAt.getTime(),
      refreshToken: row.refreshToken
        ? this.secretBox.decrypt(row.refreshToken, secretAad('refreshToken'))
        : null,
      refreshExpiresAt: row.refreshTokenExpiresAt?.getTime() ?? null,
    };
  }
}
