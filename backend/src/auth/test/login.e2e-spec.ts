import { givenUser, signInAsAdmin, STRONG_PASSWORD } from '../../../test/sign-in';
import { startTestApp, TEST_ADMIN, type TestApp } from '../../../test/test-app';

interface Problem {
  code: string;
  retryAfterSeconds?: number;
}

async function auditActions(t: TestApp, label: string): Promise<string[]> {
  const rows: { action: string }[] = await t.dataSource.query(
    `SELECT action FROM audit_events WHERE actor_label = $1 ORDER BY id`,
    [label],
  );
  return rows.map((r) => r.action);
}

describe('POST /api/auth/login', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '30' } });
  });
  afterAll(() => t.close());

  it('returns an access token, a refresh token in the body and the user, and records the login', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/),
      user: { email: TEST_ADMIN.email, role: 'admin', kind: 'user' },
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    const me = await t.http
      .get('/api/auth/me')
      .set('authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ email: TEST_ADMIN.email, lastLoginAt: expect.any(String) });
    expect(await auditActions(t, TEST_ADMIN.email)).toContain('auth.login.succeeded');
  });

  it('with tokenDelivery cookie puts the refresh token in an HttpOnly, Secure, SameSite=Strict cookie only', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password, tokenDelivery: 'cookie' })
      .expect(200);
    expect(res.body.refreshToken).toBeUndefined();
    const cookie =
      (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('nx_refresh=')) ?? '';
    expect(cookie).toMatch(/^nx_refresh=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    expect(cookie).toMatch(/Max-Age=\d+/);
    // The console's hint that a session exists: readable by script, secret-free.
    const hint = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('nx_session='));
    expect(hint).toMatch(/^nx_session=1; Max-Age=\d+; Path=\/; Secure; SameSite=Strict$/);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const user = await givenUser(t, 'viewer');
    const unknown = await t.http
      .post('/api/auth/login')
      .send({ email: 'nobody@test.nexecute', password: 'whatever it is 1' });
    const wrong = await t.http
      .post('/api/auth/login')
      .send({ email: user.user.email, password: 'not the password 1' });
    for (const res of [unknown, wrong]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({
        code: 'AUTH_INVALID_CREDENTIALS',
        detail: 'The email or password is not correct',
      });
    }
    expect(await auditActions(t, 'nobody@test.nexecute')).toEqual(['auth.login.failed']);
  });

  it('treats the email case-insensitively', async () => {
    const user = await givenUser(t, 'viewer');
    await t.http
      .post('/api/auth/login')
      .send({ email: user.user.email.toUpperCase(), password: STRONG_PASSWORD })
      .expect(200);
  });

  it('locks the account after repeated failures, refuses even the right password, and lets it in once the lock ends', async () => {
    const user = await givenUser(t, 'responder');
    const email = user.user.email;
    for (let i = 0; i < 3; i++) {
      await t.http
        .post('/api/auth/login')
        .send({ email, password: `wrong password ${i}x` })
        .expect(401);
    }
    const locked = await t.http.post('/api/auth/login').send({ email, password: STRONG_PASSWORD });
    expect(locked.status).toBe(429);
    expect((locked.body as Problem).code).toBe('AUTH_ACCOUNT_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(25);
    expect((locked.body as Problem).retryAfterSeconds).toBe(Number(locked.headers['retry-after']));
    expect(await auditActions(t, email)).toEqual(
      expect.arrayContaining(['auth.login.failed', 'auth.login.locked']),
    );

    // Back-off: one more failure once the lock ends doubles the next lock.
    await t.dataSource.query(
      `UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE email = $1`,
      [email],
    );
    await t.http.post('/api/auth/login').send({ email, password: 'wrong password again' }).expect(401);
    const relocked = await t.http
      .post('/api/auth/login')
      .send({ email, password: STRONG_PASSWORD })
      .expect(429);
    expect(Number(relocked.headers['retry-after'])).toBeGreaterThan(55);

    await t.dataSource.query(
      `UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE email = $1`,
      [email],
    );
    await t.http.post('/api/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
    const rows: unknown[] = await t.dataSource.query(`SELECT 1 FROM login_failures WHERE email = $1`, [
      email,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('locks unknown emails the same way, so lock-out does not reveal which accounts exist', async () => {
    const email = 'ghost@test.nexecute';
    for (let i = 0; i < 3; i++)
      await t.http.post('/api/auth/login').send({ email, password: `guess number ${i}` });
    const res = await t.http.post('/api/auth/login').send({ email, password: 'guess number 4' }).expect(429);
    expect(res.body.code).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('refuses a disabled account with 403 after a correct password', async () => {
    const admin = await signInAsAdmin(t);
    const user = await givenUser(t, 'viewer');
    await t.http.post(`/api/users/${user.user.id}/disable`).set('authorization', admin.bearer).expect(200);
    const res = await t.http
      .post('/api/auth/login')
      .send({ email: user.user.email, password: STRONG_PASSWORD })
      .expect(403);
    expect(res.body.code).toBe('AUTH_USER_DISABLED');
  });

  it('rejects malformed input with 400 and no audit noise', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .send({ email: 'not-an-email', password: '' })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(await auditActions(t, 'not-an-email')).toEqual([]);
  });
});

describe('POST /api/auth/login throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { LOGIN_RATE_LIMIT_PER_IP: '6', LOGIN_RATE_LIMIT_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES: '100' },
    });
  });
  afterAll(() => t.close());

  it('limits attempts per account, then per address, answering 429 AUTH_RATE_LIMITED with Retry-After', async () => {
    const attempt = (email: string) =>
      t.http.post('/api/auth/login').send({ email, password: 'wrong password 1' });
    for (let i = 0; i < 3; i++) expect((await attempt('first@test.nexecute')).status).toBe(401);
    const perAccount = await attempt('first@test.nexecute');
    expect(perAccount.status).toBe(429);
    expect(perAccount.body).toMatchObject({
      code: 'AUTH_RATE_LIMITED',
      detail: expect.stringMatching(/account/),
    });
    expect(Number(perAccount.headers['retry-after'])).toBeGreaterThan(0);

    // Another account from the same address still gets through until the address's budget runs out.
    expect((await attempt('second@test.nexecute')).status).toBe(401);
    expect((await attempt('third@test.nexecute')).status).toBe(401);
    const perAddress = await attempt('fourth@test.nexecute');
    expect(perAddress.status).toBe(429);
    expect(perAddress.body).toMatchObject({
      code: 'AUTH_RATE_LIMITED',
      detail: expect.stringMatching(/address/),
    });
  });
});

