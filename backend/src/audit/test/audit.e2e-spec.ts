import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'supertest';
import { UnitOfWork } from '../../common/database/unit-of-work';
import { givenUser, signInAsAdmin, STRONG_PASSWORD, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { AuditAction } from '../audit-actions';
import { AuditLog, SYSTEM_CONTEXT, type AuditEntry } from '../audit-log.service';

const ENV = { LOGIN_RATE_LIMIT_PER_IP: '100000', LOGIN_RATE_LIMIT_PER_ACCOUNT: '100000' } as const;

interface EventView {
  id: string;
  occurredAt: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  outcome: string;
  target: { type: string; id: string; label: string | null } | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
}

function expectProblem(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

describe('/api/audit', () => {
  let t: TestApp;
  let admin: SignedIn;
  let audit: AuditLog;

  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
    admin = await signInAsAdmin(t);
    audit = t.app.get(AuditLog);
  });
  afterAll(() => t.close());

  const get = (query: Record<string, string | number> = {}) =>
    t.http.get('/api/audit').query(query).set('Authorization', admin.bearer);
  const items = (res: Response): EventView[] => res.body.items as EventView[];

  /** A person of our own making: events recorded as theirs can be filtered by actorId alone. */
  function actor() {
    const id = randomUUID();
    const label = `actor-${id.slice(0, 8)}@example.test`;
    const record = (action: AuditAction, extra: Partial<AuditEntry> = {}) =>
      audit.record({ action, context: SYSTEM_CONTEXT, actor: { type: 'user', id, label }, ...extra });
    return { id, label, record };
  }

  async function dbIds(where = 'true', params: unknown[] = []): Promise<string[]> {
    const rows = await t.dataSource.query<{ id: string }[]>(
      `SELECT e.id::text AS id FROM audit_events e WHERE ${where} ORDER BY e.id DESC`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /** Follows nextCursor to the end, checking each page is at most `limit` long. */
  async function walk(query: Record<string, string | number>, limit: number) {
    const ids: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const res = await get({ ...query, limit, ...(cursor === null ? {} : { cursor }) }).expect(200);
      pageSizes.push(items(res).length);
      ids.push(...items(res).map((e) => e.id));
      cursor = res.body.nextCursor as string | null;
      if (cursor === null) return { ids, pageSizes };
      expect(cursor).toBe(ids.at(-1));
    }
    throw new Error('paging never ended');
  }

  describe('GET /api/audit', () => {
    it('lists events newest first, as AuditEventViews', async () => {
      const a = actor();
      const target = randomUUID();
      await a.record('user.created', {
        target: { type: 'user', id: target, label: 'new@example.test' },
        after: { role: 'viewer' },
        details: { temporaryPassword: true },
      });
      await a.record('user.updated', { before: { role: 'viewer' }, after: { role: 'responder' } });
      await a.record('auth.logout', { outcome: 'failure' });

      const res = await get({ actorId: a.id }).expect(200);
      expect(items(res).map((e) => e.action)).toEqual(['auth.logout', 'user.updated', 'user.created']);
      expect(res.body.nextCursor).toBeNull();
      const ids = items(res).map((e) => BigInt(e.id));
      expect([...ids].sort((x, y) => (x > y ? -1 : 1))).toEqual(ids);
      expect(items(res).map((e) => e.id)).toEqual(await dbIds('actor_id = $1', [a.id]));
      expect(items(res)[2]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        actor: { type: 'user', id: a.id, label: a.label },
        action: 'user.created',
        outcome: 'success',
        target: { type: 'user', id: target, label: 'new@example.test' },
        ip: null,
        userAgent: null,
        requestId: null,
        before: null,
        after: { role: 'viewer' },
        details: { temporaryPassword: true },
      });
      expect(items(res)[0]).toMatchObject({ outcome: 'failure', target: null });
    });

    it('filters by exact action and by a prefix ending in "."', async () => {
      const a = actor();
      await a.record('auth.login.failed', { outcome: 'failure' });
      await a.record('auth.login.succeeded');
      await a.record('user.created');
      await a.record('auth.logout');
      const actions = async (action: string) =>
        items(await get({ actorId: a.id, action }).expect(200)).map((e) => e.action);

      expect(await actions('auth.login.failed')).toEqual(['auth.login.failed']);
      expect(await actions('auth.')).toEqual(['auth.logout', 'auth.login.succeeded', 'auth.login.failed']);
      expect(await actions('auth.login.')).toEqual(['auth.login.succeeded', 'auth.login.failed']);
      expect(await actions('user.')).toEqual(['user.created']);
      // Without the trailing dot it is an exact action, not a prefix.
      expect(await actions('auth.login')).toEqual([]);
      expect(await actions('user.create')).toEqual([]);

      // Unfiltered by actor the prefix still returns only auth events.
      const all = items(await get({ action: 'auth.', limit: 200 }).expect(200));
      expect(all.length).toBeGreaterThan(0);
      expect(all.every((e) => e.action.startsWith('auth.'))).toBe(true);
    });

    it('filters by actorId', async () => {
      const a = actor();
      const b = actor();
      await a.record('user.created');
      await b.record('user.created');
      await a.record('user.deleted');
      expect(items(await get({ actorId: a.id }).expect(200)).map((e) => e.actor.id)).toEqual([a.id, a.id]);
      expect(items(await get({ actorId: b.id }).expect(200)).map((e) => e.action)).toEqual(['user.created']);
      expect(items(await get({ actorId: randomUUID() }).expect(200))).toEqual([]);
    });

    it('filters by targetType and targetId', async () => {
      const a = actor();
      const id = randomUUID();
      await a.record('user.updated', { target: { type: 'user', id } });
      await a.record('integration.updated', { target: { type: 'integration', id } });
      await a.record('user.updated', { target: { type: 'user', id: randomUUID() } });

      const typed = items(await get({ targetType: 'user', targetId: id }).expect(200));
      expect(typed.map((e) => [e.action, e.target?.type, e.target?.id])).toEqual([
        ['user.updated', 'user', id],
      ]);
      const byId = items(await get({ targetId: id }).expect(200));
      expect(byId.map((e) => e.target?.type)).toEqual(['integration', 'user']);
      const byType = items(await get({ targetType: 'integration', actorId: a.id }).expect(200));
      expect(byType.map((e) => e.action)).toEqual(['integration.updated']);
    });

    it('filters by outcome', async () => {
      const a = actor();
      await a.record('auth.login.failed', { outcome: 'failure' });
      await a.record('auth.login.succeeded', { outcome: 'success' });
      await a.record('auth.refresh.reused', { outcome: 'failure' });
      const failures = items(await get({ actorId: a.id, outcome: 'failure' }).expect(200));
      expect(failures.map((e) => e.action)).toEqual(['auth.refresh.reused', 'auth.login.failed']);
      const successes = items(await get({ actorId: a.id, outcome: 'success' }).expect(200));
      expect(successes.map((e) => e.action)).toEqual(['auth.login.succeeded']);
    });

    it('filters by time: from is inclusive, to is exclusive', async () => {
      const a = actor();
      for (const action of ['user.created', 'user.updated', 'user.deleted'] as const) {
        await a.record(action);
        await sleep(15);
      }
      const [e3, e2, e1] = items(await get({ actorId: a.id }).expect(200));
      if (!e1 || !e2 || !e3) throw new Error('expected three events');
      const actions = async (query: Record<string, string>) =>
        items(await get({ actorId: a.id, ...query }).expect(200)).map((e) => e.action);

      expect(await actions({ from: e2.occurredAt })).toEqual(['user.deleted', 'user.updated']);
      expect(await actions({ to: e2.occurredAt })).toEqual(['user.created']);
      expect(await actions({ from: e2.occurredAt, to: e3.occurredAt })).toEqual(['user.updated']);
      // Any ISO 8601 offset is understood.
      const offset = new Date(Date.parse(e2.occurredAt)).toISOString().replace('Z', '+00:00');
      expect(await actions({ from: offset, to: e3.occurredAt })).toEqual(['user.updated']);
      expect(await actions({ from: e3.occurredAt, to: e1.occurredAt })).toEqual([]);
    });

    it('pages through 150 events with limit=50: each exactly once, in order, nextCursor null at the end', async () => {
      const a = actor();
      for (let i = 0; i < 150; i++) {
        await a.record(i % 2 ? 'auth.login.failed' : 'auth.login.succeeded', { details: { i } });
      }
      const { ids, pageSizes } = await walk({ actorId: a.id }, 50);
      expect(pageSizes).toEqual([50, 50, 50]);
      expect(new Set(ids).size).toBe(150);
      expect(ids).toEqual(await dbIds('actor_id = $1', [a.id]));

      // With a filter on top, and a page size that does not divide the total.
      const failed = await walk({ actorId: a.id, action: 'auth.login.failed' }, 50);
      expect(failed.pageSizes).toEqual([50, 25]);
      expect(failed.ids).toEqual(await dbIds(`actor_id = $1 AND action = 'auth.login.failed'`, [a.id]));
    });

    it('pages through the whole log, every event exactly once and newest first', async () => {
      const a = actor();
      for (let i = 0; i < 120; i++) await a.record('user.updated', { details: { i } });
      const expected = await dbIds();
      expect(expected.length).toBeGreaterThanOrEqual(120);
      const { ids, pageSizes } = await walk({}, 50);
      expect(ids).toEqual(expected);
      expect(pageSizes.slice(0, -1).every((n) => n === 50)).toBe(true);

      // Without limit, pages are 50 long.
      const first = await get().expect(200);
      expect(items(first)).toHaveLength(50);
      expect(first.body.nextCursor).toBe(expected[49]);
    });

    it.each(['abc', '0', '-5', '1.5', ' 12', '99999999999999999999', '9223372036854775808'])(
      'answers 400 AUDIT_CURSOR_INVALID for cursor %j',
      async (cursor) => {
        expectProblem(await get({ cursor }), 400, 'AUDIT_CURSOR_INVALID');
      },
    );

    it('accepts the largest possible cursor', async () => {
      const res = await get({ cursor: '9223372036854775807', limit: 1 }).expect(200);
      expect(items(res)).toHaveLength(1);
    });

    it.each([
      [{ action: 'Auth.Login' }, 'action'],
      [{ action: 'auth..' }, 'action'],
      [{ action: '%' }, 'action'],
      [{ actorId: 'not-a-uuid' }, 'actorId'],
      [{ outcome: 'maybe' }, 'outcome'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-45T00:00:00Z' }, 'to'],
      [{ from: '-271821-04-20' }, 'from'],
      [{ from: '99999-01-01' }, 'from'],
      [{ to: 'hello 5' }, 'to'],
      [{ to: '2026-02-29' }, 'to'],
      [{ limit: '1e1' }, 'limit'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 201 }, 'limit'],
      [{ limit: 'all' }, 'limit'],
      [{ targetType: 'x'.repeat(65) }, 'targetType'],
      [{ sort: 'asc' }, 'sort'],
    ])('answers 400 VALIDATION_FAILED for %j', async (query, field) => {
      const res = await get(query);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('GET /api/audit/actions', () => {
    it('lists every action the product records', async () => {
      const res = await t.http.get('/api/audit/actions').set('Authorization', admin.bearer).expect(200);
      expect(res.body).toEqual({
        items: [
          'auth.login.succeeded',
          'auth.login.failed',
          'auth.login.locked',
          'auth.refresh.reused',
          'auth.logout',
          'auth.password.changed',
          'auth.session.revoked',
          'auth.sso.succeeded',
          'auth.sso.failed',
          'user.bootstrapped',
          'user.created',
          'user.updated',
          'user.disabled',
          'user.enabled',
          'user.password_reset',
          'user.deleted',
          'api_key.created',
          'api_key.revoked',
          'integration.updated',
          'delivery.replayed',
          'event_source.created',
          'event_source.updated',
          'event_source.key_rotated',
          'event_source.secret_rotated',
          'event_source.deleted',
          'inbox.replayed',
        ],
      });
      // Every action found in the log is one of them.
      const seen = await t.dataSource.query<{ action: string }[]>('SELECT DISTINCT action FROM audit_events');
      for (const { action } of seen) expect(res.body.items).toContain(action);
    });
  });

  describe('sign-in events', () => {
    it('records a failed and a successful login with ip, user agent and the response request id', async () => {
      const u = await givenUser(t, 'viewer');
      const userAgent = `audit-spec/${randomUUID()}`;

      const failed = await t.http
        .post('/api/auth/login')
        .set('User-Agent', userAgent)
        .send({ email: u.user.email, password: 'not the password at all' })
        .expect(401);
      const failedId = failed.headers['x-request-id'] as string;
      expect(failedId).toBeTruthy();
      const failedRows = await t.dataSource.query<Record<string, unknown>[]>(
        'SELECT * FROM audit_events WHERE request_id = $1',
        [failedId],
      );
      expect(failedRows).toEqual([
        expect.objectContaining({
          action: 'auth.login.failed',
          outcome: 'failure',
          actor_type: 'anonymous',
          actor_id: null,
          actor_label: u.user.email,
          ip: '127.0.0.1',
          user_agent: userAgent,
          request_id: failedId,
          details: { reason: 'bad_credentials', failures: 1 },
        }),
      ]);
      expect(JSON.stringify(failedRows)).not.toContain('not the password at all');

      const ok = await t.http
        .post('/api/auth/login')
        .set('User-Agent', userAgent)
        .set('X-Request-Id', `audit-spec-${randomUUID()}`)
        .send({ email: u.user.email, password: STRONG_PASSWORD })
        .expect(200);
      const okId = ok.headers['x-request-id'] as string;
      expect(okId).toMatch(/^audit-spec-/);
      const [session] = await t.dataSource.query<{ id: string }[]>(
        'SELECT id FROM auth_sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
        [u.user.id],
      );

      const viaApi = items(await get({ actorId: u.user.id, action: 'auth.login.succeeded' }).expect(200));
      expect(viaApi[0]).toMatchObject({
        action: 'auth.login.succeeded',
        outcome: 'success',
        actor: { type: 'user', id: u.user.id, label: u.user.email },
        target: { type: 'session', id: session?.id, label: 'password' },
        ip: '127.0.0.1',
        userAgent,
        requestId: okId,
      });
      const failedViaApi = items(await get({ action: 'auth.login.failed', outcome: 'failure' }).expect(200));
      expect(failedViaApi.find((e) => e.requestId === failedId)).toMatchObject({
        actor: { type: 'anonymous', id: null, label: u.user.email },
        ip: '127.0.0.1',
        userAgent,
      });
    });
  });

  describe('the audit_events table', () => {
    const snapshot = () => t.dataSource.query<unknown[]>('SELECT * FROM audit_events ORDER BY id');

    it.each([
      ['UPDATE', `UPDATE audit_events SET action = 'tampered' WHERE id = $1`],
      ['UPDATE', `UPDATE audit_events SET outcome = 'success'`],
      ['DELETE', 'DELETE FROM audit_events WHERE id = $1'],
      ['DELETE', 'DELETE FROM audit_events'],
      ['TRUNCATE', 'TRUNCATE audit_events'],
    ])('is append-only: %s is refused and rows stay as they were (%s)', async (op, sql) => {
      const a = actor();
      await a.record('user.updated', { outcome: 'failure' });
      const [id] = await dbIds('actor_id = $1', [a.id]);
      const before = await snapshot();
      const params = sql.includes('$1') ? [id] : [];
      await expect(t.dataSource.query(sql, params)).rejects.toThrow(
        new RegExp(`append-only.*${op}|${op}.*append-only`),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('loses an audit row written inside a transaction that rolls back', async () => {
      const target = randomUUID();
      const rowsFor = () => dbIds('target_id = $1', [target]);
      const entry: AuditEntry = {
        action: 'user.updated',
        context: SYSTEM_CONTEXT,
        target: { type: 'user', id: target, label: 'rolled-back@example.test' },
      };

      await expect(
        t.dataSource.transaction(async (m) => {
          await audit.record(entry, m);
          const inside = await m.query<unknown[]>('SELECT id FROM audit_events WHERE target_id = $1', [
            target,
          ]);
          expect(inside).toHaveLength(1);
          expect(await rowsFor()).toEqual([]); // not visible outside before commit
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await rowsFor()).toEqual([]);

      await expect(
        t.app.get(UnitOfWork).run(async (m) => {
          await audit.record(entry, m);
          throw new Error('roll back again');
        }),
      ).rejects.toThrow('roll back again');
      expect(await rowsFor()).toEqual([]);
      expect(items(await get({ targetType: 'user', targetId: target }).expect(200))).toEqual([]);

      // The same write committed stays.
      await t.app.get(UnitOfWork).run((m) => audit.record(entry, m));
      expect(await rowsFor()).toHaveLength(1);
    });
  });

  describe('access', () => {
    it.each(['responder', 'viewer'] as const)('a %s gets 403 AUTH_FORBIDDEN', async (role) => {
      const u = await givenUser(t, role);
      for (const path of ['/api/audit', '/api/audit/actions']) {
        expectProblem(await t.http.get(path).set('Authorization', u.bearer), 403, 'AUTH_FORBIDDEN');
      }
    });

    it('without a token answers 401 AUTH_UNAUTHENTICATED', async () => {
      for (const path of ['/api/audit', '/api/audit/actions']) {
        expectProblem(await t.http.get(path), 401, 'AUTH_UNAUTHENTICATED');
      }
    });

    it('an API key needs the audit:read scope', async () => {
      const createKey = async (scopes: string[]) => {
        const res = await t.http
          .post('/api/api-keys')
          .set('Authorization', admin.bearer)
          .send({ name: `audit-spec ${scopes.join(',')}`, scopes })
          .expect(201);
        return res.body.key as string;
      };
      const reader = await createKey(['audit:read']);
      const other = await createKey(['incidents:read']);
      await t.http.get('/api/audit').set('X-Api-Key', reader).expect(200);
      await t.http.get('/api/audit/actions').set('Authorization', `Bearer ${reader}`).expect(200);
      expectProblem(await t.http.get('/api/audit').set('X-Api-Key', other), 403, 'AUTH_SCOPE_MISSING');
    });
  });
});
