import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isIP } from 'node:net';
import { IsNull, MoreThan, Not, type EntityManager, type Repository } from 'typeorm';
import type { RequestActor } from '../common/auth/principal';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuthSession } from './auth-session.entity';
import { AuthError, AuthErrorCode } from './auth.errors';
import { digest, matchesDigest, newSecret } from './opaque-token';
import { RefreshToken } from './refresh-token.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RotationResult =
  | { readonly kind: 'rotated'; readonly session: AuthSession; readonly refreshToken: string }
  | { readonly kind: 'reused'; readonly session: AuthSession };

/** The fields that decide whether a session still admits requests. */
export type SessionValidity = Pick<AuthSession, 'createdAt' | 'expiresAt' | 'revokedAt'>;

/**
 * Sessions and their rotating refresh tokens. A refresh token is `<row id>.<secret>`: the id finds
 * the row, the secret's digest proves possession. Each rotation consumes the presented token;
 * a consumed token presented again means a copy exists elsewhere, so the session dies (after a
 * short grace window for the token just rotated: see withinReuseGrace).
 */
@Injectable()
export class SessionStore {
  constructor(
    @InjectRepository(AuthSession) private readonly sessions: Repository<AuthSession>,
    private readonly unitOfWork: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly statements: PreparedStatements,
  ) {}

  async start(
    userId: string,
    method: AuthSession['method'],
    actor: RequestActor,
    m: EntityManager,
  ): Promise<{ session: AuthSession; refreshToken: string }> {
    const ip = actor.ip?.replace(/^::ffff:/, '') ?? null;
    const inserted = await m.getRepository(AuthSession).insert({
      userId,
      method,
      expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000),
      ip: ip && isIP(ip) ? ip : null,
      userAgent: actor.userAgent,
    });
    const id = String((inserted.identifiers[0] as { id: string }).id);
    const session = await m.getRepository(AuthSession).findOneByOrFail({ id });
    return { session, refreshToken: await this.issue(session.id, m) };
  }

  /** Consumes `presented` and issues its successor; reuse revokes the session (committed). */
  async rotate(presented: string): Promise<RotationResult> {
    const [id, secret] = presented.split('.', 2);
    if (!id || !secret || !UUID.test(id)) throw this.invalid();
    return this.unitOfWork.run(async (m) => {
      const token = await m
        .getRepository(RefreshToken)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!token || !matchesDigest(secret, token.secretHash)) throw this.invalid();
      const session = await m
        .getRepository(AuthSession)
        .findOne({ where: { id: token.sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) throw this.invalid();
      if (token.consumedAt && !(await this.withinReuseGrace(m, token.sessionId, token.consumedAt))) {
        await this.revokeIn(m, session.id, 'refresh_reused');
        return { kind: 'reused', session };
      }
      // Within the grace window the token stays consumed as it was; the session gets a sibling.
      if (!token.consumedAt) await m.getRepository(RefreshToken).update({ id }, { consumedAt: new Date() });
      await m.getRepository(AuthSession).update({ id: session.id }, { lastUsedAt: new Date() });
      return { kind: 'rotated', session, refreshToken: await this.issue(session.id, m) };
    });
  }

  /**
   * A consumed token presented again is forgiven for REFRESH_REUSE_GRACE_SECONDS after it was
   * rotated, and only if it is the session's latest rotated token (as Auth0's reuse interval):
   * two tabs refreshing with one cookie, or a client retrying a refresh whose answer was lost.
   * An older token, or any token after the window, is theft. Runs under the session's row lock,
   * so concurrent refreshes of one session are judged one after another.
   */
  private async withinReuseGrace(m: EntityManager, sessionId: string, consumedAt: Date): Promise<boolean> {
    const graceMs = this.config.auth.refreshReuseGraceSeconds * 1000;
    if (Date.now() - consumedAt.getTime() > graceMs) return false;
    const newer = await m
      .getRepository(RefreshToken)
      .existsBy({ sessionId, consumedAt: MoreThan(consumedAt) });
    return !newer;
  }

  /** The session a refresh token belongs to, if the token is genuine (used by logout). */
  async sessionOf(presented: string): Promise<AuthSession | null> {
    const [id, secret] = presented.split('.', 2);
    if (!id || !secret || !UUID.test(id)) return null;
    const token = await this.sessions.manager.getRepository(RefreshToken).findOneBy({ id });
    if (!token || !matchesDigest(secret, token.secretHash)) return null;
    return this.sessions.findOneBy({ id: token.sessionId });
  }

  /** A session that still admits requests: not revoked, not expired, not ended by an admin. */
  async active(sessionId: string, userId: string, validAfter: Date): Promise<AuthSession | null> {
    const session = await this.find(sessionId, userId);
    return session && SessionStore.admits(session, validAfter) ? session : null;
  }

  find(sessionId: string, userId: string): Promise<AuthSession | null> {
    return this.sessions.findOneBy({ id: sessionId, userId });
  }

  /** What every authenticated request checks of its session: a prepared statement, no entity. */
  async validity(sessionId: string, userId: string): Promise<SessionValidity | null> {
    const [row] = await this.statements.rows<{ created_at: Date; expires_at: Date; revoked_at: Date | null }>(
      'SELECT created_at, expires_at, revoked_at FROM auth_sessions WHERE id = $1 AND user_id = $2',
      [sessionId, userId],
    );
    return row ? { createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at } : null;
  }

  /** Not revoked, not expired, and not started before an admin ended the user's sessions. */
  static admits(session: SessionValidity, validAfter: Date): boolean {
    if (session.revokedAt || session.expiresAt.getTime() <= Date.now()) return false;
    return session.createdAt.getTime() >= validAfter.getTime();
  }

  listActive(userId: string, validAfter: Date): Promise<AuthSession[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where(
        's.userId = :userId AND s.revokedAt IS NULL AND s.expiresAt > now() AND s.createdAt >= :validAfter',
        {
          userId,
          validAfter,
        },
      )
      .orderBy('s.lastUsedAt', 'DESC')
      .getMany();
  }

  async revoke(sessionId: string, reason: string, m?: EntityManager): Promise<boolean> {
    return this.revokeIn(m ?? this.sessions.manager, sessionId, reason);
  }

  async revokeOthers(userId: string, keep: string, reason: string, m: EntityManager): Promise<number> {
    const result = await m
      .getRepository(AuthSession)
      .update(
        { userId, id: Not(keep), revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: reason },
      );
    return result.affected ?? 0;
  }

  private async revokeIn(m: EntityManager, sessionId: string, reason: string): Promise<boolean> {
    const result = await m
      .getRepository(AuthSession)
      .update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
    return (result.affected ?? 0) > 0;
  }

  private async issue(sessionId: string, m: EntityManager): Promise<string> {
    const secret = newSecret();
    const inserted = await m.getRepository(RefreshToken).insert({ sessionId, secretHash: digest(secret) });
    return `${String((inserted.identifiers[0] as { id: string }).id)}.${secret}`;
  }

  private invalid(): AuthError {
    return new AuthError(AuthErrorCode.RefreshInvalid, 'The refresh token is not valid; sign in again');
  }
}
