import { AuthErrorCode } from '../auth/auth.errors';
import type { Role } from '../common/auth/roles';
import type { UserPrincipal } from '../common/auth/principal';
import type { LiveEventReaders } from './live-event-readers';
import type { LiveProblem } from './live-protocol';

/** What a signed-in person gets on /live right now. */
export type LiveAccess =
  | { readonly granted: true; readonly role: Role; readonly eventTypes: readonly string[] }
  | { readonly granted: false; readonly problem: LiveProblem };

/**
 * Applied at the handshake, at every re-check and at every renewal, to a principal that
 * `AuthService.principalFor` admitted (user active, session live). The rest mirrors REST: a
 * temporary password must be changed first (403 on every data route), and a role that may read
 * nothing on the feed has no business holding a socket.
 */
export function liveAccessOf(principal: UserPrincipal, readers: LiveEventReaders): LiveAccess {
  if (principal.mustChangePassword) {
    return refused(
      AuthErrorCode.PasswordChangeRequired,
      'This account has a temporary password; change it (POST /api/auth/password) first',
    );
  }
  const eventTypes = readers.readableBy(principal.role);
  if (eventTypes.length === 0) {
    return refused(AuthErrorCode.Forbidden, `The role ${principal.role} may read nothing on the live feed`);
  }
  return { granted: true, role: principal.role, eventTypes };
}

function refused(code: AuthErrorCode, detail: string): LiveAccess {
  return { granted: false, problem: { code, detail } };
}
