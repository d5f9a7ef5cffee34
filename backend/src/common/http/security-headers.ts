import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One policy for the console and Swagger UI, both served from this origin. Angular and
 * Angular Material add component styles at run time, hence 'unsafe-inline' for styles only;
 * scripts stay 'self'. Socket.IO connects back to the same origin ('self' covers ws/wss).
 */
export const SECURITY_POLICY: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
  crossOriginEmbedderPolicy: false,
};

/** The headers helmet sets for a policy (lower-case names), worked out once by running it. */
export function securityHeadersOf(policy: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: unknown): void {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string): void {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(policy)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * Sends the policy's headers on every response. They do not vary by request (no nonces), so
 * they are computed once; @fastify/helmet rebuilt helmet's middleware, CSP parsing included,
 * on every request, which cost about 4% of a list request's CPU (bench/incidents).
 */
export function registerSecurityHeaders(fastify: FastifyInstance, policy = SECURITY_POLICY): void {
  const headers = securityHeadersOf(policy);
  fastify.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
