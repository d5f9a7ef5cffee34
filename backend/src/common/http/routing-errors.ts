import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../errors/problem-details.filter';
import { RequestError, RequestErrorCode } from '../errors/request-errors';
import { REQUEST_ID_HEADER } from './request-id';
import { SECURITY_POLICY, securityHeadersOf } from './security-headers';

/** Fastify's default, kept: no id, number or provider name of ours comes near it. */
export const MAX_PATH_PARAM_LENGTH = 100;

/**
 * Fastify's router answers two errors itself, before any hook or Nest runs, in its own JSON
 * (not problem+json) that quotes the whole path: a path parameter over MAX_PATH_PARAM_LENGTH
 * (414) and a path that is not valid percent-encoding (400). This answers them as problems like
 * every other error, with our headers, and without echoing the path (`instance` is left out).
 * Pass it as Fastify's `frameworkErrors` option.
 */
export function answerRoutingError(): (
  error: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
) => void {
  const logger = new Logger('HttpRouting');
  const headers = securityHeadersOf(SECURITY_POLICY);
  return (error, req, reply) => {
    void reply.headers(headers).header(REQUEST_ID_HEADER, req.id);
    const problem =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new RequestError(
            RequestErrorCode.UriTooLong,
            `A path segment is longer than ${MAX_PATH_PARAM_LENGTH} characters`,
          )
        : error.code === 'FST_ERR_BAD_URL'
          ? new RequestError(RequestErrorCode.Malformed, 'The path is not valid percent-encoded UTF-8')
          : error;
    sendProblem(problem, req, reply, logger, null);
  };
}
