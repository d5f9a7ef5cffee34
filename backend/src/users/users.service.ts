import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import { AuditLog, SYSTEM_ACTOR, SYSTEM_CONTEXT } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import type { Role } from '../common/auth/roles';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import type { CreateUserDto } from './dto/create-user.dto';
import type { ListUsersQuery } from './dto/list-users.query';
import type { UpdateUserDto } from './dto/update-user.dto';
import { UserPageView, UserView } from './dto/user.view';
import { FederatedIdentity } from './federated-identity.entity';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import type { PersonSql } from './person-sql';
import { generateTemporaryPassword } from './temporary-password';
import { User, type UserStatus } from './user.entity';
import { UserError, UserErrorCode } from './users.errors';

/** What the audit log keeps of a user before and after a change: never the password hash. */
function snapshot(user: User): Record<string, unknown> {
  return { email: user.email, name: user.name, role: user.role, status: user.status };
}

/**
 * Sessions carry the database's clock (created_at DEFAULT now()); the cut-off that ends them
 * must use the same clock, or skew between app and database would spare or kill the wrong ones.
 */
async function databaseNow(m: EntityManager): Promise<Date> {
  const [row] = await m.query<{ now: Date }[]>('SELECT now() AS now');
  if (!row) throw new Error('SELECT now() returned no row');
  return row.now;
}

const SORT_COLUMNS = {
  name: 'u.name',
  email: 'u.email',
  role: 'u.role',
  createdAt: 'u.createdAt',
  lastLoginAt: 'u.lastLoginAt',
} as const;

export interface SsoProfile {
  readonly provider: string;
  readonly subject: string;
  readonly email: string;
  readonly name: string;
}

/** The fields that decide what a signed-in user may do. */
export type UserAccess = Pick<
  User,
  'id' | 'email' | 'name' | 'role' | 'status' | 'mustChangePassword' | 'sessionsValidAfter'
>;

