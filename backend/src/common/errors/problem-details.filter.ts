import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactQueryString } from '../logging/query-redaction';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** The one global filter: every HTTP error leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    // HTTP only: Socket.IO handlers report through Nest's WS exception layer (`exception` events).
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

/**
 * Shared with Fastify's own error handler, for errors raised before Nest sees the request.
 * `instance` is the request's URL unless the caller leaves it out (null), e.g. for a path too
 * long or too broken to echo.
 */
export function sendProblem(
  error: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
  instance: string | null = req.url,
): void {
  const { problem, unexpected } = toProblem(error, {
    ...(instance === null ? {} : { instance }),
    requestId: req.id,
  });
  if (unexpected) {
    const err = error instanceof Error ? error : new Error(String(error));
    logger.error(`${req.method} ${redactQueryString(req.url)} failed: ${err.message}`, err.stack);
  }
  if (reply.sent) return;
  // A problem that says when to come back (429, lock-out) says it in the standard header too.
  if (typeof problem['retryAfterSeconds'] === 'number') {
    void reply.header('retry-after', String(Math.max(1, Math.ceil(problem['retryAfterSeconds']))));
  }
  if (problem.status === 401) void reply.header('www-authenticate', 'Bearer realm="nexecute"');
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}
