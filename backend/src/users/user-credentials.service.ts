import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AuditLog, SYSTEM_ACTOR, SYSTEM_CONTEXT } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import type { Role } from '../common/auth/roles';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import { FederatedIdentity } from './federated-identity.entity';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import type { SignInAccount } from './sign-in-account';
import { generateTemporaryPassword } from './temporary-password';
import { User, type UserStatus } from './user.entity';
import { auditSnapshot, insertUser, personOf, requireUser } from './user-rows';
import { UserError, UserErrorCode } from './users.errors';

/** Who an SSO provider says signed in. */
export interface SsoProfile {
  readonly provider: string;
  readonly subject: string;
  readonly email: string;
  readonly name: string;
}

/** The provider's tokens, already encrypted, kept on the linked identity. */
export interface SsoProviderTokens {
  readonly accessTokenEncrypted: string | null;
  readonly refreshTokenEncrypted: string | null;
  readonly expiresAt: Date | null;
}

/** A password hash to store; `temporaryPassword` is set when it was generated, to be shown once. */
export interface IssuedPassword {
  readonly passwordHash: string;
  readonly temporaryPassword?: string;
}

function signInAccountOf(user: User): SignInAccount {
  return {
    ...personOf(user),
    mustChangePassword: user.mustChangePassword,
    sessionsValidAfter: user.sessionsValidAfter,
  };
}

/**
 * How people prove who they are: passwords (checked, changed, issued), SSO identities and the
 * first admin. The only code that reads password hashes; Auth gets SignInAccounts from it.
 */
