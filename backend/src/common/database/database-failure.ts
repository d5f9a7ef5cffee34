/**
 * Which errors mean "the database cannot serve us" rather than "this query is wrong". Such a
 * failure is answered 503 (never 401 or 500), and a lost connection makes DatabaseAvailability
 * check at once whether the server is gone.
 *
 * - `lost`: no connection could be made or kept: refused, reset, timed out, the server shutting
 *   down or starting up (SQLSTATE class 08, 57P01–57P03).
 * - `saturated`: the server or our pool is out of room: too many connections (class 53), no
 *   pooled connection free within DATABASE_CONNECT_TIMEOUT_MS, a statement cancelled by
 *   statement_timeout (57014).
 */
export type DatabaseFailure = 'lost' | 'saturated';

const LOST_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03']);

/** pg's own wording for a connection that died or never came up (it sets no code on these). */
const LOST_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'timeout expired',
];

const SATURATED_MESSAGES = ['timeout exceeded when trying to connect'];

function classifyOne(error: object): DatabaseFailure | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (LOST_SOCKET_CODES.has(code) || LOST_SQLSTATES.has(code) || code.startsWith('08')) return 'lost';
    if (code.startsWith('53') || code === '57014') return 'saturated';
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    if (LOST_MESSAGES.some((m) => message.includes(m))) return 'lost';
    if (SATURATED_MESSAGES.some((m) => message.includes(m))) return 'saturated';
  }
  return null;
}

/** Looks through TypeORM's QueryFailedError (`driverError`) and `cause` chains. */
export function databaseFailureOf(error: unknown): DatabaseFailure | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const failure = classifyOne(current);
    if (failure) return failure;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return null;
}
