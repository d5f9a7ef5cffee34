import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Slack's request signature, version v0 (protocols.md §2.1): `X-Slack-Request-Timestamp` (Unix
 * seconds) and `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" +
 * raw body)>`. Checked over the bytes as received, before anything is parsed or stored.
 */

export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';

/** Slack refuses to sign requests older than this, and so do we (replays). */
export const SLACK_SIGNATURE_TOLERANCE_SECONDS = 300;

/** `v0=<hex>`: what Slack (or our simulator's request sender) sends. */
export function slackSignatureOf(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

export interface SlackSignatureProblem {
  readonly kind: 'missing' | 'invalid' | 'stale' | 'version';
  readonly detail: string;
}

const UNIX_SECONDS = /^\d{1,12}$/;
const SIGNATURE = /^(v\d+)=([0-9a-f]+)$/i;

/**
 * Null when the request is Slack's: a known version, a timestamp within five minutes either way of
 * our clock (a future one is as suspect as an old one), and a matching digest compared in constant
 * time.
 */
export function slackSignatureProblem(
  signingSecret: string,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  rawBody: Buffer,
  nowMs: number = Date.now(),
  toleranceSeconds: number = SLACK_SIGNATURE_TOLERANCE_SECONDS,
): SlackSignatureProblem | null {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    return { kind: 'missing', detail: 'X-Slack-Request-Timestamp and X-Slack-Signature are required' };
  }
  if (!UNIX_SECONDS.test(timestamp)) {
    return { kind: 'invalid', detail: 'X-Slack-Request-Timestamp must be Unix seconds' };
  }
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > toleranceSeconds) {
    return {
      kind: 'stale',
      detail: `X-Slack-Request-Timestamp is ${Math.round(skew)} s away from our clock (at most ${toleranceSeconds} s)`,
    };
  }
  const match = SIGNATURE.exec(signature.trim());
  if (!match) return { kind: 'invalid', detail: 'X-Slack-Signature must be v0=<hex>' };
  if (match[1] !== 'v0') {
    return { kind: 'version', detail: `X-Slack-Signature version ${match[1]} is not supported (v0 is)` };
  }
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest();
  const given = Buffer.from(match[2] ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { kind: 'invalid', detail: 'X-Slack-Signature does not match the body' };
  }
  return null;
}
