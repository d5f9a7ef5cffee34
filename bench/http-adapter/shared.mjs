// What every contender does per request, kept identical so only the HTTP layer differs.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SECRET = 'bench-signing-secret';
export const INSERT_EVENT = 'INSERT INTO bench_event (id, type, payload) VALUES ($1, $2, $3)';

export function sign(rawBody) {
  return 'sha256=' + createHmac('sha256', SECRET).update(rawBody).digest('hex');
}

export function signatureMatches(rawBody, header) {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(sign(rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
