import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventsError, EventsErrorCode } from './events.errors';

export const TIMESTAMP_HEADER = 'x-nexecute-timestamp';
export const SIGNATURE_HEADER = 'x-nexecute-signature';

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`: what a producer sends. */
export function signatureOf(secret: string | Buffer, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Checks a signed request (docs/events.md, "Signing"): over the raw bytes, within the tolerance
 * either way of our clock, compared in constant time. Throws EVENTS_SIGNATURE_* (401) otherwise.
 */
export function verifySignature(
  secret: string | Buffer,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  rawBody: Buffer,
  toleranceSeconds: number,
  nowMs: number = Date.now(),
): void {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    throw new EventsError(
      EventsErrorCode.SignatureMissing,
      'This source signs its events: send X-Nexecute-Timestamp and X-Nexecute-Signature (see docs/events.md)',
    );
  }
  if (!UNIX_SECONDS.test(timestamp)) {
    throw new EventsError(EventsErrorCode.SignatureInvalid, 'X-Nexecute-Timestamp must be Unix seconds');
  }
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > toleranceSeconds) {
    throw new EventsError(
      EventsErrorCode.SignatureStale,
      `X-Nexecute-Timestamp is ${Math.round(skew)} s away from our clock (at most ${toleranceSeconds} s): sign each request when you send it`,
    );
  }
  const presented = SIGNATURE.exec(signature.trim())?.[1];
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const given = presented ? Buffer.from(presented, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new EventsError(
      EventsErrorCode.SignatureInvalid,
      'X-Nexecute-Signature does not match: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>',
    );
  }
}