@Injectable()
export class UserCredentials {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(PasswordPolicy) private readonly policy: PasswordPolicy,
    private readonly statements: PreparedStatements,
  ) {}

  /** What every authenticated request re-reads of its user: a prepared statement, no entity. */
  async accountOf(id: string): Promise<SignInAccount | null> {
    const [row] = await this.statements.rows<{
      id: string;
      email: string;
      name: string;
      role: Role;
      status: UserStatus;
      must_change_password: boolean;
      sessions_valid_after: Date;
    }>(
      `SELECT id, email, name, role, status, must_change_password, sessions_valid_after FROM users WHERE id = $1`,
      [id],
    );
    return row
      ? {
          id: row.id,
          email: row.email,
          name: row.name,
          role: row.role,
          status: row.status,
          mustChangePassword: row.must_change_password,
          sessionsValidAfter: row.sessions_valid_after,
        }
      : null;
  }

  /**
   * The account whose password `password` is, whatever its status (the caller decides what a
   * disabled account gets); null for an unknown email, an SSO-only account or a wrong password,
   * which all take a verify's time, so timing does not reveal which emails exist.
   */
  async verifyPassword(email: string, password: string): Promise<SignInAccount | null> {
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim() })
      .getOne();
    if (!user?.passwordHash) {
      await this.hasher.dummyVerify(password);
      return null;
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) return null;
    // Raising PASSWORD_HASH_* upgrades each hash at its owner's next successful login.
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update({ id: user.id }, { passwordHash: await this.hasher.hash(password) });
    }
    return signInAccountOf(user);
  }

  async recordSignIn(userId: string, m: EntityManager): Promise<void> {
    await m.getRepository(User).update({ id: userId }, { lastLoginAt: new Date() });
  }

  /**
   * Checks the policy (the current password does not count as a new one), then stores the new
   * password and ends the forced-change state.
   */
  async setOwnPassword(userId: string, newPassword: string, m: EntityManager): Promise<void> {
    const user = await requireUser(m, userId, true);
    const { passwordHash: currentHash } = await m
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :userId', { userId })
      .getOneOrFail();
    const isCurrentPassword = currentHash !== null && (await this.hasher.verify(currentHash, newPassword));
    this.assertPolicy(newPassword, user.email, user.name, isCurrentPassword);
    const passwordHash = await this.hasher.hash(newPassword);
    await m
      .getRepository(User)
      .update({ id: userId }, { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() });
  }

  /** A new account's password: `chosen`, checked against the policy, or a generated temporary one. */
  async newPassword(
    chosen: string | undefined,
    owner: { readonly email: string; readonly name: string },
  ): Promise<IssuedPassword> {
    if (chosen === undefined) return this.temporaryPassword();
    this.assertPolicy(chosen, owner.email, owner.name);
    return { passwordHash: await this.hasher.hash(chosen) };
  }

  async temporaryPassword(): Promise<Required<IssuedPassword>> {
    const temporaryPassword = generateTemporaryPassword(this.policy.minLength);
    return { passwordHash: await this.hasher.hash(temporaryPassword), temporaryPassword };
  }

  /**
   * First start: with no admin at all, create one. Runs under an advisory lock so replicas that
   * start together create exactly one.
   */
  async bootstrapAdmin(
    email: string,
    password: string | undefined,
  ): Promise<{ created: false } | { created: true; generatedPassword?: string }> {
    // Every start comes here; only the very first needs the (deliberately slow) password hash.
    if ((await this.users.countBy({ role: 'admin' })) > 0) return { created: false };
    const { passwordHash, temporaryPassword: generatedPassword } =
      password === undefined
        ? await this.temporaryPassword()
        : { passwordHash: await this.hasher.hash(password) };
    return this.unitOfWork.run(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('nexecute:bootstrap-admin'))`);
      const admins = await m.getRepository(User).countBy({ role: 'admin' });
      if (admins > 0) return { created: false as const };
      const existing = await m.getRepository(User).findOneBy({ email });
      let user: User;
      if (existing) {
        await m
          .getRepository(User)
          .update(
            { id: existing.id },
            { role: 'admin', status: 'active', passwordHash, mustChangePassword: !password },
          );
        user = await requireUser(m, existing.id);
      } else {
        user = await insertUser(m, {
          email,
          name: 'Administrator',
          role: 'admin',
          passwordHash,
          mustChangePassword: password === undefined,
        });
      }
      await this.audit.record(
        {
          action: 'user.bootstrapped',
          context: SYSTEM_CONTEXT,
          actor: SYSTEM_ACTOR,
          target: { type: 'user', id: user.id, label: user.email },
          after: auditSnapshot(user),
          details: { passwordGenerated: password === undefined },
        },
        m,
      );
      return { created: true as const, ...(generatedPassword ? { generatedPassword } : {}) };
    });
  }

  /**
   * The account an SSO identity belongs to: by identity first, then by verified email, else a
   * new one when provisioning is on (null when it is off). An active account's identity is
   * linked, or refreshed, with the provider's tokens.
   */
  async resolveSsoAccount(
    profile: SsoProfile,
    provisioning: { readonly enabled: boolean; readonly role: Role },
    tokens: SsoProviderTokens,
    actor: RequestActor,
  ): Promise<SignInAccount | null> {
    return this.unitOfWork.run(async (m) => {
      const identities = m.getRepository(FederatedIdentity);
      const linked = await identities.findOneBy({ provider: profile.provider, subject: profile.subject });
      let user = linked ? await m.getRepository(User).findOneBy({ id: linked.userId }) : null;
      if (!user) user = await m.getRepository(User).findOneBy({ email: profile.email });
      if (!user) {
        if (!provisioning.enabled) return null;
        user = await insertUser(m, {
          email: profile.email,
          name: profile.name || profile.email,
          role: provisioning.role,
          passwordHash: null,
          mustChangePassword: false,
        });
        await this.audit.record(
          {
            action: 'user.created',
            context: actor,
            actor: { type: 'system', id: null, label: `sso:${profile.provider}` },
            target: { type: 'user', id: user.id, label: user.email },
            after: auditSnapshot(user),
            details: { provisionedBy: profile.provider },
          },
          m,
        );
      }
      // A disabled account is refused by the caller; its provider tokens are not worth keeping.
      if (user.status !== 'active') return signInAccountOf(user);
      await m
        .createQueryBuilder()
        .insert()
        .into(FederatedIdentity)
        .values({
          provider: profile.provider,
          subject: profile.subject,
          userId: user.id,
          email: profile.email,
          accessTokenEncrypted: tokens.accessTokenEncrypted,
          refreshTokenEncrypted: tokens.refreshTokenEncrypted,
          tokenExpiresAt: tokens.expiresAt,
          lastLoginAt: new Date(),
        })
        .orUpdate(
          [
            'user_id',
            'email',
            'access_token_encrypted',
            'refresh_token_encrypted',
            'token_expires_at',
            'last_login_at',
          ],
          ['provider', 'subject'],
        )
        .execute();
      return signInAccountOf(user);
    });
  }

  private assertPolicy(password: string, email: string, name: string, isCurrentPassword = false): void {
    const violations = this.policy.violations(password, { email, name, isCurrentPassword });
    if (violations.length > 0) {
      throw new UserError(UserErrorCode.PasswordPolicy, PasswordPolicy.describe(violations), { violations });
    }
  }
}
