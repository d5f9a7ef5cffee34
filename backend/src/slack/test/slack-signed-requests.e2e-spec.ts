import {
  startTestApp,
  startTestAppBehindProxy,
  type ProxiedTestApp,
  type TestApp,
} from '../../../test/test-app';
import { slackSignatureOf } from '../slack-signature';

const SECRET = 'e2e-signing-secret-0123456789abcdef';
const FORM = 'application/x-www-form-urlencoded';

const now = (): string => String(Math.floor(Date.now() / 1000));

function signed(
  t: TestApp,
  path: string,
  body: string,
  contentType: string,
  o: { ts?: string; secret?: string; version?: string } = {},
) {
  const ts = o.ts ?? now();
  const signature = slackSignatureOf(o.secret ?? SECRET, ts, body).replace('v0=', `${o.version ?? 'v0'}=`);
  return t.http
    .post(path)
    .set('content-type', contentType)
    .set('x-slack-request-timestamp', ts)
    .set('x-slack-signature', signature)
    .send(body);
}

const storedCount = async (t: TestApp): Promise<number> =>
  (
    await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM inbound_events WHERE channel = 'slack'`,
    )
  )[0]?.n ?? 0;

const event = (eventId: string) =>
  JSON.stringify({
    type: 'event_callback',
    team_id: 'T0SIGNED',
    api_app_id: 'A1',
    event_id: eventId,
    event_time: 1,
    event: { type: 'reaction_added', user: 'U1', item: { type: 'message', channel: 'C1', ts: '1.2' } },
  });

describe('POST /api/slack/* signatures', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { SLACK_SIGNING_SECRET: SECRET } });
  });
  afterAll(() => t.close());

  it.each([
    ['a tampered body', { tamper: true }, 'SLACK_SIGNATURE_INVALID'],
    ['a stale timestamp', { ts: String(Math.floor(Date.now() / 1000) - 301) }, 'SLACK_SIGNATURE_STALE'],
    ['another version', { version: 'v1' }, 'SLACK_SIGNATURE_VERSION'],
    ['another secret', { secret: 'not-the-secret' }, 'SLACK_SIGNATURE_INVALID'],
  ] as const)('refuses %s with 401, X-Slack-No-Retry and stores nothing', async (_what, o, code) => {
    const body = event(`EvBad${code}${Math.random()}`);
    const ts = 'ts' in o ? o.ts : now();
    const signature = slackSignatureOf('secret' in o ? o.secret : SECRET, ts, body).replace(
      'v0=',
      `${'version' in o ? o.version : 'v0'}=`,
    );
    const res = await t.http
      .post('/api/slack/events')
      .set('content-type', 'application/json')
      .set('x-slack-request-timestamp', ts)
      .set('x-slack-signature', signature)
      .send('tamper' in o ? body.replace('reaction_added', 'app_mention') : body)
      .expect(401)
      .expect('content-type', /^application\/problem\+json/)
      .expect('x-slack-no-retry', '1');
    expect(res.body).toMatchObject({ status: 401, code });
    expect(await storedCount(t)).toBe(0);
  });

  it('refuses unsigned requests on all three endpoints', async () => {
    for (const [path, type, body] of [
      ['/api/slack/events', 'application/json', event('EvUnsigned')],
      ['/api/slack/interactions', FORM, 'payload=%7B%7D'],
      ['/api/slack/commands', FORM, 'command=%2Fincident&text=help&user_id=U1'],
    ] as const) {
      const res = await t.http.post(path).set('content-type', type).send(body).expect(401);
      expect(res.body).toMatchObject({ code: 'SLACK_SIGNATURE_MISSING' });
    }
    expect(await storedCount(t)).toBe(0);
  });

  it('echoes the url_verification challenge', async () => {
    const body = JSON.stringify({
      token: 'legacy',
      challenge: 'chal-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const res = await signed(t, '/api/slack/events', body, 'application/json').expect(200);
    expect(res.body).toEqual({ challenge: 'chal-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('answers an unsigned ssl_check on the commands URL 200 with nothing else, and only there', async () => {
    const res = await t.http
      .post('/api/slack/commands')
      .set('content-type', FORM)
      .send('ssl_check=1&token=legacy')
      .expect(200);
    expect(res.text).toBe('');
    await t.http.post('/api/slack/interactions').set('content-type', FORM).send('ssl_check=1').expect(401);
    expect(await storedCount(t)).toBe(0);
  });

  it('stores an event once however often Slack retries it', async () => {
    const body = event('EvRetried01');
    const first = await signed(t, '/api/slack/events', body, 'application/json').expect(200);
    expect(first.body).toEqual({ ok: true, duplicate: false });
    for (const retry of ['1', '2']) {
      const res = await signed(t, '/api/slack/events', body, 'application/json')
        .set('x-slack-retry-num', retry)
        .set('x-slack-retry-reason', 'http_timeout')
        .expect(200);
      expect(res.body).toEqual({ ok: true, duplicate: true });
    }
    const rows = await t.dataSource.query<{ status: string }[]>(
      `SELECT status FROM inbound_events WHERE channel = 'slack' ORDER BY seq`,
    );
    expect(rows.map((r) => r.status).filter((s) => s !== 'duplicate')).toHaveLength(1);
    expect(rows.filter((r) => r.status === 'duplicate')).toHaveLength(2);
  });

  it('refuses a signed body that is no Slack request with 400 SLACK_REQUEST_INVALID', async () => {
    const res = await signed(
      t,
      '/api/slack/events',
      JSON.stringify({ type: 'something' }),
      'application/json',
    ).expect(400);
    expect(res.body).toMatchObject({ code: 'SLACK_REQUEST_INVALID' });
    expect(res.headers['x-slack-no-retry']).toBe('1');
  });
});

describe('POST /api/slack/* without a signing secret', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is 401 SLACK_NO_SIGNING_SECRET: the sender cannot be authenticated', async () => {
    const res = await signed(t, '/api/slack/events', event('EvNoSecret'), 'application/json')
      .expect(401)
      .expect('x-slack-no-retry', '1');
    expect(res.body).toMatchObject({ code: 'SLACK_NO_SIGNING_SECRET' });
    expect(await storedCount(t)).toBe(0);
  });
});

describe('POST /api/slack/events while the database is away', () => {
  let app: ProxiedTestApp;
  beforeAll(async () => {
    app = await startTestAppBehindProxy({ env: { SLACK_SIGNING_SECRET: SECRET } });
  });
  afterAll(() => app.close());

  it('answers 503 DATABASE_UNAVAILABLE without X-Slack-No-Retry, so Slack retries the event', async () => {
    await app.proxy.refuse();
    const res = await signed(app.t, '/api/slack/events', event('EvOutage'), 'application/json');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(res.headers['x-slack-no-retry']).toBeUndefined();
    await app.proxy.forward();
  });
});
