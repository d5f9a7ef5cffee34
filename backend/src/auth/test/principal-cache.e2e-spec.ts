import type { Pool } from 'pg';
import { givenUser, signIn, signInAsAdmin, STRONG_PASSWORD, type SignedIn } from '../../../test/sign-in';
import { waitFor } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { withAdmin } from '../../../test/test-database';
import { SYSTEM_CONTEXT } from '../../audit/audit-log.service';
import { UsersService } from '../../users/users.service';
import { AccessChangeListener, ACCESS_LISTENER_APPLICATION_NAME } from '../access-change-listener';
import { AuthService } from '../auth.service';

/**
 * The REST principal cache (docs/auth.md, "Who is asking, per request"): two app instances on
 * one database, as behind a load balancer. Instance `a` is where changes are made; `b` learns of
 * them only through the database's signal. Database reads are counted where they happen, as
 * connection checkouts from each app's real pg pool (the guard's two reads are two checkouts).
 */

/** How long the other instance may take to see a change (the NOTIFY's trip, on a busy machine). */
const OTHER_INSTANCE_MS = 1_000;
/** A route that needs a principal and nothing else from the database. */
const ANY_ROLE_ROUTE = '/api/incidents/metadata';
const ADMIN_ROUTE = '/api/users';
/** What a disabled user's token gets (a 403 with its own code, not a 401: see auth.errors.ts). */
const DISABLED = '403 AUTH_USER_DISABLED';

function poolOf(t: TestApp): Pool {
  return (t.dataSource.driver as unknown as { master: Pool }).master;
}

/** Pool checkouts while `work` runs: every query the app sends, whoever sends it. */
async function checkoutsDuring(t: TestApp, work: () => Promise<void>): Promise<number> {
  let count = 0;
  const onAcquire = (): void => void (count += 1);
  poolOf(t).on('acquire', onAcquire);
  try {
    await work();
  } finally {
    poolOf(t).off('acquire', onAcquire);
  }
  return count;
}

async function statusOf(t: TestApp, who: SignedIn, path = ANY_ROLE_ROUTE): Promise<number> {
  return (await t.http.get(path).set('authorization', who.bearer)).status;
}

/** Status and problem code, e.g. `403 AUTH_USER_DISABLED`. */
async function answerOf(t: TestApp, who: SignedIn): Promise<string> {
  const res = await t.http.get(ANY_ROLE_ROUTE).set('authorization', who.bearer);
  return `${res.status} ${(res.body as { code?: string }).code ?? ''}`.trim();
}

async function repeat(times: number, request: () => Promise<number>, expected: number): Promise<void> {
  for (let i = 0; i < times; i++) expect(await request()).toBe(expected);
}

/** Resolves once `who` gets `status` on `t`; returns how long that took. */
async function until(t: TestApp, who: SignedIn, status: number, path = ANY_ROLE_ROUTE): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await statusOf(t, who, path)) === status, 10_000, `HTTP ${status} for ${path}`);
  return Date.now() - started;
}

/** Resolves once `who` is refused as a disabled user on `t`; returns how long that took. */
async function untilDisabled(t: TestApp, who: SignedIn): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await answerOf(t, who)) === DISABLED, 10_000, DISABLED);
  return Date.now() - started;
}

function listening(t: TestApp): boolean {
  return t.app.get(AccessChangeListener).listening;
}

