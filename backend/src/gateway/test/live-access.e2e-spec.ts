import { SYSTEM_CONTEXT } from '../../audit/audit-log.service';
import { givenUser, signIn, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { UsersService } from '../../users/users.service';
import { accessTokenFor, expectStillFed, LiveTestClient, sessionIdOf } from './live-test-client';

/** The product's promise: access ends within a second of the change that ends it. */
const WITHIN_A_SECOND = 1000;

describe('/live: a socket holds no more access than its session', () => {
  let t: TestApp;
  let admin: SignedIn;
  const open: LiveTestClient[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  async function live(token: string): Promise<LiveTestClient> {
    const client = await LiveTestClient.open(t, token);
    open.push(client);
    return client;
  }

  /**
   * Runs the change, then expects the socket to be told why and disconnected within a second of
   * it (measured from the start of the request, so the request's own time counts against it).
   */
  async function expectEndedBy(client: LiveTestClient, change: () => Promise<unknown>, code: string) {
    expect(client.ended).toBeUndefined();
    const changeStartedAt = Date.now();
    await change();
    const ended = await client.whenEnded();
    expect(ended.problem).toEqual({ code, detail: expect.any(String) as unknown });
    expect(ended.at - changeStartedAt).toBeLessThan(WITHIN_A_SECOND);
    expect(client.disconnected?.reason).toBe('io server disconnect');
    expect(client.disconnected!.at).toBeGreaterThanOrEqual(ended.at);
  }

  it('ends the socket of a session that logs out', async () => {
    const viewer = await givenUser(t, 'viewer');
    const socket = await live(viewer.accessToken);
    await expectEndedBy(
      socket,
      () => t.http.post('/api/auth/logout').send({ refreshToken: viewer.refreshToken }).expect(204),
      'AUTH_TOKEN_INVALID',
    );
  });

  it('ends only the socket of the session revoked with DELETE /api/auth/sessions/:id', async () => {
    const here = await givenUser(t, 'viewer');
    const there = await signIn(t, here.user.email, here.password);
    const kept = await live(here.accessToken);
    const revoked = await live(there.accessToken);
    await expectEndedBy(
      revoked,
      () =>
        t.http
          .delete(`/api/auth/sessions/${sessionIdOf(there.accessToken)}`)
          .set('authorization', here.bearer)
          .expect(204),
      'AUTH_TOKEN_INVALID',
    );
    await expectStillFed(t, admin, kept);
  });

  it('ends the socket of a session whose refresh token is reused', async () => {
    const responder = await givenUser(t, 'responder');
    const socket = await live(responder.accessToken);
    await t.http.post('/api/auth/refresh').send({ refreshToken: responder.refreshToken }).expect(200);
    // Consumed long ago, so no grace window for a second tab can apply: this is a stolen copy.
    await t.dataSource.query(
      `UPDATE refresh_tokens SET consumed_at = now() - interval '1 hour' WHERE id = $1`,
      [responder.refreshToken.split('.')[0]],
    );
    await expectEndedBy(
      socket,
      async () => {
        const res = await t.http.post('/api/auth/refresh').send({ refreshToken: responder.refreshToken });
        expect(res.body).toMatchObject({ code: 'AUTH_REFRESH_REUSED' });
      },
      'AUTH_TOKEN_INVALID',
    );
  });

  it("ends the other sessions' sockets when the password changes, and keeps the changing session's", async () => {
    const here = await givenUser(t, 'responder');
    const elsewhere = await signIn(t, here.user.email, here.password);
    const kept = await live(here.accessToken);
    const other = await live(elsewhere.accessToken);
    await expectEndedBy(
      other,
      () =>
        t.http
          .post('/api/auth/password')
          .set('authorization', here.bearer)
          .send({ currentPassword: here.password, newPassword: 'Another quarry beacon 58' })
          .expect(204),
      'AUTH_TOKEN_INVALID',
    );
    await expectStillFed(t, admin, kept);
  });

  it('ends the socket of a user an admin disables', async () => {
    const viewer = await givenUser(t, 'viewer');
    const socket = await live(viewer.accessToken);
    await expectEndedBy(
      socket,
      () =>
        t.http.post(`/api/users/${viewer.user.id}/disable`).set('authorization', admin.bearer).expect(200),
      'AUTH_USER_DISABLED',
    );
  });

  it('ends the socket of a user an admin deletes', async () => {
    const viewer = await givenUser(t, 'viewer');
    const socket = await live(viewer.accessToken);
    await expectEndedBy(
      socket,
      () => t.http.delete(`/api/users/${viewer.user.id}`).set('authorization', admin.bearer).expect(204),
      'AUTH_TOKEN_INVALID',
    );
  });

  it('ends the socket of a user whose password an admin resets, and refuses the temporary password', async () => {
    const viewer = await givenUser(t, 'viewer');
    const socket = await live(viewer.accessToken);
    let temporaryPassword = '';
    await expectEndedBy(
      socket,
      async () => {
        const res = await t.http
          .post(`/api/users/${viewer.user.id}/reset-password`)
          .set('authorization', admin.bearer)
          .expect(200);
        temporaryPassword = (res.body as { temporaryPassword: string }).temporaryPassword;
      },
      'AUTH_TOKEN_INVALID',
    );
    const again = await signIn(t, viewer.user.email, temporaryPassword);
    expect(await LiveTestClient.refusal(t, again.accessToken)).toMatchObject({
      code: 'AUTH_PASSWORD_CHANGE_REQUIRED',
    });
  });

  it('ends the socket whatever sets a temporary password, even SQL outside the app', async () => {
    const viewer = await givenUser(t, 'viewer');
    const socket = await live(viewer.accessToken);
    await expectEndedBy(
      socket,
      () =>
        t.dataSource.query(`UPDATE users SET must_change_password = true WHERE id = $1`, [viewer.user.id]),
      'AUTH_PASSWORD_CHANGE_REQUIRED',
    );
  });

  it('refuses the handshake of a user who must change a temporary password, as REST does', async () => {
    const created = await t.app
      .get(UsersService)
      .create({ email: 'temporary@test.nexecute', name: 'Temporary', role: 'viewer' }, SYSTEM_CONTEXT);
    const person = await signIn(t, created.user.email, created.temporaryPassword!);
    const rest = await t.http.get('/api/incidents').set('authorization', person.bearer).expect(403);
    expect(rest.body).toMatchObject({ code: 'AUTH_PASSWORD_CHANGE_REQUIRED' });
    expect(await LiveTestClient.refusal(t, person.accessToken)).toEqual({
      code: 'AUTH_PASSWORD_CHANGE_REQUIRED',
      detail: expect.any(String) as unknown,
    });

    await t.http
      .post('/api/auth/password')
      .set('authorization', person.bearer)
      .send({ currentPassword: person.password, newPassword: 'Chosen meadow compass 27' })
      .expect(204);
    const socket = await live(person.accessToken);
    expect(socket.welcome).toMatchObject({ role: 'viewer' });
  });

  it('ends a socket held by another instance of the app (the signal comes from the database)', async () => {
    const elsewhere = await startTestApp({ database: t.database });
    try {
      const viewer = await givenUser(t, 'viewer');
      const socket = await LiveTestClient.open(elsewhere, viewer.accessToken);
      open.push(socket);
      await expectEndedBy(
        socket,
        () =>
          t.http.post(`/api/users/${viewer.user.id}/disable`).set('authorization', admin.bearer).expect(200),
        'AUTH_USER_DISABLED',
      );
    } finally {
      await elsewhere.close();
    }
  });

  describe('token expiry', () => {
    async function shortLived(who: SignedIn, seconds: number): Promise<string> {
      const sessionId = sessionIdOf(who.accessToken);
      return accessTokenFor(t, { userId: who.user.id, sessionId, role: who.user.role }, seconds);
    }

    it('disconnects a socket whose token expires without a renewal, at the expiry', async () => {
      const viewer = await givenUser(t, 'viewer');
      const socket = await live(await shortLived(viewer, 2));
      const expiresAt = Date.parse(socket.welcome.expiresAt);
      const ended = await socket.whenEnded();
      expect(ended.problem).toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
      expect(ended.at).toBeGreaterThanOrEqual(expiresAt - 50); // clocks: the server's timer vs. ours
      expect(ended.at - expiresAt).toBeLessThan(WITHIN_A_SECOND);
    });

    it('keeps a socket renewed with a fresh token of the same user until that one expires', async () => {
      const viewer = await givenUser(t, 'viewer');
      const socket = await live(await shortLived(viewer, 3));
      const firstExpiry = Date.parse(socket.welcome.expiresAt);
      const ack = await socket.renew({ token: await shortLived(viewer, 6) });
      expect(ack).toEqual({ ok: true, expiresAt: expect.any(String) as unknown });
      const secondExpiry = Date.parse((ack as { expiresAt: string }).expiresAt);
      expect(secondExpiry).toBeGreaterThan(firstExpiry);

      await new Promise((r) => setTimeout(r, firstExpiry - Date.now() + 300));
      await expectStillFed(t, admin, socket);
      const ended = await socket.whenEnded();
      expect(ended.problem).toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
      expect(ended.at).toBeGreaterThanOrEqual(secondExpiry - 50);
    });

    it('refuses a renewal that is not a valid token of the same user, and keeps the current one', async () => {
      const viewer = await givenUser(t, 'viewer');
      const other = await givenUser(t, 'viewer');
      const revoked = await signIn(t, viewer.user.email, viewer.password);
      await t.http.post('/api/auth/logout').send({ refreshToken: revoked.refreshToken }).expect(204);
      const socket = await live(viewer.accessToken);

      expect(await socket.renew({ token: other.accessToken })).toEqual({
        ok: false,
        code: 'AUTH_TOKEN_INVALID',
        detail: expect.stringContaining('another user') as unknown,
      });
      expect(await socket.renew({ token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' })).toMatchObject({
        ok: false,
        code: 'AUTH_TOKEN_INVALID',
      });
      expect(await socket.renew({ token: await shortLived(viewer, -5) })).toMatchObject({
        ok: false,
        code: 'AUTH_TOKEN_EXPIRED',
      });
      expect(await socket.renew({ token: revoked.accessToken })).toMatchObject({
        ok: false,
        code: 'AUTH_TOKEN_INVALID',
      });
      expect(await socket.renew({})).toMatchObject({ ok: false, code: 'AUTH_UNAUTHENTICATED' });
      expect(await socket.renew('not an object')).toMatchObject({ ok: false, code: 'AUTH_UNAUTHENTICATED' });
      await expectStillFed(t, admin, socket);
    });

    it('adopts the session of the renewing token: ending the old session no longer ends the socket', async () => {
      const viewer = await givenUser(t, 'viewer');
      const later = await signIn(t, viewer.user.email, viewer.password);
      const socket = await live(viewer.accessToken);
      expect(await socket.renew({ token: later.accessToken })).toMatchObject({ ok: true });
      await t.http.post('/api/auth/logout').send({ refreshToken: viewer.refreshToken }).expect(204);
      await expectStillFed(t, admin, socket);
      await expectEndedBy(
        socket,
        () => t.http.post('/api/auth/logout').send({ refreshToken: later.refreshToken }).expect(204),
        'AUTH_TOKEN_INVALID',
      );
    });
  });
});
