import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Our request signature (protocols.md §1.7): `X-Nexecute-Timestamp` (Unix seconds) and
 * `X-Nexecute-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`. Shared by
 * every endpoint that takes signed requests (webhook producers, ServiceNow's business rules); each
 * turns a problem into its own module's error code.
 */

export const TIMESTAMP_HEADER = 'x-nexecute-timestamp';
export const SIGNATURE_HEADER = 'x-nexecute-signature';

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`: what a sender sends. */
export function signatureOf(secret: string | Buffer, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** Why a signed request is refused (401 in every module). */
export interface SignatureProblem {
  readonly kind: 'missing' | 'invalid' | 'stale';
  readonly detail: string;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Checks a signed request over its raw bytes, within `toleranceSeconds` either way of our clock,
 * compared in constant time after a length check; null when it is good.
 */
export function signatureProblem(
  secret: string | Buffer,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  rawBody: Buffer,
  toleranceSeconds: number,
  nowMs: number = Date.now(),
): SignatureProblem | null {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    return { kind: 'missing', detail: 'Send X-Nexecute-Timestamp and X-Nexecute-Signature' };
  }
  if (!UNIX_SECONDS.test(timestamp)) {
    return { kind: 'invalid', detail: 'X-Nexecute-Timestamp must be Unix seconds' };
  }
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > toleranceSeconds) {
    return {
      kind: 'stale',
      detail: `X-Nexecute-Timestamp is ${Math.round(skew)} s away from our clock (at most ${toleranceSeconds} s): sign each request when you send it`,
    };
  }
  const presented = SIGNATURE.exec(signature.trim())?.[1];
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const given = presented ? Buffer.from(presented, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      kind: 'invalid',
      detail:
        'X-Nexecute-Signature does not match: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>',
    };
  }
  return null;
}
