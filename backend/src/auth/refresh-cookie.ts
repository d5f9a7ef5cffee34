import type { FastifyReply, FastifyRequest } from 'fastify';

export const REFRESH_COOKIE = 'nx_refresh';
/**
 * Readable by the console and holding no secret: it only says a refresh cookie exists, so a
 * first visit skips the silent refresh instead of earning a 401 (and a browser console error).
 */
export const SESSION_HINT_COOKIE = 'nx_session';
/** Sent only to the endpoints that need it, never to the rest of the API or the console. */
const COOKIE_PATH = '/api/auth';

/** HttpOnly so script cannot read it; SameSite=Strict so other sites cannot make us send it. */
export function setRefreshCookie(
  reply: FastifyReply,
  token: string,
  maxAgeSeconds: number,
  secure: boolean,
): void {
  void reply.setCookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    secure,
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: maxAgeSeconds,
  });
  void reply.setCookie(SESSION_HINT_COOKIE, '1', {
    secure,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure, sameSite: 'strict', path: COOKIE_PATH });
  void reply.clearCookie(SESSION_HINT_COOKIE, { secure, sameSite: 'strict', path: '/' });
}

export function refreshCookieOf(req: FastifyRequest): string | undefined {
  return req.cookies[REFRESH_COOKIE] || undefined;
}
