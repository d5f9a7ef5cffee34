import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal, RequestActor } from './principal';

/** Where the authentication guard leaves the principal on the request. */
export const PRINCIPAL_KEY = 'principal';

export type AuthenticatedRequest = FastifyRequest & { [PRINCIPAL_KEY]?: Principal };

export function actorOf(request: AuthenticatedRequest): RequestActor {
  const agent = request.headers['user-agent'];
  return {
    principal: request[PRINCIPAL_KEY] ?? null,
    ip: request.ip || null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null,
    requestId: typeof request.id === 'string' ? request.id : null,
  };
}

/** The caller and their connection details, for services that audit what they do. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestActor =>
  actorOf(ctx.switchToHttp().getRequest()),
);

/** The authenticated principal; routes using it are never public, so it is always set. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>()[PRINCIPAL_KEY];
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
