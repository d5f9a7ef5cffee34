import pg from 'pg';
import { givenUser, signIn, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import type { TcpProxy } from '../../../test/support/tcp-proxy';
import { waitFor } from '../../../test/support/wait-for';
import { startTestAppBehindProxy, type ProxiedTestApp, type TestApp } from '../../../test/test-app';
import { withAdmin, type TestDatabase } from '../../../test/test-database';
import { ACCESS_LISTENER_APPLICATION_NAME } from '../../auth/access-change-listener';
import { accessTokenFor, expectStillFed, LiveTestClient, sessionIdOf } from './live-test-client';

describe('/live while the database is down', () => {
  let app: ProxiedTestApp;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: SignedIn;
  /** Straight to the database, around the proxy: changes it while the app cannot reach it. */
  let side: pg.Client;
  const open: LiveTestClient[] = [];

  beforeAll(async () => {
    app = await startTestAppBehindProxy();
    ({ t, proxy, database } = app);
    admin = await signInAsAdmin(t);
    side = new pg.Client({ connectionString: database.url });
    await side.connect();
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await allowConnections(true);
    await proxy.forward();
  });
  afterAll(async () => {
    await side.end();
    await app.close();
  });

  function allowConnections(allow: boolean): Promise<unknown> {
    return withAdmin((c) => c.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS ${String(allow)}`));
  }

  const logged = (text: string) => () => t.logs().some((l) => l.msg?.includes(text));

  async function twoSessions(): Promise<{
    viewer: SignedIn;
    other: SignedIn;
    kept: LiveTestClient;
    revoked: LiveTestClient;
  }> {
    const viewer = await givenUser(t, 'viewer');
    const other = await signIn(t, viewer.user.email, viewer.password);
    const kept = await LiveTestClient.open(t, viewer.accessToken);
    const revoked = await LiveTestClient.open(t, other.accessToken);
    open.push(kept, revoked);
    return { viewer, other, kept, revoked };
  }

  /** Revokes a session over the side connection, as any writer of the database could. */
  async function revokeSession(accessToken: string): Promise<void> {
    await side.query(`UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'test' WHERE id = $1`, [
      sessionIdOf(accessToken),
    ]);
  }

  it('keeps its sockets, refuses handshakes and renewals as unavailable (not as signed out), and applies what changed meanwhile once back', async () => {
    const { viewer, other, kept, revoked } = await twoSessions();
    await proxy.refuse();
    await waitFor(logged('Access-change listener lost its database connection'), 15_000, 'the lost listener');

    expect(await LiveTestClient.refusal(t, viewer.accessToken)).toEqual({
      code: 'DATABASE_UNAVAILABLE',
      detail: expect.any(String) as unknown,
    });
    // A bad token needs no database to be refused, and is refused as bad.
    expect(await LiveTestClient.refusal(t, 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl')).toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    });
    const who = {
      userId: viewer.user.id,
      sessionId: sessionIdOf(viewer.accessToken),
      role: 'viewer' as const,
    };
    expect(await kept.renew({ token: await accessTokenFor(t, who, 60) })).toMatchObject({
      ok: false,
      code: 'DATABASE_UNAVAILABLE',
    });

    // Nobody hears this signal: the listener is still trying to reconnect.
    await revokeSession(other.accessToken);
    await waitFor(logged('attempt 2 in'), 15_000, 'a failed reconnect');
    expect(kept.ended).toBeUndefined();
    expect(revoked.ended).toBeUndefined();
    expect(kept.socket.connected && revoked.socket.connected).toBe(true);

    // Back: the listener re-checks every socket, since it may have missed signals.
    await proxy.forward();
    const ended = await revoked.whenEnded();
    expect(ended.problem).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    await expectStillFed(t, admin, kept);
  });

  it('retries a re-check the database could not answer, and never ends a socket for that', async () => {
    const { other, kept, revoked } = await twoSessions();
    // The app's pool loses the database; its listener (and the side connection) stay.
    await allowConnections(false);
    const { rows } = await side.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> $1`,
      [ACCESS_LISTENER_APPLICATION_NAME],
    );
    expect(rows.length).toBeGreaterThan(0);

    await revokeSession(other.accessToken); // heard, but the check it calls for fails
    await waitFor(logged('Live access re-check failed'), 15_000, 'a failed re-check');
    expect(kept.ended).toBeUndefined();
    expect(revoked.ended).toBeUndefined();

    await allowConnections(true);
    const ended = await revoked.whenEnded();
    expect(ended.problem).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    await expectStillFed(t, admin, kept);
  });
});
