import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { redactQueryString } from '../logging/query-redaction';
import { RequestContext } from '../logging/request-context';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Opens the request's logging scope, echoes its id, and writes one access line per request
 * (one, not Fastify's two, to keep the webhook path cheap). The URL is logged with credential
 * values in its query string redacted (an SSO callback's `code`, a `token`…).
 */
export function registerRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    RequestContext.run({ requestId: req.id }, done);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : req.url.startsWith('/api/health') ? 'debug' : 'info';
    logger[level](
      {
        requestId: req.id,
        method: req.method,
        url: redactQueryString(req.url),
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ip: req.ip,
      },
      'request completed',
    );
    done();
  });
}
