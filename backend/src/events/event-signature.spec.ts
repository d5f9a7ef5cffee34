import { signatureOf, verifySignature } from './event-signature';
import { EventsErrorCode } from './events.errors';

// ../shared/docs/protocols.md §1.7, our golden vector.
const SECRET = 'nx-test-secret';
const TS = '1700000000';
const BODY =
  '{"event_id":"evt-0001","event":"incident.updated","record":{"sys_id":"a9e30c7dc61122760116894de7bcc7bd","number":"INC0000046","state":"2"}}';
const EXPECTED = 'sha256=5161c4926d81463e995033737e493031ad9c5f16a91b6ea223975f96bb1f5dfc';
const AT_TS = 1700000000 * 1000;

const codeOf = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('event signatures (X-Nexecute-Signature)', () => {
  it('matches the golden vector', () => {
    expect(signatureOf(SECRET, TS, BODY)).toBe(EXPECTED);
    expect(() =>
      verifySignature(SECRET, { timestamp: TS, signature: EXPECTED }, Buffer.from(BODY), 300, AT_TS),
    ).not.toThrow();
  });

  it('accepts upper-case hex and the edge of the window, either way', () => {
    const upper = `sha256=${EXPECTED.slice(7).toUpperCase()}`;
    for (const now of [AT_TS - 300_000, AT_TS + 300_000]) {
      expect(
        codeOf(() =>
          verifySignature(SECRET, { timestamp: TS, signature: upper }, Buffer.from(BODY), 300, now),
        ),
      ).toBeUndefined();
    }
  });

  it.each([
    [
      'a tampered body',
      { timestamp: TS, signature: EXPECTED },
      BODY.replace('"2"', '"3"'),
      AT_TS,
      EventsErrorCode.SignatureInvalid,
    ],
    [
      'another timestamp',
      { timestamp: '1700000001', signature: EXPECTED },
      BODY,
      AT_TS,
      EventsErrorCode.SignatureInvalid,
    ],
    [
      'a stale timestamp',
      { timestamp: TS, signature: EXPECTED },
      BODY,
      AT_TS + 301_000,
      EventsErrorCode.SignatureStale,
    ],
    [
      'a future timestamp',
      { timestamp: TS, signature: EXPECTED },
      BODY,
      AT_TS - 301_000,
      EventsErrorCode.SignatureStale,
    ],
    ['no signature', { timestamp: TS, signature: undefined }, BODY, AT_TS, EventsErrorCode.SignatureMissing],
    [
      'no timestamp',
      { timestamp: undefined, signature: EXPECTED },
      BODY,
      AT_TS,
      EventsErrorCode.SignatureMissing,
    ],
    [
      'a timestamp in milliseconds text',
      { timestamp: '1700000000.5', signature: EXPECTED },
      BODY,
      AT_TS,
      EventsErrorCode.SignatureInvalid,
    ],
    [
      'a truncated signature',
      { timestamp: TS, signature: EXPECTED.slice(0, 40) },
      BODY,
      AT_TS,
      EventsErrorCode.SignatureInvalid,
    ],
    [
      'another scheme',
      { timestamp: TS, signature: EXPECTED.replace('sha256', 'sha1') },
      BODY,
      AT_TS,
      EventsErrorCode.SignatureInvalid,
    ],
  ])('refuses %s', (_what, headers, body, now, code) => {
    expect(codeOf(() => verifySignature(SECRET, headers, Buffer.from(body), 300, now))).toBe(code);
  });
});
