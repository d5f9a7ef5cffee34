import { signatureProblem } from '../common/http/signed-request';
import { EventsError, EventsErrorCode } from './events.errors';

export { SIGNATURE_HEADER, signatureOf, TIMESTAMP_HEADER } from '../common/http/signed-request';

const CODES = {
  missing: EventsErrorCode.SignatureMissing,
  invalid: EventsErrorCode.SignatureInvalid,
  stale: EventsErrorCode.SignatureStale,
} as const;

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
  const problem = signatureProblem(secret, headers, rawBody, toleranceSeconds, nowMs);
  if (!problem) return;
  throw new EventsError(
    CODES[problem.kind],
    problem.kind === 'missing'
      ? 'This source signs its events: send X-Nexecute-Timestamp and X-Nexecute-Signature (see docs/events.md)'
      : problem.detail,
  );
}
