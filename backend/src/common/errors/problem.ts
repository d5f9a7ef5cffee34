import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { databaseFailureOf } from '../database/database-failure';
import { DatabaseUnavailableError } from '../database/database.errors';
import { isDomainError } from './domain-error';
import { RequestErrorCode, requestErrorStatus } from './request-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, plus our `code` (what clients branch on) and `requestId`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: string;
  readonly requestId?: string;
  readonly [extension: string]: unknown;
}

export interface ProblemContext {
  readonly instance?: string;
  readonly requestId?: string;
}

export interface ProblemOutcome {
  readonly problem: Problem;
  /** True when the error was not anticipated and must be logged with its stack. */
  readonly unexpected: boolean;
}

const codeByStatus = new Map<number, RequestErrorCode>(
  (Object.entries(requestErrorStatus) as [RequestErrorCode, number][])
    // VALIDATION_FAILED and REQUEST_MALFORMED share 400; a bare 400 is a malformed request.
    .filter(([code]) => code !== RequestErrorCode.ValidationFailed)
    .map(([code, status]) => [status, code]),
);

const UNEXPECTED_DETAIL = 'An unexpected error occurred. Quote the request id when reporting it.';

export function problemType(code: string): string {
  return `urn:nexecute:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

function codeForStatus(status: number): string {
  return codeByStatus.get(status) ?? (status >= 500 ? RequestErrorCode.Internal : `HTTP_${status}`);
}

function build(
  status: number,
  code: string,
  detail: string,
  ctx: ProblemContext,
  extensions: Readonly<Record<string, unknown>> = {},
): Problem {
  return {
    ...extensions,
    type: problemType(code),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(ctx.instance === undefined ? {} : { instance: ctx.instance }),
    code,
    ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
  };
}

function httpExceptionDetail(e: HttpException): string {
  const body = e.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : e.message;
}

/** Errors raised by Fastify itself before a handler runs (body parsing, size, media type). */
function isClientErrorFromServer(e: unknown): e is Error & { statusCode: number } {
  if (!(e instanceof Error)) return false;
  const statusCode = (e as { statusCode?: unknown }).statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

/** Pure mapping from anything thrown to the one error format. Never exposes stacks or SQL. */
export function toProblem(error: unknown, ctx: ProblemContext = {}): ProblemOutcome {
  if (isDomainError(error)) {
    // 503 is a known state (the database is down, not ready), reported where it is detected.
    const unexpected = error.status >= 500 && error.status !== 503;
    return { problem: build(error.status, error.code, error.detail, ctx, error.extensions), unexpected };
  }
  const databaseFailure = databaseFailureOf(error);
  if (databaseFailure) {
    const unavailable = new DatabaseUnavailableError(
      databaseFailure === 'lost' ? 'no connection to PostgreSQL' : 'PostgreSQL is saturated',
    );
    return {
      problem: build(unavailable.status, unavailable.code, unavailable.detail, ctx, unavailable.extensions),
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const unexpected = status >= 500;
    const detail = unexpected ? UNEXPECTED_DETAIL : httpExceptionDetail(error);
    return { problem: build(status, codeForStatus(status), detail, ctx), unexpected };
  }
  if (isClientErrorFromServer(error)) {
    const status = error.statusCode;
    const detail = error instanceof SyntaxError ? `Body is not valid JSON: ${error.message}` : error.message;
    return { problem: build(status, codeForStatus(status), detail, ctx), unexpected: false };
  }
  return { problem: build(500, RequestErrorCode.Internal, UNEXPECTED_DETAIL, ctx), unexpected: true };
}
