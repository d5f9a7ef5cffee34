import type { Role } from '../common/auth/roles';
import type { UserStatus } from './user.entity';

/** Who someone is in the directory, as other modules see them (never the User entity). */
export interface Person {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly status: UserStatus;
}
