import type { Response } from 'supertest';
import { givenUser, signIn, STRONG_PASSWORD, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

const EVIL = 'https://evil.example.net';
const LISTED = 'https://console.example.com';
const PUBLIC = 'https://nexecute.example.com';

function refreshCookieOf(res: Response): string | undefined {
  const header = res.headers['set-cookie'] as unknown;
  const lines = Array.isArray(header) ? (header as string[]) : [];
  return lines.map((l) => /^nx_refresh=([^;]*)/.exec(l)?.[1]).find((v) => v !== undefined);
}

async function sessionCount(t: TestApp, userId: string): Promise<number> {
  const [row] = await t.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1`,
    [userId],
  );
  return row?.n ?? 0;
}

/** A console session: signed in with the refresh token in the cookie, as the browser holds it. */
async function consoleSession(t: TestApp, user: SignedIn): Promise<string> {
  const res = await t.http
    .post('/api/auth/login')
    .send({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' })
    .expect(200);
  const cookie = refreshCookieOf(res);
  if (!cookie) throw new Error('no nx_refresh cookie');
  return cookie;
}

describe('login CSRF: cookie-setting and cookie-reading auth requests from other sites', () => {
  let t: TestApp;
  let own: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: LISTED, PUBLIC_URL: PUBLIC } });
    own = new URL(t.baseUrl.replace('[::1]', '127.0.0.1')).origin;
  });
  afterAll(() => t.close());

  /** What the console sends: an empty JSON body, the refresh token in the cookie. */
  const withCookie = (path: string, cookie: string, headers: Record<string, string> = {}) =>
    t.http
      .post(path)
      .set({ cookie: `nx_refresh=${cookie}`, ...headers })
      .send({});

  const cookieLogin = (user: SignedIn) =>
    t.http
      .post('/api/auth/login')
      .send({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' });

  describe('POST /api/auth/login with tokenDelivery "cookie"', () => {
    it.each([
      ['a foreign Origin', { origin: EVIL }],
      ['a foreign Origin claiming same-origin', { origin: EVIL, 'sec-fetch-site': 'same-origin' }],
      ['Origin: null (a sandboxed frame or a redirect)', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site without Origin (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ])(
      'refuses %s with 403 AUTH_CROSS_SITE_REQUEST, sets no cookie and starts no session',
      async (_, headers) => {
        const user = await givenUser(t, 'viewer');
        const before = await sessionCount(t, user.user.id);
        const res = await cookieLogin(user).set(headers).expect(403);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.code).toBe('AUTH_CROSS_SITE_REQUEST');
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(await sessionCount(t, user.user.id)).toBe(before);
      },
    );

    it.each([
      ['its own origin (from Host)', () => ({ origin: own, 'sec-fetch-site': 'same-origin' })],
      ['PUBLIC_URL’s origin', () => ({ origin: PUBLIC })],
      ['an origin listed in CORS_ORIGINS', () => ({ origin: LISTED, 'sec-fetch-site': 'cross-site' })],
      ['neither header (curl, a server)', () => ({})],
      ['Sec-Fetch-Site: same-origin alone', () => ({ 'sec-fetch-site': 'same-origin' })],
    ])('admits %s', async (_, headers) => {
      const user = await givenUser(t, 'viewer');
      const res = await cookieLogin(user).set(headers()).expect(200);
      expect(refreshCookieOf(res)).toBeTruthy();
    });

    it('leaves body delivery to API clients alone: a page on another origin cannot read the tokens', async () => {
      const user = await givenUser(t, 'viewer');
      const res = await t.http
        .post('/api/auth/login')
        .set('origin', EVIL)
        .send({ email: user.user.email, password: STRONG_PASSWORD })
        .expect(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it("refuses the attack as it was found: another site's auto-submitted form, with 415, signing nobody in", async () => {
      const user = await givenUser(t, 'viewer');
      const before = await sessionCount(t, user.user.id);
      const form = new URLSearchParams({
        email: user.user.email,
        password: STRONG_PASSWORD,
        tokenDelivery: 'cookie',
      }).toString();
      for (const type of [
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain',
      ]) {
        const res = await t.http
          .post('/api/auth/login')
          .set({ origin: EVIL, 'sec-fetch-site': 'cross-site', 'content-type': type })
          .send(form)
          .expect(415);
        expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      // text/plain is what a form with enctype="text/plain" sends: JSON-looking, still refused.
      await t.http
        .post('/api/auth/login')
        .set({ origin: EVIL, 'content-type': 'text/plain' })
        .send(JSON.stringify({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' }))
        .expect(415);
      expect(await sessionCount(t, user.user.id)).toBe(before);
    });
  });

  describe('POST /api/auth/refresh with the nx_refresh cookie', () => {
    it('refuses a foreign origin without spending or clearing the cookie', async () => {
      const user = await givenUser(t, 'viewer');
      const cookie = await consoleSession(t, user);
      const res = await withCookie('/api/auth/refresh', cookie, { origin: EVIL }).expect(403);
      expect(res.body.code).toBe('AUTH_CROSS_SITE_REQUEST');
      expect(res.headers['set-cookie']).toBeUndefined();
      await withCookie('/api/auth/refresh', cookie, { 'sec-fetch-site': 'cross-site' }).expect(403);
      // Still the live token: the console's own refresh works.
      await withCookie('/api/auth/refresh', cookie, { origin: own, 'sec-fetch-site': 'same-origin' }).expect(
        200,
      );
    });

    it('does not apply to a refresh token sent in the body (an API client)', async () => {
      const user = await givenUser(t, 'viewer');
      await t.http
        .post('/api/auth/refresh')
        .set('origin', EVIL)
        .send({ refreshToken: user.refreshToken })
        .expect(200);
    });
  });

  describe('POST /api/auth/logout with the nx_refresh cookie', () => {
    it('refuses a foreign origin and leaves the session alone', async () => {
      const user = await givenUser(t, 'viewer');
      const cookie = await consoleSession(t, user);
      const res = await withCookie('/api/auth/logout', cookie, { origin: EVIL }).expect(403);
      expect(res.body.code).toBe('AUTH_CROSS_SITE_REQUEST');
      expect(res.headers['set-cookie']).toBeUndefined();
      await withCookie('/api/auth/refresh', cookie).expect(200);
    });

    it('signs out from the console’s own origin', async () => {
      const user = await givenUser(t, 'viewer');
      const cookie = await consoleSession(t, user);
      await withCookie('/api/auth/logout', cookie, { origin: own, 'sec-fetch-site': 'same-origin' }).expect(
        204,
      );
      await withCookie('/api/auth/refresh', cookie).expect(401);
    });
  });
});

describe('login CSRF behind a reverse proxy', () => {
  const proxied = { origin: 'https://incidents.example.org', 'x-forwarded-proto': 'https' };

  it('with TRUST_PROXY=true takes its own origin from X-Forwarded-Proto and the Host', async () => {
    const t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const user = await givenUser(t, 'viewer');
      await t.http
        .post('/api/auth/login')
        .set({ ...proxied, 'x-forwarded-host': 'incidents.example.org' })
        .send({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' })
        .expect(200);
      await t.http
        .post('/api/auth/login')
        .set({ ...proxied, 'x-forwarded-host': 'elsewhere.example.org' })
        .send({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' })
        .expect(403);
    } finally {
      await t.close();
    }
  });

  it('without TRUST_PROXY ignores forwarded headers, so a forged one does not make an origin ours', async () => {
    const t = await startTestApp();
    try {
      const user = await givenUser(t, 'viewer');
      const res = await t.http
        .post('/api/auth/login')
        .set({ ...proxied, 'x-forwarded-host': 'incidents.example.org' })
        .send({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' })
        .expect(403);
      expect(res.body.code).toBe('AUTH_CROSS_SITE_REQUEST');
      await signIn(t, user.user.email, STRONG_PASSWORD);
    } finally {
      await t.close();
    }
  });
});