/**
 * People and their credentials. Every admin change runs in one transaction with its audit row,
 * and the last-active-admin rule is checked under an admin-roster lock so two admins demoting
 * each other at the same moment cannot both succeed.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(FederatedIdentity) private readonly identities: Repository<FederatedIdentity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(PasswordPolicy) private readonly policy: PasswordPolicy,
    private readonly statements: PreparedStatements,
  ) {}

  async list(query: ListUsersQuery): Promise<UserPageView> {
    const qb = this.users.createQueryBuilder('u');
    if (query.search?.trim()) {
      const like = `%${query.search.trim().replace(/[\\%_]/g, '\\$&')}%`;
      qb.andWhere('(u.name ILIKE :like OR u.email::text ILIKE :like)', { like });
    }
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.status) qb.andWhere('u.status = :status', { status: query.status });
    qb.orderBy(SORT_COLUMNS[query.sort], query.order === 'asc' ? 'ASC' : 'DESC', 'NULLS LAST')
      .addOrderBy('u.id', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    const [rows, total] = await qb.getManyAndCount();
    const providers = await this.providersOf(rows.map((u) => u.id));
    return {
      items: rows.map((u) => UserView.of(u, providers.get(u.id))),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async view(id: string): Promise<UserView> {
    const user = await this.require(this.users.manager, id);
    return UserView.of(user, (await this.providersOf([id])).get(id));
  }

  /** The user or null; used per request by authentication, so one primary-key read. */
  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** What every authenticated request re-reads of its user: a prepared statement, no entity. */
  async accessOf(id: string): Promise<UserAccess | null> {
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
   * SQL for views rendered from one query: the person whose id is in `idColumn`, joined as
   * `alias` (all NULL when there is no such user).
   */
  personSql(alias: string, idColumn: string): PersonSql {
    return {
      join: `LEFT JOIN users ${alias} ON ${alias}.id = ${idColumn}`,
      id: `${alias}.id`,
      name: `${alias}.name`,
      email: `${alias}.email`,
    };
  }

  /** The user with their password hash, for a login attempt. */
  findForLogin(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim() })
      .getOne();
  }

  async create(
    dto: CreateUserDto,
    actor: RequestActor,
  ): Promise<{ user: UserView; temporaryPassword?: string }> {
    const temporaryPassword =
      dto.password === undefined ? generateTemporaryPassword(this.policy.minLength) : undefined;
    const password = dto.password ?? temporaryPassword ?? '';
    if (dto.password !== undefined) this.assertPolicy(dto.password, dto.email, dto.name);
    const passwordHash = await this.hasher.hash(password);
    const user = await this.unitOfWork.run(async (m) => {
      const created = await this.insert(m, {
        email: dto.email,
        name: dto.name,
        role: dto.role,
        passwordHash,
        mustChangePassword: temporaryPassword !== undefined,
      });
      await this.audit.record(
        {
          action: 'user.created',
          context: actor,
          target: { type: 'user', id: created.id, label: created.email },
          after: snapshot(created),
          details: { temporaryPassword: temporaryPassword !== undefined },
        },
        m,
      );
      return created;
    });
    return { user: UserView.of(user), ...(temporaryPassword ? { temporaryPassword } : {}) };
  }

  async update(id: string, dto: UpdateUserDto, actor: RequestActor): Promise<UserView> {
    const rosterChange = dto.role !== undefined;
    return this.change(id, actor, 'user.updated', rosterChange, async (m, user) => {
      if (dto.role !== undefined && dto.role !== user.role && user.role === 'admin') {
        await this.assertAnotherActiveAdmin(m, user, 'demoted');
      }
      if (dto.name !== undefined) user.name = dto.name;
      if (dto.role !== undefined) user.role = dto.role;
    });
  }

  disable(id: string, actor: RequestActor): Promise<UserView> {
    return this.change(id, actor, 'user.disabled', true, async (m, user) => {
      if (user.status === 'disabled') return false;
      if (user.role === 'admin') await this.assertAnotherActiveAdmin(m, user, 'disabled');
      user.status = 'disabled';
      user.sessionsValidAfter = await databaseNow(m);
    });
  }

  enable(id: string, actor: RequestActor): Promise<UserView> {
    return this.change(id, actor, 'user.enabled', false, (_m, user) => {
      user.status = 'active';
      return Promise.resolve();
    });
  }

  async resetPassword(id: string, actor: RequestActor): Promise<{ temporaryPassword: string }> {
    const temporaryPassword = generateTemporaryPassword(this.policy.minLength);
    const passwordHash = await this.hasher.hash(temporaryPassword);
    await this.change(id, actor, 'user.password_reset', false, async (m, user) => {
      user.passwordHash = passwordHash;
      user.mustChangePassword = true;
      user.passwordChangedAt = new Date();
      user.sessionsValidAfter = await databaseNow(m);
    });
    return { temporaryPassword };
  }

  async delete(id: string, actor: RequestActor): Promise<void> {
    await this.unitOfWork.run(async (m) => {
      await this.lockAdminRoster(m);
      const user = await this.require(m, id, true);
      if (user.role === 'admin' && user.status === 'active')
        await this.assertAnotherActiveAdmin(m, user, 'deleted');
      await m.getRepository(User).delete({ id });
      await this.audit.record(
        {
          action: 'user.deleted',
          context: actor,
          target: { type: 'user', id, label: user.email },
          before: snapshot(user),
        },
        m,
      );
    });
  }

  /**
   * Checks the policy (the current password does not count as a new one), then stores the new
   * password and ends the forced-change state.
   */
  async setOwnPassword(userId: string, newPassword: string, manager: EntityManager): Promise<void> {
    const user = await this.require(manager, userId, true);
    const { passwordHash: currentHash } = await manager
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :userId', { userId })
      .getOneOrFail();
    const isCurrentPassword = currentHash !== null && (await this.hasher.verify(currentHash, newPassword));
    this.assertPolicy(newPassword, user.email, user.name, isCurrentPassword);
    const passwordHash = await this.hasher.hash(newPassword);
    await manager
      .getRepository(User)
      .update({ id: userId }, { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() });
  }

  async verifyPassword(user: User, password: string): Promise<boolean> {
    if (!user.passwordHash) {
      await this.hasher.dummyVerify(password);
      return false;
    }
    const ok = await this.hasher.verify(user.passwordHash, password);
    // Raising PASSWORD_HASH_* upgrades each hash at its owner's next successful login.
    if (ok && this.hasher.needsRehash(user.passwordHash)) {
      await this.users.update({ id: user.id }, { passwordHash: await this.hasher.hash(password) });
    }
    return ok;
  }

  /** Spends a verify's time for an unknown email, so timing does not reveal which emails exist. */
  async verifyNobody(password: string): Promise<void> {
    await this.hasher.dummyVerify(password);
  }

  async recordLogin(userId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.users.manager)
      .getRepository(User)
      .update({ id: userId }, { lastLoginAt: new Date() });
  }

  async updateOwnName(userId: string, name: string, actor: RequestActor): Promise<UserView> {
    return this.change(userId, actor, 'user.updated', false, (_m, user) => {
      user.name = name;
      return Promise.resolve();
    });
  }

  /**
   * First start: with no admin at all, create one. Runs under an advisory lock so replicas that
   * start together create exactly one.
   */
  async bootstrapAdmin(
    email: string,
    password: string | undefined,
  ): Promise<{ created: false } | { created: true; user: User; generatedPassword?: string }> {
    // Every start comes here; only the very first needs the (deliberately slow) password hash.
    if ((await this.users.countBy({ role: 'admin' })) > 0) return { created: false };
    const generatedPassword =
      password === undefined ? generateTemporaryPassword(this.policy.minLength) : undefined;
    const passwordHash = await this.hasher.hash(password ?? generatedPassword ?? '');
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
        user = await this.require(m, existing.id);
      } else {
        user = await this.insert(m, {
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
          after: snapshot(user),
          details: { passwordGenerated: password === undefined },
        },
        m,
      );
      return { created: true as const, user, ...(generatedPassword ? { generatedPassword } : {}) };
    });
  }

  /** The account an SSO identity belongs to: by identity first, then by verified email. */
  async resolveSsoUser(
    profile: SsoProfile,
    provisioning: { readonly enabled: boolean; readonly role: Role },
    tokens: {
      readonly accessTokenEncrypted: string | null;
      readonly refreshTokenEncrypted: string | null;
      readonly expiresAt: Date | null;
    },
    actor: RequestActor,
  ): Promise<User | null> {
    return this.unitOfWork.run(async (m) => {
      const identities = m.getRepository(FederatedIdentity);
      const linked = await identities.findOneBy({ provider: profile.provider, subject: profile.subject });
      let user = linked ? await m.getRepository(User).findOneBy({ id: linked.userId }) : null;
      if (!user) user = await m.getRepository(User).findOneBy({ email: profile.email });
      if (!user) {
        if (!provisioning.enabled) return null;
        user = await this.insert(m, {
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
            after: snapshot(user),
            details: { provisionedBy: profile.provider },
          },
          m,
        );
      }
      // A disabled account is refused by the caller; its provider tokens are not worth keeping.
      if (user.status !== 'active') return user;
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
      return user;
    });
  }

  /** Encrypted provider tokens for a user's identity, for integrations acting on their behalf. */
  async identityTokens(
    userId: string,
    provider: string,
  ): Promise<Pick<
    FederatedIdentity,
    'id' | 'accessTokenEncrypted' | 'refreshTokenEncrypted' | 'tokenExpiresAt'
  > | null> {
    return this.identities
      .createQueryBuilder('i')
      .addSelect(['i.accessTokenEncrypted', 'i.refreshTokenEncrypted'])
      .where('i.userId = :userId AND i.provider = :provider', { userId, provider })
      .getOne();
  }

  private async change(
    id: string,
    actor: RequestActor,
    action: 'user.updated' | 'user.disabled' | 'user.enabled' | 'user.password_reset',
    /** True when the change may take away an active admin (role change, disable). */
    rosterChange: boolean,
    /** Returns false when there is nothing to change (no write, no audit row). */
    apply: (m: EntityManager, user: User) => Promise<boolean | void>,
  ): Promise<UserView> {
    return this.unitOfWork.run(async (m) => {
      if (rosterChange) await this.lockAdminRoster(m);
      const user = await this.require(m, id, true);
      const before = snapshot(user);
      if ((await apply(m, user)) === false)
        return UserView.of(user, (await this.providersOf([id], m)).get(id));
      const saved = await m.getRepository(User).save(user);
      await this.audit.record(
        {
          action,
          context: actor,
          target: { type: 'user', id, label: saved.email },
          before,
          after: snapshot(saved),
        },
        m,
      );
      return UserView.of(saved, (await this.providersOf([id], m)).get(id));
    });
  }

  private async require(m: EntityManager, id: string, lock = false): Promise<User> {
    const user = await m.getRepository(User).findOne({
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!user) throw new UserError(UserErrorCode.NotFound, `No user with id ${id}`);
    return user;
  }

  private async insert(
    m: EntityManager,
    values: Pick<User, 'email' | 'name' | 'role' | 'passwordHash' | 'mustChangePassword'>,
  ): Promise<User> {
    const taken = await m.getRepository(User).existsBy({ email: values.email });
    if (taken)
      throw new UserError(UserErrorCode.EmailTaken, `A user with email ${values.email} already exists`);
    try {
      const result = await m.getRepository(User).insert({ ...values, status: 'active' });
      return await this.require(m, String((result.identifiers[0] as { id: string }).id));
    } catch (e) {
      // A concurrent insert of the same email passes the check above; the unique key decides.
      if ((e as { code?: string }).code === '23505') {
        throw new UserError(UserErrorCode.EmailTaken, `A user with email ${values.email} already exists`);
      }
      throw e;
    }
  }

  /**
   * Serialises every change that could take away an active admin (demote, disable, delete).
   * Taken before the target's row lock: two admins demoting each other would otherwise each lock
   * their target, then wait on the other's row in assertAnotherActiveAdmin, and deadlock (one
   * request failing with 500 instead of 409 USER_LAST_ADMIN).
   */
  private async lockAdminRoster(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('nexecute:admin-roster'))`);
  }

  /** Locks every active admin row, then refuses if `user` is the only one. */
  private async assertAnotherActiveAdmin(m: EntityManager, user: User, change: string): Promise<void> {
    const admins = await m
      .getRepository(User)
      .createQueryBuilder('u')
      .select('u.id')
      .where(`u.role = 'admin' AND u.status = 'active'`)
      .setLock('pessimistic_write')
      .getMany();
    if (admins.every((a) => a.id === user.id)) {
      throw new UserError(
        UserErrorCode.LastAdmin,
        `${user.email} is the last active admin and cannot be ${change}; make someone else an admin first`,
      );
    }
  }

  private assertPolicy(password: string, email: string, name: string, isCurrentPassword = false): void {
    const violations = this.policy.violations(password, { email, name, isCurrentPassword });
    if (violations.length > 0) {
      throw new UserError(UserErrorCode.PasswordPolicy, PasswordPolicy.describe(violations), { violations });
    }
  }

  private async providersOf(ids: readonly string[], m?: EntityManager): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (ids.length === 0) return map;
    const rows = await (m ?? this.identities.manager)
      .getRepository(FederatedIdentity)
      .find({ where: { userId: In([...ids]) }, select: { userId: true, provider: true } });
    for (const r of rows) map.set(r.userId, [...(map.get(r.userId) ?? []), r.provider]);
    return map;
  }
}
