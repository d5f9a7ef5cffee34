import { slackSignatureOf, slackSignatureProblem } from './slack-signature';

// Slack's published example (protocols.md §2.1).
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const AT = Number(TIMESTAMP) * 1000;

describe('Slack request signature (v0)', () => {
  it("computes Slack's published example", () => {
    expect(slackSignatureOf(SECRET, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it("accepts Slack's published example within five minutes", () => {
    const headers = { timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(slackSignatureProblem(SECRET, headers, Buffer.from(BODY), AT)).toBeNull();
    expect(slackSignatureProblem(SECRET, headers, Buffer.from(BODY), AT + 299_000)).toBeNull();
  });

  it('refuses a tampered body, a wrong secret and a truncated digest', () => {
    const headers = { timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(
      slackSignatureProblem(SECRET, headers, Buffer.from(BODY.replace('foobar', 'foobaz')), AT)?.kind,
    ).toBe('invalid');
    expect(slackSignatureProblem(`${SECRET}x`, headers, Buffer.from(BODY), AT)?.kind).toBe('invalid');
    expect(
      slackSignatureProblem(
        SECRET,
        { timestamp: TIMESTAMP, signature: SIGNATURE.slice(0, -2) },
        Buffer.from(BODY),
        AT,
      )?.kind,
    ).toBe('invalid');
  });

  it('refuses a stale or a future timestamp', () => {
    const headers = { timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(slackSignatureProblem(SECRET, headers, Buffer.from(BODY), AT + 301_000)?.kind).toBe('stale');
    expect(slackSignatureProblem(SECRET, headers, Buffer.from(BODY), AT - 301_000)?.kind).toBe('stale');
  });

  it('refuses another version and missing headers', () => {
    const v1 = SIGNATURE.replace('v0=', 'v1=');
    expect(
      slackSignatureProblem(SECRET, { timestamp: TIMESTAMP, signature: v1 }, Buffer.from(BODY), AT)?.kind,
    ).toBe('version');
    expect(
      slackSignatureProblem(SECRET, { timestamp: undefined, signature: SIGNATURE }, Buffer.from(BODY), AT)
        ?.kind,
    ).toBe('missing');
    expect(
      slackSignatureProblem(SECRET, { timestamp: 'yesterday', signature: SIGNATURE }, Buffer.from(BODY), AT)
        ?.kind,
    ).toBe('invalid');
  });
});
