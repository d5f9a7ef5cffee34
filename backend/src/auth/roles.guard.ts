import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE, ROUTE_ROLES, ROUTE_SCOPES } from '../common/auth/access.decorators';
import { PRINCIPAL_KEY, type AuthenticatedRequest } from '../common/auth/current-actor.decorator';
import type { ApiKeyScope, Role } from '../common/auth/roles';
import { AuthError, AuthErrorCode } from './auth.errors';

/**
 * Global (APP_GUARD, after authentication): people need one of the route's @Roles() (none
 * listed = any signed-in person); API keys need one of its @Scopes() (none listed = refused).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>()[PRINCIPAL_KEY];
    if (!principal) throw new AuthError(AuthErrorCode.Unauthenticated, 'Sign in first');
    if (principal.kind === 'api_key') {
      const scopes = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(ROUTE_SCOPES, targets) ?? [];
      if (!scopes.some((s) => principal.scopes.includes(s))) {
        throw new AuthError(
          AuthErrorCode.ScopeMissing,
          scopes.length > 0
            ? `This API key needs one of the scopes: ${scopes.join(', ')}`
            : 'This route is for signed-in people, not API keys',
        );
      }
      return true;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROUTE_ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new AuthError(AuthErrorCode.Forbidden, `This needs the role ${roles.join(' or ')}`);
    }
    return true;
  }
}
