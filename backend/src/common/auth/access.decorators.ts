import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope, Role } from './roles';

export const PUBLIC_ROUTE = 'nx:public';
export const ROUTE_ROLES = 'nx:roles';
export const ROUTE_SCOPES = 'nx:scopes';
export const ALLOW_PENDING_PASSWORD_CHANGE = 'nx:allow-pending-password-change';

/** Opts a route out of authentication (authentication is on by default). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** The roles a signed-in user needs for this route. Without it any signed-in user may call it. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_ROLES, roles);

/** The API-key scopes that admit a key to this route; without it keys are refused. */
export const Scopes = (...scopes: ApiKeyScope[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_SCOPES, scopes);

/** Routes a user with a temporary password may still call (to see who they are and change it). */
export const AllowPendingPasswordChange = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ALLOW_PENDING_PASSWORD_CHANGE, true);
