import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { ApiKeyPrincipal, RequestActor } from '../common/auth/principal';
import type { ApiKeyScope } from '../common/auth/roles';
import { Coalescer } from '../common/concurrency/coalescer';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import { ApiKey } from './api-key.entity';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';
import { digest, matchesDigest, newSecret } from './opaque-token';

interface KeyForAuthentication {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  secret_hash: Buffer;
  usable: boolean;
}

const KEY_FORMAT = /^nxk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is a hint for admins; writing it on every call would turn each read into a write. */
const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * API keys for machine clients and webhook producers: `nxk_<prefix>_<secret>`, shown once;
 * the prefix finds the row, the secret's SHA-256 proves possession.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly statements: PreparedStatements,
  ) {}

  private readonly lookups = new Coalescer<KeyForAuthentication | undefined>();

  /** When this process last wrote each key's last_used_at, so most requests skip the write. */
  private readonly touched = new Map<string, number>();

  static looksLikeKey(value: string): boolean {
    return value.startsWith('nxk_');
  }

  list(): Promise<ApiKey[]> {
    return this.keys.find({ order: { createdAt: 'DESC' } });
  }

  async create(dto: CreateApiKeyDto, actor: RequestActor): Promise<{ apiKey: ApiKey; key: string }> {
    const prefix = randomBytes(6).toString('hex');
    const secret = newSecret();
    const createdBy = actor.principal?.kind === 'user' ? actor.principal.id : null;
    const apiKey = await this.unitOfWork.run(async (m) => {
      const inserted = await m.getRepository(ApiKey).insert({
        name: dto.name,
        prefix,
        secretHash: digest(secret),
        scopes: [...new Set(dto.scopes)],
        createdBy,
        expiresAt: dto.expiresAt ?? null,
      });
      const created = await m
        .getRepository(ApiKey)
        .findOneByOrFail({ id: String((inserted.identifiers[0] as { id: string }).id) });
      await this.audit.record(
        {
          action: 'api_key.created',
          context: actor,
          target: { type: 'api_key', id: created.id, label: created.name },
          after: { name: created.name, prefix, scopes: created.scopes, expiresAt: created.expiresAt },
        },
        m,
      );
      return created;
    });
    return { apiKey, key: `nxk_${prefix}_${secret}` };
  }

  async revoke(id: string, actor: RequestActor): Promise<void> {
    await this.unitOfWork.run(async (m) => {
      const key = await m
        .getRepository(ApiKey)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new AuthError(AuthErrorCode.ApiKeyNotFound, `No API key with id ${id}`);
      if (key.revokedAt) return;
      await m.getRepository(ApiKey).update({ id }, { revokedAt: new Date() });
      await this.audit.record(
        {
          action: 'api_key.revoked',
          context: actor,
          target: { type: 'api_key', id, label: key.name },
          before: { revokedAt: null },
          after: { revokedAt: new Date().toISOString() },
        },
        m,
      );
    });
  }

  private async touch(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < LAST_USED_RESOLUTION_SECONDS * 1000) return;
    this.touched.set(id, now);
    await this.keys
      .createQueryBuilder()
      .update(ApiKey)
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :id', { id })
      .andWhere(`(last_used_at IS NULL OR last_used_at < now() - make_interval(secs => :resolution))`, {
        resolution: LAST_USED_RESOLUTION_SECONDS,
      })
      .execute();
  }

  /**
   * Every API call reads its key: a prepared statement, with the database's clock judging
   * expiry. A client's concurrent calls share one read that started after each of them (so a
   * revocation is seen at once); each call still checks its own secret against the row.
   */
  private keyByPrefix(prefix: string): Promise<KeyForAuthentication | undefined> {
    return this.lookups.run(prefix, async () => {
      const [key] = await this.statements.rows<KeyForAuthentication>(
        `SELECT id, name, scopes, secret_hash,
                revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AS usable
           FROM api_keys WHERE prefix = $1`,
        [prefix],
      );
      return key;
    });
  }

  async authenticate(presented: string): Promise<ApiKeyPrincipal> {
    const match = KEY_FORMAT.exec(presented);
    // Built only when needed: an Error captures a stack trace, a cost every valid call would pay.
    const invalid = (): AuthError =>
      new AuthError(AuthErrorCode.ApiKeyInvalid, 'The API key is not valid, revoked or expired');
    if (!match?.[1] || !match[2]) throw invalid();
    const key = await this.keyByPrefix(match[1]);
    if (!key || !matchesDigest(match[2], key.secret_hash)) throw invalid();
    if (!key.usable) throw invalid();
    await this.touch(key.id);
    return { kind: 'api_key', id: key.id, name: key.name, scopes: key.scopes };
  }
}