describe('first run', () => {
  it('without ADMIN_PASSWORD generates one, logs it once and forces a change at first sign-in', async () => {
    const t = await startTestApp({ env: { ADMIN_EMAIL: 'first@test.nexecute', ADMIN_PASSWORD: '' } });
    try {
      const lines = t.logs().filter((l) => typeof l.msg === 'string' && l.msg.includes('one-time password'));
      expect(lines).toHaveLength(1);
      const password = /one-time password (\S+)/.exec(String(lines[0]?.msg))?.[1] ?? '';
      expect(password.length).toBeGreaterThanOrEqual(16);

      const login = await t.http
        .post('/api/auth/login')
        .send({ email: 'first@test.nexecute', password })
        .expect(200);
      const bearer = `Bearer ${login.body.accessToken}`;
      expect(login.body.user).toMatchObject({ role: 'admin', mustChangePassword: true });
      const blocked = await t.http.get('/api/users').set('authorization', bearer).expect(403);
      expect(blocked.body.code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
      await t.http.get('/api/auth/me').set('authorization', bearer).expect(200);

      const weak = await t.http
        .post('/api/auth/password')
        .set('authorization', bearer)
        .send({ currentPassword: password, newPassword: 'password123' })
        .expect(422);
      expect(weak.body).toMatchObject({ code: 'AUTH_PASSWORD_POLICY', violations: expect.any(Array) });
      const wrong = await t.http
        .post('/api/auth/password')
        .set('authorization', bearer)
        .send({ currentPassword: 'not it at all 1', newPassword: STRONG_PASSWORD })
        .expect(403);
      expect(wrong.body.code).toBe('AUTH_CURRENT_PASSWORD_INCORRECT');
      // The logged one-time password must not survive as the "new" one.
      const same = await t.http
        .post('/api/auth/password')
        .set('authorization', bearer)
        .send({ currentPassword: password, newPassword: password })
        .expect(422);
      expect(same.body).toMatchObject({
        code: 'AUTH_PASSWORD_POLICY',
        violations: ['Password must differ from the current password.'],
      });
      await t.http.get('/api/users').set('authorization', bearer).expect(403);
      await t.http
        .post('/api/auth/password')
        .set('authorization', bearer)
        .send({ currentPassword: password, newPassword: STRONG_PASSWORD })
        .expect(204);
      await t.http.get('/api/users').set('authorization', bearer).expect(200);

      // A second start finds the admin and creates nobody.
      const users: { count: string }[] = await t.dataSource.query(`SELECT count(*) FROM users`);
      expect(users[0]?.count).toBe('1');
    } finally {
      await t.close();
    }
  });

  it('with ADMIN_PASSWORD creates the admin with it and logs no password', async () => {
    const t = await startTestApp();
    try {
      expect(t.logs().some((l) => JSON.stringify(l).includes(TEST_ADMIN.password))).toBe(false);
      const res = await t.http
        .post('/api/auth/login')
        .send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password })
        .expect(200);
      expect(res.body.user.mustChangePassword).toBe(false);
      const audit: { action: string; actor_type: string }[] = await t.dataSource.query(
        `SELECT action, actor_type FROM audit_events WHERE action = 'user.bootstrapped'`,
      );
      expect(audit).toEqual([{ action: 'user.bootstrapped', actor_type: 'system' }]);
    } finally {
      await t.close();
    }
  });
});
