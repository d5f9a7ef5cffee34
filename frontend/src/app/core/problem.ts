import { HttpErrorResponse } from '@angular/common/http';

import { ApiSchema } from './api/api-schema';

/** One invalid field reported with `VALIDATION_FAILED`. */
export type ProblemFieldError = ApiSchema<'FieldErrorDto'>;

/**
 * RFC 9457 problem details as the Nexecute API returns them (`application/problem+json`),
 * plus our `code` and `requestId` extensions. The console branches on `code`, never `title`.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId: string;
  readonly errors?: readonly ProblemFieldError[];
  /** Password policy rules a new password broke (`AUTH_PASSWORD_POLICY`). */
  readonly violations?: readonly string[];
  /** How long to wait before trying again (`AUTH_ACCOUNT_LOCKED`, `AUTH_RATE_LIMITED`, or `Retry-After`). */
  readonly retryAfterSeconds?: number;
}

/** The request never got an HTTP response (offline, DNS, refused connection, CORS). */
export const NETWORK_UNREACHABLE = 'NETWORK_UNREACHABLE';
/** The server answered with an error that is not problem+json (e.g. a proxy's HTML 502 page). */
export const UNEXPECTED_RESPONSE = 'UNEXPECTED_RESPONSE';
/** A failure raised inside the console rather than by the API. */
export const CLIENT_ERROR = 'CLIENT_ERROR';

/**
 * A Problem that is also an `Error`: what the problem interceptor throws, so `httpResource`,
 * `ErrorHandler` and `instanceof` checks treat it as a real error and keep its stack.
 */
export class ProblemError extends Error implements Problem {
  override readonly name = 'ProblemError';
  // Declared only: the constructor copies them from the problem in one step.
  declare readonly type: string;
  declare readonly title: string;
  declare readonly status: number;
  declare readonly detail: string;
  declare readonly instance: string;
  declare readonly code: string;
  declare readonly requestId: string;
  declare readonly errors?: readonly ProblemFieldError[];
  declare readonly violations?: readonly string[];
  declare readonly retryAfterSeconds?: number;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    Object.assign(this, problem);
  }
}

/** Maps any failed HTTP exchange to a Problem; pure, so the interceptor and tests share it. */
export function toProblem(error: HttpErrorResponse): Problem {
  const instance = instanceFrom(error);
  const requestIdHeader = error.headers.get('x-request-id') ?? '';

  if (error.status === 0) {
    return {
      type: 'about:blank',
      title: 'API unreachable',
      status: 0,
      detail: 'The console could not reach the Nexecute API. Check your connection and try again.',
      instance,
      code: NETWORK_UNREACHABLE,
      requestId: requestIdHeader,
    };
  }

  const body = parseBody(error.error);
  if (body && isProblemShaped(body)) {
    const errors = fieldErrorsFrom(body['errors']);
    const violations = stringsFrom(body['violations']);
    const retryAfterSeconds =
      secondsFrom(body['retryAfterSeconds']) ?? secondsFrom(error.headers.get('retry-after'));
    return {
      type: stringOr(body['type'], 'about:blank'),
      title: stringOr(body['title'], genericTitle(error.status)),
      status: typeof body['status'] === 'number' ? body['status'] : error.status,
      detail: stringOr(body['detail'], ''),
      instance: stringOr(body['instance'], instance),
      code: stringOr(body['code'], UNEXPECTED_RESPONSE),
      requestId: stringOr(body['requestId'], requestIdHeader),
      ...(errors ? { errors } : {}),
      ...(violations ? { violations } : {}),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }

  return {
    type: 'about:blank',
    title: genericTitle(error.status),
    status: error.status,
    detail: `The API answered ${String(error.status)} without problem details.`,
    instance,
    code: UNEXPECTED_RESPONSE,
    requestId: requestIdHeader,
  };
}

/** Best-effort Problem for anything a component may hold as an error (for display only). */
export function problemFrom(error: unknown): Problem {
  if (error instanceof ProblemError || isProblem(error)) {
    return error;
  }
  if (error instanceof HttpErrorResponse) {
    return toProblem(error);
  }
  // `resource()` wraps non-Error failures and keeps the original as `cause`.
  if (error instanceof Error && error.cause !== undefined && error.cause !== error) {
    return problemFrom(error.cause);
  }
  return {
    type: 'about:blank',
    title: 'Something went wrong',
    status: 0,
    detail: error instanceof Error ? error.message : 'An unexpected error occurred in the console.',
    instance: '',
    code: CLIENT_ERROR,
    requestId: '',
  };
}

function isProblem(value: unknown): value is Problem {
  const body = parseBody(value);
  return (
    body !== undefined &&
    typeof body['title'] === 'string' &&
    typeof body['status'] === 'number' &&
    typeof body['code'] === 'string' &&
    typeof body['detail'] === 'string'
  );
}

// A problem+json body has a title plus a status or our code; anything else is an unrelated payload.
function isProblemShaped(body: Record<string, unknown>): boolean {
  return (
    typeof body['title'] === 'string' &&
    (typeof body['status'] === 'number' || typeof body['code'] === 'string')
  );
}

// Not `statusText`: HTTP/2 and later carry no reason phrase.
function genericTitle(status: number): string {
  return status >= 500 ? 'The API could not complete the request' : 'The API rejected the request';
}

function instanceFrom(error: HttpErrorResponse): string {
  if (!error.url) {
    return '';
  }
  try {
    const url = new URL(error.url, 'http://console.invalid');
    return url.pathname + url.search;
  } catch {
    return error.url;
  }
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'string') {
    try {
      return parseBody(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function stringsFrom(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

// A non-negative whole number of seconds, from a JSON member or a delta-seconds `Retry-After` header.
function secondsFrom(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? Math.ceil(seconds)
    : undefined;
}

function fieldErrorsFrom(value: unknown): ProblemFieldError[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  return value.flatMap((item: unknown) => {
    const entry = parseBody(item);
    return entry && typeof entry['field'] === 'string' && typeof entry['message'] === 'string'
      ? [{ field: entry['field'], message: entry['message'] }]
      : [];
  });
}
