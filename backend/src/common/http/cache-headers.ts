import type { FastifyInstance, FastifyReply } from 'fastify';
import { isUnderPrefix } from './url-path';

/**
 * Every API answer is for one caller (a person's JWT, a client's X-Api-Key) and can change at
 * any moment, and the console never revalidates (no ETags), so `no-store` rather than
 * `private, no-cache`: neither a shared cache (proxy, CDN) nor the browser keeps a copy. Health
 * and public routes too: a cached readiness answer or provider list would be stale. Errors
 * included. A handler that sets its own Cache-Control keeps it.
 */
export function registerApiCacheControl(fastify: FastifyInstance, prefix: string): void {
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (isUnderPrefix(req.url, prefix) && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
}

/**
 * For responses that carry credentials (tokens in the body, a refresh cookie being set): the
 * headers OAuth 2.0 requires of a token response (RFC 6749 §5.1), Pragma for HTTP/1.0 caches.
 */
export function forbidCaching(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}
