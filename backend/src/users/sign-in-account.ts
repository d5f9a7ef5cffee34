import type { Person } from './person';

/**
 * What signing in and the per-request access check need of a person: who they are, whether they
 * may sign in, and since when their sessions count. Never the password hash: UserCredentials
 * checks passwords itself and hands out only this.
 */
export interface SignInAccount extends Person {
  readonly mustChangePassword: boolean;
  readonly sessionsValidAfter: Date;
}
