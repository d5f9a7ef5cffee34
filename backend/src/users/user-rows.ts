import type { EntityManager } from 'typeorm';
import type { Person } from './person';
import { User } from './user.entity';
import { UserError, UserErrorCode } from './users.errors';

// What UsersService and UserCredentials both do with user rows (reads and writes run in the
// caller's transaction). Internal to the users module: other modules see its services, never these.

/** A fresh Person, so no other field of the entity travels further. */
export function personOf(user: User): Person {
  return { id: user.id, email: user.email, name: user.name, role: user.role, status: user.status };
}

/** What the audit log keeps of a user before and after a change: never the password hash. */
export function auditSnapshot(user: User): Record<string, unknown> {
  return { email: user.email, name: user.name, role: user.role, status: user.status };
}

/** The user `id` read in `m`'s transaction (row-locked with `lock`), or USER_NOT_FOUND. */
export async function requireUser(m: EntityManager, id: string, lock = false): Promise<User> {
  const user = await m.getRepository(User).findOne({
    where: { id },
    ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (!user) throw new UserError(UserErrorCode.NotFound, `No user with id ${id}`);
  return user;
}

/** A new active user in `m`'s transaction, or USER_EMAIL_TAKEN. */
export async function insertUser(
  m: EntityManager,
  values: Pick<User, 'email' | 'name' | 'role' | 'passwordHash' | 'mustChangePassword'>,
): Promise<User> {
  const taken = await m.getRepository(User).existsBy({ email: values.email });
  if (taken)
    throw new UserError(UserErrorCode.EmailTaken, `A user with email ${values.email} already exists`);
  try {
    const result = await m.getRepository(User).insert({ ...values, status: 'active' });
    return await requireUser(m, String((result.identifiers[0] as { id: string }).id));
  } catch (e) {
    // A concurrent insert of the same email passes the check above; the unique key decides.
    if ((e as { code?: string }).code === '23505') {
      throw new UserError(UserErrorCode.EmailTaken, `A user with email ${values.email} already exists`);
    }
    throw e;
  }
}
