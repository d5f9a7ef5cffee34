import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, type AuditActor } from '../audit/audit-log.service';
import type { Principal, RequestActor, UserPrincipal } from '../common/auth/principal';
import { Coalescer } from '../common/concurrency/coalescer';
import { UnitOfWork } from '../common/database/unit-of-work';
import type { UserView } from '../users/dto/user.view';
import type { SignInAccount } from '../users/sign-in-account';
import { UserCredentials } from '../users/user-credentials.service';
import { UsersService } from '../users/users.service';
import { AccessTokens } from './access-tokens';
import type { AuthSession } from './auth-session.entity';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { ChangePasswordDto } from './dto/change-password.dto';
import type { ApiKeyIdentityView, SessionView } from './dto/token.view';
import { LoginLockout } from './login-lockout';
import { PrincipalCache } from './principal-cache';
import { SessionStore } from './session-store';

/** Tokens for a session, before the controller decides where the refresh token travels. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresIn: number;
  readonly user: UserView;
}

/** What a valid access token says, checked only against its signature and expiry. */
export interface VerifiedAccessToken {
  readonly userId: string;
  readonly sessionId: string;
  readonly expiresAt: Date;
}

/** A user and session found good, and until when the session's own expiry lets that hold. */
interface CheckedPrincipal {
  readonly principal: UserPrincipal;
  readonly validUntil: number;
}

const userActor = (user: { readonly id: string; readonly email: string }): AuditActor => ({
  type: 'user',
  id: user.id,
  label: user.email,
});

