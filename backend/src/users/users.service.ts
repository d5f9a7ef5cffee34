import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { UnitOfWork } from '../common/database/unit-of-work';
import type { CreateUserDto } from './dto/create-user.dto';
import type { ListUsersQuery } from './dto/list-users.query';
import type { UpdateUserDto } from './dto/update-user.dto';
import { UserPageView, UserView } from './dto/user.view';
import { FederatedIdentity } from './federated-identity.entity';
import type { Person } from './person';
import type { PersonSql } from './person-sql';
import { UserAccessChanges } from './user-access-changes';
import { UserCredentials } from './user-credentials.service';
import { User } from './user.entity';
import { auditSnapshot, insertUser, personOf, requireUser } from './user-rows';
import { UserError, UserErrorCode } from './users.errors';

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

/**
 * The people directory: lookups, views and the admin's changes to people (passwords come from
 * UserCredentials). Every admin change runs in one transaction with its audit row, and the
 * last-active-admin rule is checked under an admin-roster lock so two admins demoting each other
 * at the same moment cannot both succeed.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(FederatedIdentity) private readonly identities: Repository<FederatedIdentity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly credentials: UserCredentials,
    private readonly accessChanges: UserAccessChanges,
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
    const user = await requireUser(this.users.manager, id);
    return UserView.of(user, (await this.providersOf([id])).get(id));
  }

  /** The person or null, in one primary-key read. */
  async findById(id: string): Promise<Person | null> {
    const user = await this.users.findOne({
      where: { id },
      select: { id: true, email: true, name: true, role: true, status: true },
    });
    return user && personOf(user);
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

  async create(
    dto: CreateUserDto,
    actor: RequestActor,
  ): Promise<{ user: UserView; temporaryPassword?: string }> {
    const { passwordHash, temporaryPassword } = await this.credentials.newPassword(dto.password, dto);
    const user = await this.unitOfWork.run(async (m) => {
      const created = await insertUser(m, {
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
          after: auditSnapshot(created),
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
    const { passwordHash, temporaryPassword } = await this.credentials.temporaryPassword();
    await this.change(id, actor, 'user.password_reset', false, async (m, user) => {
      user.passwordHash = passwordHash;
      user.mustChangePassword = true;
      user.passwordChangedAt = new Date();
      user.sessionsValidAfter = await databaseNow(m);
    });
    return { temporaryPassword };
  }

  async delete(id: string, actor: RequestActor): Promise<void> {
    const deleted = this.unitOfWork.run(async (m) => {
      await this.lockAdminRoster(m);
      const user = await requireUser(m, id, true);
      if (user.role === 'admin' && user.status === 'active')
        await this.assertAnotherActiveAdmin(m, user, 'deleted');
      await m.getRepository(User).delete({ id });
      await this.audit.record(
        {
          action: 'user.deleted',
          context: actor,
          target: { type: 'user', id, label: user.email },
          before: auditSnapshot(user),
        },
        m,
      );
    });
    await deleted.finally(this.toldToThisProcess(id));
  }

  async updateOwnName(userId: string, name: string, actor: RequestActor): Promise<UserView> {
    return this.change(userId, actor, 'user.updated', false, (_m, user) => {
      user.name = name;
      return Promise.resolve();
    });
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
    const changed = this.unitOfWork.run(async (m) => {
      if (rosterChange) await this.lockAdminRoster(m);
      const user = await requireUser(m, id, true);
      const before = auditSnapshot(user);
      if ((await apply(m, user)) === false)
        return UserView.of(user, (await this.providersOf([id], m)).get(id));
      const saved = await m.getRepository(User).save(user);
      await this.audit.record(
        {
          action,
          context: actor,
          target: { type: 'user', id, label: saved.email },
          before,
          after: auditSnapshot(saved),
        },
        m,
      );
      return UserView.of(saved, (await this.providersOf([id], m)).get(id));
    });
    return changed.finally(this.toldToThisProcess(id));
  }

  /**
   * After a change to a person has committed, tells this process (Auth's principal cache) before
   * the caller's response goes out, so the person's next request here is judged on the new row
   * (the database's signal reaches every instance, this one included, a little later). Also
   * after a failure, which may have come after the commit: an extra call costs one re-read.
   */
  private toldToThisProcess(userId: string): () => void {
    return () => this.accessChanges.changed(userId);
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
