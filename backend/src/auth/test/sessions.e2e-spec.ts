import { givenUser, signIn, signInAsAdmin, STRONG_PASSWORD } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

function cookieValue(setCookie: unknown, name: string): string | undefined {
  const lines = Array.isArray(setCookie) ? (setCookie as string[]) : [String(setCookie)];
  return lines.map((l) => new RegExp(`^${name}=([^;]*)`).exec(l)?.[1]).find((v) => v !== undefined);
}

/** Moves every rotation of the user's tokens back an hour, past the reuse grace window. */
async function outlastGraceWindow(t: TestApp, userId: string): Promise<void> {
  await t.dataSource.query(
    `UPDATE refresh_tokens SET consumed_at = consumed_at - interval '1 hour'
      WHERE consumed_at IS NOT NULL AND session_id IN (SELECT id FROM auth_sessions WHERE user_id = $1)`,
    [userId],
  );
}

function sessionsOf(t: TestApp, userId: string): Promise<{ revoked_at: Date | null }[]> {
  return t.dataSource.query(`SELECT revoked_at FROM auth_sessions WHERE user_id = $1`, [userId]);
}

function jwtSessionOf(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid: string }).sid;
}

describe('refresh tokens, sessions and logout', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  describe('POST /api/auth/refresh', () => {
    it('rotates: each refresh returns a new access and refresh token in the same session', async () => {
      const first = await givenUser(t, 'viewer');
      const res = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: first.refreshToken })
        .expect(200);
      expect(res.body.refreshToken).not.toBe(first.refreshToken);
      await t.http.get('/api/auth/me').set('authorization', `Bearer ${res.body.accessToken}`).expect(200);
      const again = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: res.body.refreshToken })
        .expect(200);
      const sessions: { session_id: string }[] = await t.dataSource.query(
        `SELECT DISTINCT session_id FROM refresh_tokens WHERE session_id IN
           (SELECT id FROM auth_sessions WHERE user_id = $1)`,
        [first.user.id],
      );
      expect(sessions).toHaveLength(1);
      expect(again.body.user.id).toBe(first.user.id);
    });

    it('stores only a digest of each refresh token', async () => {
      const user = await givenUser(t, 'viewer');
      const secret = user.refreshToken.split('.')[1] ?? '';
      const rows: { hex: string }[] = await t.dataSource.query(
        `SELECT encode(secret_hash, 'hex') AS hex FROM refresh_tokens`,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(rows.every((r) => r.hex.length === 64)).toBe(true);
    });

    it('detects reuse of a rotated token after the grace window and revokes the whole family, the current tokens included', async () => {
      const user = await givenUser(t, 'responder');
      const rotated = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      await outlastGraceWindow(t, user.user.id);

      const reuse = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expect(reuse.body.code).toBe('AUTH_REFRESH_REUSED');
      const successor = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: rotated.body.refreshToken })
        .expect(401);
      expect(successor.body.code).toBe('AUTH_REFRESH_INVALID');
      const access = await t.http
        .get('/api/auth/me')
        .set('authorization', `Bearer ${rotated.body.accessToken}`)
        .expect(401);
      expect(access.body.code).toBe('AUTH_TOKEN_INVALID');

      const audit: { action: string; actor_label: string }[] = await t.dataSource.query(
        `SELECT action, actor_label FROM audit_events WHERE action = 'auth.refresh.reused' AND actor_id = $1`,
        [user.user.id],
      );
      expect(audit).toEqual([{ action: 'auth.refresh.reused', actor_label: user.user.email }]);
      // Other sessions of the same person are not this family and keep working.
      const other = await signIn(t, user.user.email, STRONG_PASSWORD);
      await t.http.post('/api/auth/refresh').send({ refreshToken: other.refreshToken }).expect(200);
    });

    it('answers two simultaneous refreshes with one token (two tabs) with valid tokens for the same session', async () => {
      const user = await givenUser(t, 'viewer');
      const results = await Promise.all(
        [0, 1].map(() => t.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const [a, b] = results.map((r) => r.body as { accessToken: string; refreshToken: string });
      expect(a?.refreshToken).not.toBe(b?.refreshToken);
      for (const tab of [a, b]) {
        await t.http.get('/api/auth/me').set('authorization', `Bearer ${tab?.accessToken}`).expect(200);
        await t.http.post('/api/auth/refresh').send({ refreshToken: tab?.refreshToken }).expect(200);
      }
      const sessions = await sessionsOf(t, user.user.id);
      expect(sessions).toEqual([{ revoked_at: null }]);
      const reused: unknown[] = await t.dataSource.query(
        `SELECT 1 FROM audit_events WHERE action = 'auth.refresh.reused' AND actor_id = $1`,
        [user.user.id],
      );
      expect(reused).toHaveLength(0);
    });

    it('answers the just-rotated token again within the window, in sequence too (a lost response retried)', async () => {
      const user = await givenUser(t, 'viewer');
      const first = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      const retried = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      expect(retried.body.refreshToken).not.toBe(first.body.refreshToken);
      expect(jwtSessionOf(retried.body.accessToken)).toBe(jwtSessionOf(first.body.accessToken));
      await t.http.get('/api/auth/me').set('authorization', `Bearer ${first.body.accessToken}`).expect(200);
    });

    it('treats an older token than the just-rotated one as reuse even within the window', async () => {
      const user = await givenUser(t, 'viewer');
      const second = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(200);
      await t.http.post('/api/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(200);
      const stale = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expect(stale.body.code).toBe('AUTH_REFRESH_REUSED');
      expect(await sessionsOf(t, user.user.id)).toEqual([{ revoked_at: expect.any(Date) }]);
    });

    it('refuses forged, malformed and missing tokens', async () => {
      const user = await givenUser(t, 'viewer');
      const [id] = user.refreshToken.split('.');
      for (const refreshToken of [`${id}.${'A'.repeat(43)}`, 'garbage', `${crypto.randomUUID()}.x`]) {
        const res = await t.http.post('/api/auth/refresh').send({ refreshToken }).expect(401);
        expect(res.body.code).toBe('AUTH_REFRESH_INVALID');
      }
      const none = await t.http.post('/api/auth/refresh').send({}).expect(401);
      expect(none.body.code).toBe('AUTH_REFRESH_INVALID');
    });

    it('works from the cookie for the console, rotating the cookie', async () => {
      const user = await givenUser(t, 'viewer');
      const login = await t.http
        .post('/api/auth/login')
        .send({ email: user.user.email, password: STRONG_PASSWORD, tokenDelivery: 'cookie' })
        .expect(200);
      const cookie = cookieValue(login.headers['set-cookie'], 'nx_refresh');
      const res = await t.http
        .post('/api/auth/refresh')
        .set('cookie', `nx_refresh=${cookie}`)
        .send({})
        .expect(200);
      const next = cookieValue(res.headers['set-cookie'], 'nx_refresh');
      expect(next).toBeTruthy();
      expect(next).not.toBe(cookie);
      expect(res.body.refreshToken).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      // A refused cookie is cleared so the console stops presenting it.
      await outlastGraceWindow(t, user.user.id);
      const reused = await t.http
        .post('/api/auth/refresh')
        .set('cookie', `nx_refresh=${cookie}`)
        .send({})
        .expect(401);
      expect(cookieValue(reused.headers['set-cookie'], 'nx_refresh')).toBe('');
    });

    it('ends at once for a disabled user', async () => {
      const admin = await signInAsAdmin(t);
      const user = await givenUser(t, 'viewer');
      await t.http.post(`/api/users/${user.user.id}/disable`).set('authorization', admin.bearer).expect(200);
      const access = await t.http.get('/api/auth/me').set('authorization', user.bearer);
      expect([401, 403]).toContain(access.status);
      const res = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expect(res.body.code).toBe('AUTH_REFRESH_INVALID');
    });
  });

  describe('access tokens', () => {
    it('distinguish missing, malformed, forged and expired tokens', async () => {
      const missing = await t.http.get('/api/auth/me').expect(401);
      expect(missing.body.code).toBe('AUTH_UNAUTHENTICATED');
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      const malformed = await t.http.get('/api/auth/me').set('authorization', 'Bearer not.a.jwt').expect(401);
      expect(malformed.body.code).toBe('AUTH_TOKEN_INVALID');

      const user = await givenUser(t, 'viewer');
      const [header, payload] = user.accessToken.split('.');
      const forged = await t.http
        .get('/api/auth/me')
        .set('authorization', `Bearer ${header}.${payload}.c2lnbmF0dXJl`);
      expect(forged.body.code).toBe('AUTH_TOKEN_INVALID');

      const short = await startTestApp({ env: { ACCESS_TOKEN_TTL_SECONDS: '60' } });
      try {
        const { JwtService } = await import('@nestjs/jwt');
        const jwt = short.app.get(JwtService);
        const claims = jwt.decode<{ sub: string; sid: string }>((await signInAsAdmin(short)).accessToken);
        const expired = await jwt.signAsync(
          { sid: claims.sid, role: 'admin', exp: Math.floor(Date.now() / 1000) - 5 },
          { subject: claims.sub, issuer: 'nexecute', audience: 'nexecute-api' },
        );
        const res = await short.http
          .get('/api/auth/me')
          .set('authorization', `Bearer ${expired}`)
          .expect(401);
        expect(res.body.code).toBe('AUTH_TOKEN_EXPIRED');
      } finally {
        await short.close();
      }
    });
  });

  describe('POST /api/auth/logout', () => {
    it('revokes the session: its refresh token and access token stop working, and the cookie is cleared', async () => {
      const user = await givenUser(t, 'viewer');
      const res = await t.http.post('/api/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
      expect(cookieValue(res.headers['set-cookie'], 'nx_refresh')).toBe('');
      await t.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
      await t.http.get('/api/auth/me').set('authorization', user.bearer).expect(401);
      const audit: unknown[] = await t.dataSource.query(
        `SELECT 1 FROM audit_events WHERE action = 'auth.logout' AND actor_id = $1`,
        [user.user.id],
      );
      expect(audit).toHaveLength(1);
    });

    it('answers 204 for an unknown token without revealing anything', async () => {
      await t.http.post('/api/auth/logout').send({ refreshToken: 'garbage' }).expect(204);
    });

    it('with only a bearer access token ends the session that token belongs to, and audits it', async () => {
      const user = await givenUser(t, 'viewer');
      const other = await signIn(t, user.user.email, STRONG_PASSWORD);
      await t.http.post('/api/auth/logout').set('authorization', user.bearer).expect(204);
      await t.http.get('/api/auth/me').set('authorization', user.bearer).expect(401);
      const refreshed = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: user.refreshToken })
        .expect(401);
      expect(refreshed.body.code).toBe('AUTH_REFRESH_INVALID');
      // Only that session: the same person's other sign-in goes on.
      await t.http.get('/api/auth/me').set('authorization', other.bearer).expect(200);
      const audit: { target_id: string }[] = await t.dataSource.query(
        `SELECT target_id FROM audit_events WHERE action = 'auth.logout' AND actor_id = $1`,
        [user.user.id],
      );
      expect(audit).toEqual([{ target_id: jwtSessionOf(user.accessToken) }]);
    });

    it('with a forged or foreign bearer token ends nothing and says nothing', async () => {
      const user = await givenUser(t, 'viewer');
      const [header, payload] = user.accessToken.split('.');
      await t.http
        .post('/api/auth/logout')
        .set('authorization', `Bearer ${header}.${payload}.c2lnbmF0dXJl`)
        .expect(204);
      await t.http.post('/api/auth/logout').set('authorization', 'Bearer nxk_notakey').expect(204);
      await t.http.get('/api/auth/me').set('authorization', user.bearer).expect(200);
    });
  });

  describe('GET/DELETE /api/auth/sessions', () => {
    it('lists the caller’s sessions, marks the current one, and revokes another', async () => {
      const user = await givenUser(t, 'responder');
      const second = await signIn(t, user.user.email, STRONG_PASSWORD);
      const list = await t.http.get('/api/auth/sessions').set('authorization', user.bearer).expect(200);
      const items = list.body.items as { id: string; current: boolean; ip: string | null; method: string }[];
      expect(items).toHaveLength(2);
      expect(items.filter((s) => s.current)).toHaveLength(1);
      expect(items[0]).toMatchObject({ ip: '127.0.0.1', method: 'password' });

      const other = items.find((s) => !s.current);
      await t.http.delete(`/api/auth/sessions/${other?.id}`).set('authorization', user.bearer).expect(204);
      await t.http.get('/api/auth/me').set('authorization', second.bearer).expect(401);
      await t.http.get('/api/auth/me').set('authorization', user.bearer).expect(200);
      // Someone else's session is not found, not revoked.
      const stranger = await givenUser(t, 'viewer');
      const listed = await t.http.get('/api/auth/sessions').set('authorization', stranger.bearer).expect(200);
      const theirs = (listed.body.items as { id: string }[])[0]?.id;
      const res = await t.http
        .delete(`/api/auth/sessions/${theirs}`)
        .set('authorization', user.bearer)
        .expect(404);
      expect(res.body.code).toBe('AUTH_SESSION_NOT_FOUND');
      await t.http.get('/api/auth/me').set('authorization', stranger.bearer).expect(200);
    });
  });

  describe('POST /api/auth/password', () => {
    it('changes the password and ends every other session, keeping this one', async () => {
      const user = await givenUser(t, 'viewer');
      const other = await signIn(t, user.user.email, STRONG_PASSWORD);
      const next = 'Quiet harbour kettle 58';
      await t.http
        .post('/api/auth/password')
        .set('authorization', user.bearer)
        .send({ currentPassword: STRONG_PASSWORD, newPassword: next })
        .expect(204);
      await t.http.get('/api/auth/me').set('authorization', user.bearer).expect(200);
      await t.http.get('/api/auth/me').set('authorization', other.bearer).expect(401);
      await t.http.post('/api/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      await t.http
        .post('/api/auth/login')
        .send({ email: user.user.email, password: STRONG_PASSWORD })
        .expect(401);
      await signIn(t, user.user.email, next);
    });

    it('refuses the current password as the new one with 422 and changes nothing', async () => {
      const user = await givenUser(t, 'viewer');
      const other = await signIn(t, user.user.email, STRONG_PASSWORD);
      const res = await t.http
        .post('/api/auth/password')
        .set('authorization', user.bearer)
        .send({ currentPassword: STRONG_PASSWORD, newPassword: STRONG_PASSWORD })
        .expect(422);
      expect(res.body).toMatchObject({
        code: 'AUTH_PASSWORD_POLICY',
        violations: ['Password must differ from the current password.'],
      });
      await t.http.get('/api/auth/me').set('authorization', other.bearer).expect(200);
      await signIn(t, user.user.email, STRONG_PASSWORD);
    });

    it('refuses an admin-issued temporary password as the new one and keeps the change required', async () => {
      const admin = await signInAsAdmin(t);
      const user = await givenUser(t, 'responder');
      const reset = await t.http
        .post(`/api/users/${user.user.id}/reset-password`)
        .set('authorization', admin.bearer)
        .expect(200);
      const temporary = (reset.body as { temporaryPassword: string }).temporaryPassword;
      const signedIn = await signIn(t, user.user.email, temporary);
      expect(signedIn.user.mustChangePassword).toBe(true);
      const res = await t.http
        .post('/api/auth/password')
        .set('authorization', signedIn.bearer)
        .send({ currentPassword: temporary, newPassword: temporary })
        .expect(422);
      expect(res.body.code).toBe('AUTH_PASSWORD_POLICY');
      const me = await t.http.get('/api/auth/me').set('authorization', signedIn.bearer).expect(200);
      expect(me.body.mustChangePassword).toBe(true);
      const blocked = await t.http.get('/api/incidents').set('authorization', signedIn.bearer).expect(403);
      expect(blocked.body.code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
      await signIn(t, user.user.email, temporary);
    });

    it('says what is wrong in one readable sentence per rule, without ".;"', async () => {
      const user = await givenUser(t, 'viewer');
      const res = await t.http
        .post('/api/auth/password')
        .set('authorization', user.bearer)
        .send({ currentPassword: STRONG_PASSWORD, newPassword: 'password123' })
        .expect(422);
      expect(res.body.violations).toHaveLength(2);
      expect(res.body.detail).toBe((res.body.violations as string[]).join(' '));
      expect(res.body.detail).not.toContain('.;');
    });
  });

  describe('POST /api/auth/password lock-out', () => {
    let locking: TestApp;
    beforeAll(async () => {
      locking = await startTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '30' } });
    });
    afterAll(() => locking.close());

    const change = (bearer: string, currentPassword: string) =>
      locking.http
        .post('/api/auth/password')
        .set('authorization', bearer)
        .send({ currentPassword, newPassword: 'Quiet harbour kettle 58' });

    it('locks after repeated wrong current passwords, refuses even the right one, audits it, and lets it in once the lock ends', async () => {
      const user = await givenUser(locking, 'viewer');
      for (let i = 0; i < 3; i++) {
        const wrong = await change(user.bearer, `wrong password ${i}x`).expect(403);
        expect(wrong.body.code).toBe('AUTH_CURRENT_PASSWORD_INCORRECT');
      }
      const locked = await change(user.bearer, STRONG_PASSWORD).expect(429);
      expect(locked.body.code).toBe('AUTH_ACCOUNT_LOCKED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(25);
      expect(locked.body.retryAfterSeconds).toBe(Number(locked.headers['retry-after']));
      // The same account's sign-in is locked too: a guess is a guess, whichever door it tries.
      await locking.http
        .post('/api/auth/login')
        .send({ email: user.user.email, password: STRONG_PASSWORD })
        .expect(429);
      const audit: { action: string; details: { reason: string } }[] = await locking.dataSource.query(
        `SELECT action, details FROM audit_events WHERE actor_label = $1 AND action IN ('auth.login.failed', 'auth.login.locked') ORDER BY id`,
        [user.user.email],
      );
      expect(audit.map((a) => [a.action, a.details.reason])).toEqual([
        ['auth.login.failed', 'wrong_current_password'],
        ['auth.login.failed', 'wrong_current_password'],
        ['auth.login.failed', 'wrong_current_password'],
        ['auth.login.locked', 'wrong_current_password'],
        ['auth.login.failed', 'locked'], // the password change
        ['auth.login.failed', 'locked'], // the sign-in
      ]);

      await locking.dataSource.query(
        `UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE email = $1`,
        [user.user.email],
      );
      await change(user.bearer, STRONG_PASSWORD).expect(204);
      await signIn(locking, user.user.email, 'Quiet harbour kettle 58');
    });
  });

  describe('PATCH /api/auth/me', () => {
    it('renames the caller and audits it', async () => {
      const user = await givenUser(t, 'viewer');
      const res = await t.http
        .patch('/api/auth/me')
        .set('authorization', user.bearer)
        .send({ name: '  Ada L.  ' })
        .expect(200);
      expect(res.body.name).toBe('Ada L.');
      const rows: { before: { name: string }; after: { name: string } }[] = await t.dataSource.query(
        `SELECT before, after FROM audit_events WHERE action = 'user.updated' AND target_id = $1`,
        [user.user.id],
      );
      expect(rows).toEqual([
        {
          before: expect.objectContaining({ name: 'Test viewer' }),
          after: expect.objectContaining({ name: 'Ada L.' }),
        },
      ]);
    });
  });
});

describe('POST /api/auth/refresh with REFRESH_REUSE_GRACE_SECONDS=0', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } })));
  afterAll(() => t.close());

  it('lets exactly one of two concurrent refreshes win and ends the session for the other', async () => {
    const user = await givenUser(t, 'viewer');
    const results = await Promise.all(
      [0, 1].map(() => t.http.post('/api/auth/refresh').send({ refreshToken: user.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(results.find((r) => r.status === 401)?.body.code).toBe('AUTH_REFRESH_REUSED');
    expect(await sessionsOf(t, user.user.id)).toEqual([{ revoked_at: expect.any(Date) }]);
  });
});