/**
 * Signing in and staying signed in: password login with lock-out, refresh rotation with reuse
 * detection, logout, password change, and the per-request check that a token's user and
 * session are still good (for HTTP requests through the principal cache: see requestPrincipal).
 * Whatever here ends a session tells the cache itself right after the commit, before the
 * database's signal arrives.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly credentials: UserCredentials,
    private readonly sessions: SessionStore,
    private readonly lockout: LoginLockout,
    private readonly accessTokens: AccessTokens,
    private readonly audit: AuditLog,
    private readonly unitOfWork: UnitOfWork,
    @Inject(PrincipalCache) private readonly principals: PrincipalCache<UserPrincipal>,
  ) {}

  /** Concurrent requests of one session that miss the cache share one read (see Coalescer). */
  private readonly principalReads = new Coalescer<UserPrincipal>();

  async login(email: string, password: string, actor: RequestActor): Promise<IssuedTokens> {
    const anonymous: AuditActor = { type: 'anonymous', id: null, label: email };
    await this.assertNotLocked(email, actor, anonymous);
    const account = await this.credentials.verifyPassword(email, password);
    if (!account) {
      await this.countFailure(email, actor, anonymous, 'bad_credentials');
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'The email or password is not correct');
    }
    if (account.status !== 'active') {
      await this.audit.record({
        action: 'auth.login.failed',
        context: actor,
        actor: userActor(account),
        outcome: 'failure',
        details: { reason: 'disabled' },
      });
      throw new AuthError(AuthErrorCode.UserDisabled, 'This account is disabled; ask an administrator');
    }
    await this.lockout.clear(email);
    return this.startSession(account, 'password', actor, 'auth.login.succeeded');
  }

  /** A session for a person who just proved who they are (password or SSO). */
  async startSession(
    account: SignInAccount,
    method: AuthSession['method'],
    actor: RequestActor,
    action: 'auth.login.succeeded' | 'auth.sso.succeeded',
    details: Record<string, unknown> = {},
  ): Promise<IssuedTokens> {
    const { session, refreshToken } = await this.unitOfWork.run(async (m) => {
      const started = await this.sessions.start(account.id, method, actor, m);
      await this.credentials.recordSignIn(account.id, m);
      await this.audit.record(
        {
          action,
          context: actor,
          actor: userActor(account),
          target: { type: 'session', id: started.session.id, label: method },
          details,
        },
        m,
      );
      return started;
    });
    return this.tokensFor(account, session, refreshToken);
  }

  async refresh(presented: string | undefined, actor: RequestActor): Promise<IssuedTokens> {
    if (!presented) throw new AuthError(AuthErrorCode.RefreshInvalid, 'No refresh token was presented');
    const result = await this.sessions.rotate(presented);
    const account = await this.credentials.accountOf(result.session.userId);
    if (result.kind === 'reused') {
      this.principals.invalidateUser(result.session.userId);
      await this.audit.record({
        action: 'auth.refresh.reused',
        context: actor,
        actor: account ? userActor(account) : { type: 'anonymous', id: null, label: null },
        outcome: 'failure',
        target: { type: 'session', id: result.session.id, label: result.session.method },
        details: { sessionRevoked: true },
      });
      throw new AuthError(
        AuthErrorCode.RefreshReused,
        'This refresh token was already used; the session has been ended for safety. Sign in again',
      );
    }
    if (!account || account.status !== 'active' || result.session.createdAt < account.sessionsValidAfter) {
      await this.sessions.revoke(result.session.id, 'user_inactive');
      this.principals.invalidateUser(result.session.userId);
      throw new AuthError(AuthErrorCode.RefreshInvalid, 'The refresh token is not valid; sign in again');
    }
    return this.tokensFor(account, result.session, result.refreshToken);
  }

  /**
   * Ends the session a refresh token belongs to or, without one, the session of a bearer access
   * token. An unknown, forged or expired token ends nothing and says nothing.
   */
  async logout(
    presented: { readonly refreshToken?: string; readonly accessToken?: string },
    actor: RequestActor,
  ): Promise<void> {
    const session = presented.refreshToken
      ? await this.sessions.sessionOf(presented.refreshToken)
      : presented.accessToken
        ? await this.sessionOfAccessToken(presented.accessToken)
        : null;
    if (!session || !(await this.sessions.revoke(session.id, 'logout'))) return;
    this.principals.invalidateUser(session.userId);
    const account = await this.credentials.accountOf(session.userId);
    await this.audit.record({
      action: 'auth.logout',
      context: actor,
      actor: account ? userActor(account) : { type: 'anonymous', id: null, label: null },
      target: { type: 'session', id: session.id, label: null },
    });
  }

  async me(principal: Principal): Promise<UserView | ApiKeyIdentityView> {
    if (principal.kind === 'api_key') {
      return { kind: 'api_key', id: principal.id, name: principal.name, scopes: [...principal.scopes] };
    }
    return this.users.view(principal.id);
  }

  /**
   * Proving the current password is a sign-in attempt: it counts towards the account's login
   * lock-out (same key, the email), so a stolen access token cannot be used to guess the
   * password without limit, and guesses spread over both routes add up.
   */
  async changePassword(principal: UserPrincipal, dto: ChangePasswordDto, actor: RequestActor): Promise<void> {
    await this.assertNotLocked(principal.email, actor, userActor(principal));
    const account = await this.credentials.verifyPassword(principal.email, dto.currentPassword);
    if (!account) {
      await this.countFailure(principal.email, actor, userActor(principal), 'wrong_current_password');
      throw new AuthError(AuthErrorCode.CurrentPasswordIncorrect, 'The current password is not correct');
    }
    await this.lockout.clear(principal.email);
    const changed = this.unitOfWork.run(async (m) => {
      await this.credentials.setOwnPassword(account.id, dto.newPassword, m);
      const revoked = await this.sessions.revokeOthers(
        account.id,
        principal.sessionId,
        'password_changed',
        m,
      );
      await this.audit.record(
        {
          action: 'auth.password.changed',
          context: actor,
          target: { type: 'user', id: account.id, label: account.email },
          details: { otherSessionsRevoked: revoked, wasTemporary: account.mustChangePassword },
        },
        m,
      );
    });
    // Also on failure, which may have come after the commit: an extra call costs one re-read.
    await changed.finally(() => this.principals.invalidateUser(account.id));
  }

  async listSessions(principal: UserPrincipal): Promise<SessionView[]> {
    const account = await this.credentials.accountOf(principal.id);
    if (!account) return [];
    const sessions = await this.sessions.listActive(account.id, account.sessionsValidAfter);
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      method: s.method,
      current: s.id === principal.sessionId,
    }));
  }

  async revokeSession(principal: UserPrincipal, sessionId: string, actor: RequestActor): Promise<void> {
    const account = await this.credentials.accountOf(principal.id);
    const session = account
      ? await this.sessions.active(sessionId, account.id, account.sessionsValidAfter)
      : null;
    if (!session) throw new AuthError(AuthErrorCode.SessionNotFound, `No active session ${sessionId}`);
    const revoked = this.unitOfWork.run(async (m) => {
      await this.sessions.revoke(sessionId, 'revoked_by_user', m);
      await this.audit.record(
        {
          action: 'auth.session.revoked',
          context: actor,
          target: { type: 'session', id: sessionId, label: null },
        },
        m,
      );
    });
    await revoked.finally(() => this.principals.invalidateUser(principal.id));
  }

  /**
   * A raw access token's signature and claims, without the database: who and which session it
   * speaks for and until when. Long-lived connections check `principalFor` themselves.
   */
  async verifyAccessToken(token: string | undefined): Promise<VerifiedAccessToken> {
    if (!token) throw new AuthError(AuthErrorCode.Unauthenticated, 'Sign in first: send an access token');
    const claims = await this.accessTokens.verify(token);
    return { userId: claims.sub, sessionId: claims.sid, expiresAt: new Date(claims.exp * 1000) };
  }

  /**
   * Who an access token speaks for, read from the database every time so disabling a user,
   * ending a session or changing a role takes effect at once. The /live gateway's checks use
   * this; HTTP requests go through requestPrincipal.
   */
  async principalFor(userId: string, sessionId: string): Promise<UserPrincipal> {
    return (await this.checkPrincipal(userId, sessionId)).principal;
  }

  /**
   * principalFor for an HTTP request, answered from the principal cache when it can: the user
   * and session rows are re-read only after the database signals a change to that user
   * (AccessChangeListener), after this instance changed them itself, after the TTL, or while
   * the signal is not being received (then every request reads, as principalFor does). So a
   * revocation still takes effect at once, without two reads on every request (docs/auth.md).
   */
  requestPrincipal(userId: string, sessionId: string): Promise<UserPrincipal> {
    const cached = this.principals.lookup(userId, sessionId);
    if (cached) return Promise.resolve(cached);
    if (!this.principals.serving) return this.principalFor(userId, sessionId);
    return this.principalReads.run(`${userId} ${sessionId}`, async () => {
      // Begun before the read, so an invalidation that lands while it runs spoils its result.
      const fill = this.principals.begin(userId);
      try {
        const checked = await this.checkPrincipal(userId, sessionId);
        this.principals.store(fill, sessionId, checked.principal, checked.validUntil);
        return checked.principal;
      } catch (e) {
        this.principals.abandon(fill);
        throw e;
      }
    });
  }

  private async checkPrincipal(userId: string, sessionId: string): Promise<CheckedPrincipal> {
    // Two primary-key reads: run them side by side.
    const [account, session] = await Promise.all([
      this.credentials.accountOf(userId),
      this.sessions.validity(sessionId, userId),
    ]);
    if (!account) {
      throw new AuthError(AuthErrorCode.TokenInvalid, 'The account behind this token no longer exists');
    }
    if (account.status !== 'active')
      throw new AuthError(AuthErrorCode.UserDisabled, 'This account is disabled');
    if (!session || !SessionStore.admits(session, account.sessionsValidAfter)) {
      throw new AuthError(AuthErrorCode.TokenInvalid, 'This session has ended; sign in again');
    }
    // Frozen: a cached principal is shared by every request of the session.
    const principal: UserPrincipal = Object.freeze({
      kind: 'user',
      id: account.id,
      email: account.email,
      name: account.name,
      role: account.role,
      sessionId,
      mustChangePassword: account.mustChangePassword,
    });
    return { principal, validUntil: session.expiresAt.getTime() };
  }

  /** The account's lock-out, audited as a failed sign-in when it refuses. */
  private async assertNotLocked(email: string, actor: RequestActor, who: AuditActor): Promise<void> {
    await this.lockout.assertNotLocked(email).catch(async (e: unknown) => {
      // Only a lock-out is a refused sign-in; a database failure travels on as a 503.
      if (!(e instanceof AuthError)) throw e;
      await this.audit.record({
        action: 'auth.login.failed',
        context: actor,
        actor: who,
        outcome: 'failure',
        details: { reason: 'locked' },
      });
      throw e;
    });
  }

  /** A wrong password counts towards the account's lock-out; audited, and so is the lock it may set. */
  private async countFailure(
    email: string,
    actor: RequestActor,
    who: AuditActor,
    reason: 'bad_credentials' | 'wrong_current_password',
  ): Promise<void> {
    const outcome = await this.lockout.recordFailure(email);
    await this.audit.record({
      action: 'auth.login.failed',
      context: actor,
      actor: who,
      outcome: 'failure',
      details: { reason, failures: outcome.failures },
    });
    if (outcome.lockedForSeconds !== null) {
      await this.audit.record({
        action: 'auth.login.locked',
        context: actor,
        actor: who,
        outcome: 'failure',
        details: { reason, failures: outcome.failures, lockedForSeconds: outcome.lockedForSeconds },
      });
    }
  }

  /** The session a genuine, unexpired access token names (null for anything else). */
  private async sessionOfAccessToken(token: string): Promise<AuthSession | null> {
    const claims = await this.accessTokens.verify(token).catch((e: unknown) => {
      if (e instanceof AuthError) return null;
      throw e;
    });
    return claims ? this.sessions.find(claims.sid, claims.sub) : null;
  }

  private async tokensFor(
    account: SignInAccount,
    session: AuthSession,
    refreshToken: string,
  ): Promise<IssuedTokens> {
    const accessToken = await this.accessTokens.sign({
      sub: account.id,
      sid: session.id,
      role: account.role,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken,
      refreshExpiresIn: Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000)),
      user: await this.users.view(account.id),
    };
  }
}
