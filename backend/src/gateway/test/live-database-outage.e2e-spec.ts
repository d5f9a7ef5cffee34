import pg from 'pg';
import { givenUser, signIn, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { withAdmin } from '../../../test/test-database';
import { ACCESS_LISTENER_APPLICATION_NAME } from '../access-change-listener';
import { accessTokenFor, expectStillFed, LiveTestClient, sessionIdOf } from './live-test-client';

/** Polls `condition` until it holds; for states only the database or the log can tell. */
async function eventually(
  condition: () => Promise<boolean> | boolean,
  what: string,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/live while the database is down', () => {
  let t: TestApp;
  let admin: SignedIn;
  /** Opened before the outage: the only way to change the database while it refuses connections. */
  let side: pg.Client;
  const open: LiveTestClient[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
    side = new pg.Client({ connectionString: t.database.url });
    await side.connect();
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await allowConnections(true);
  });
  afterAll(async () => {
    await side.end();
    await t.close();
  });

  function allowConnections(allow: boolean): Promise<unknown> {
    return withAdmin((c) =>
      c.query(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS ${String(allow)}`),
    );
  }

  /** Ends the app's connections to its database (all but the listener's, unless `listener`). */
  async function dropAppConnections(which: 'pool' | 'listener'): Promise<void> {
    const { rows } = await side.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND (application_name = $1) = $2`,
      [ACCESS_LISTENER_APPLICATION_NAME, which === 'listener'],
    );
    expect(rows.length).toBeGreaterThan(0);
  }

  async function listenerConnected(): Promise<boolean> {
    const { rows } = await side.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [ACCESS_LISTENER_APPLICATION_NAME],
    );
    return rows.length > 0;
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

  it('keeps its sockets, refuses new ones as unavailable (not as signed out), and applies a revocation once it can check', async () => {
    const { viewer, other, kept, revoked } = await twoSessions();
    await allowConnections(false);
    await dropAppConnections('pool');

    expect(await LiveTestClient.refusal(t, viewer.accessToken)).toEqual({
      code: 'SERVICE_UNAVAILABLE',
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
      code: 'SERVICE_UNAVAILABLE',
    });

    // The signal arrives, but the check it calls for cannot run: nobody is disconnected for that.
    await revokeSession(other.accessToken);
    await eventually(logged('Live access re-check failed'), 'a failed re-check');
    expect(kept.ended).toBeUndefined();
    expect(revoked.ended).toBeUndefined();
    expect(kept.socket.connected && revoked.socket.connected).toBe(true);

    await allowConnections(true);
    const ended = await revoked.whenEnded();
    expect(ended.problem).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    await expectStillFed(t, admin, kept);
  });

  it('re-checks every socket after its listener reconnects, since signals sent meanwhile are lost', async () => {
    const { other, kept, revoked } = await twoSessions();
    await allowConnections(false);
    await dropAppConnections('listener');
    await eventually(logged('Access-change listener lost its database connection'), 'the lost listener');

    await revokeSession(other.accessToken); // notifies nobody
    await eventually(logged('attempt 2 in'), 'a failed reconnect');
    expect(revoked.ended).toBeUndefined();

    await allowConnections(true);
    await eventually(listenerConnected, 'the listener to reconnect');
    const ended = await revoked.whenEnded();
    expect(ended.problem).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    await expectStillFed(t, admin, kept);
  });
});
