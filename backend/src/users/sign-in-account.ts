import type { Role } from '../common/auth/roles';
import type { UserStatus } from './user.entity';

/**
 * What signing in and the per-request access check need of a person: who they are, whether they
 * may sign in, and since when their sessions count. Never the password hash: UserCredentials
 * checks passwords itself and hands out only this.
 */
export interface SignInAccount {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly status: UserStatus;
  readonly mustChangePassword: boolean;
  readonly sessionsValidAfter: Date;
}