describe('REST principal cache, two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    a = await startTestApp({ keepDatabase: true });
    b = await startTestApp({ database: a.database });
    await waitFor(() => listening(a) && listening(b), 15_000, 'both access-change listeners listening');
    admin = await signInAsAdmin(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await a?.database.drop();
  });

  /** `who` has been seen (and cached) on both instances. */
  async function seenOnBoth(who: SignedIn, path = ANY_ROLE_ROUTE): Promise<void> {
    for (const t of [a, b]) await repeat(2, () => statusOf(t, who, path), 200);
  }

  it('answers repeat requests of a session without reading its user and session again', async () => {
    const viewer = await givenUser(a, 'viewer');
    expect(await statusOf(a, viewer)).toBe(200); // the one read that fills the cache
    const cached = await checkoutsDuring(a, () => repeat(20, () => statusOf(a, viewer), 200));
    // Not exactly 0: the app's own background work (health checks) uses the pool too.
    expect(cached).toBeLessThanOrEqual(4);

    // The same requests with the cache off on this instance read twice each, as before it.
    const uncached = await startTestApp({
      database: a.database,
      env: { AUTH_PRINCIPAL_CACHE_TTL_MS: '0' },
    });
    try {
      expect(await statusOf(uncached, viewer)).toBe(200);
      const reads = await checkoutsDuring(uncached, () => repeat(20, () => statusOf(uncached, viewer), 200));
      expect(reads).toBeGreaterThanOrEqual(40);
    } finally {
      await uncached.close();
    }
  });

  it('refuses a signed-out session on the very next request here, and within a second on the other instance', async () => {
    const viewer = await givenUser(a, 'viewer');
    await seenOnBoth(viewer);
    await a.http.post('/api/auth/logout').send({ refreshToken: viewer.refreshToken }).expect(204);
    expect(await statusOf(a, viewer)).toBe(401);
    expect(await until(b, viewer, 401)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
  });

  it('refuses a session its user revoked from another session, here at once and there within a second', async () => {
    const first = await givenUser(a, 'responder');
    const second = await signIn(a, first.user.email, STRONG_PASSWORD);
    await seenOnBoth(second);
    const sessions = await a.http.get('/api/auth/sessions').set('authorization', first.bearer).expect(200);
    const other = (sessions.body as { items: { id: string; current: boolean }[] }).items.find(
      (s) => !s.current,
    );
    await a.http.delete(`/api/auth/sessions/${other?.id}`).set('authorization', first.bearer).expect(204);
    expect(await statusOf(a, second)).toBe(401);
    expect(await until(b, second, 401)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
    expect(await statusOf(a, first)).toBe(200); // the user's other session is untouched
  });

  it('refuses a disabled user (403 AUTH_USER_DISABLED) at once here and within a second there', async () => {
    const viewer = await givenUser(a, 'viewer');
    await seenOnBoth(viewer);
    await a.http.post(`/api/users/${viewer.user.id}/disable`).set('authorization', admin.bearer).expect(200);
    expect(await answerOf(a, viewer)).toBe(DISABLED);
    expect(await untilDisabled(b, viewer)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
  });

  it("judges a demoted admin's next request by the new role (403 on an admin route), there within a second", async () => {
    const demoted = await givenUser(a, 'admin');
    await seenOnBoth(demoted, ADMIN_ROUTE);
    await a.http
      .patch(`/api/users/${demoted.user.id}`)
      .set('authorization', admin.bearer)
      .send({ role: 'viewer' })
      .expect(200);
    expect(await statusOf(a, demoted, ADMIN_ROUTE)).toBe(403);
    expect(await until(b, demoted, 403, ADMIN_ROUTE)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
    expect(await statusOf(b, demoted)).toBe(200); // still signed in, as a viewer
  });

  it('ends the sessions of a user given a temporary password, at once here and within a second there', async () => {
    const responder = await givenUser(a, 'responder');
    await seenOnBoth(responder);
    await a.http
      .post(`/api/users/${responder.user.id}/reset-password`)
      .set('authorization', admin.bearer)
      .expect(200);
    expect(await statusOf(a, responder)).toBe(401);
    expect(await until(b, responder, 401)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
  });

  it("clears this instance's entry when the change commits, before the database's signal can arrive", async () => {
    // Over HTTP the signal usually wins the race against the next request anyway; here the
    // principal is asked for in the same turn of the event loop as the change's commit came
    // back, before any notification could be read, so only the in-process call can have
    // cleared the entry.
    const auth = a.app.get(AuthService);
    const sessionOf = (who: SignedIn): string =>
      (
        JSON.parse(Buffer.from(who.accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
          sid: string;
        }
      ).sid;

    const disabled = await givenUser(a, 'viewer');
    await repeat(2, () => statusOf(a, disabled), 200);
    await a.app.get(UsersService).disable(disabled.user.id, SYSTEM_CONTEXT);
    await expect(auth.requestPrincipal(disabled.user.id, sessionOf(disabled))).rejects.toMatchObject({
      code: 'AUTH_USER_DISABLED',
    });

    const demoted = await givenUser(a, 'admin');
    await repeat(2, () => statusOf(a, demoted), 200);
    await a.app.get(UsersService).update(demoted.user.id, { role: 'responder' }, SYSTEM_CONTEXT);
    await expect(auth.requestPrincipal(demoted.user.id, sessionOf(demoted))).resolves.toMatchObject({
      role: 'responder',
    });

    const signedOut = await givenUser(a, 'viewer');
    await repeat(2, () => statusOf(a, signedOut), 200);
    await auth.logout({ refreshToken: signedOut.refreshToken }, SYSTEM_CONTEXT);
    await expect(auth.requestPrincipal(signedOut.user.id, sessionOf(signedOut))).rejects.toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
    });
  });

  it('sees a change made by SQL outside the app (no in-process call) within a second on both instances', async () => {
    const viewer = await givenUser(a, 'viewer');
    await seenOnBoth(viewer);
    await a.dataSource.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [viewer.user.id]);
    expect(await untilDisabled(a, viewer)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
    expect(await untilDisabled(b, viewer)).toBeLessThanOrEqual(OTHER_INSTANCE_MS);
  });

  it('reads the database on every request while the signal is not received, and caches again once it is', async () => {
    const kept = await givenUser(a, 'viewer');
    const revoked = await givenUser(a, 'viewer');
    await seenOnBoth(kept);
    await seenOnBoth(revoked);
    const database = a.database.name;
    // Keep the listeners out: no new connection to the database (the pools keep theirs), then
    // end the listening ones. A signal sent now reaches nobody.
    await withAdmin((c) => c.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`));
    try {
      await withAdmin((c) =>
        c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
          [database, ACCESS_LISTENER_APPLICATION_NAME],
        ),
      );
      await waitFor(() => !listening(a) && !listening(b), 5_000, 'both listeners lost their connection');

      for (const t of [a, b]) {
        const reads = await checkoutsDuring(t, () => repeat(10, () => statusOf(t, kept), 200));
        expect(reads).toBeGreaterThanOrEqual(20);
      }
      await a.dataSource.query(`UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1`, [
        revoked.user.id,
      ]);
      // No signal arrives, yet the very next request on either instance is refused.
      expect(await statusOf(a, revoked)).toBe(401);
      expect(await statusOf(b, revoked)).toBe(401);
    } finally {
      await withAdmin((c) => c.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`));
    }
    await waitFor(() => listening(a) && listening(b), 15_000, 'both listeners listening again');
    expect(await statusOf(a, kept)).toBe(200);
    const cached = await checkoutsDuring(a, () => repeat(10, () => statusOf(a, kept), 200));
    expect(cached).toBeLessThanOrEqual(4);
  });
});
