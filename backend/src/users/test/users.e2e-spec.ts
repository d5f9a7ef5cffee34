import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { givenUser, signIn, signInAsAdmin, STRONG_PASSWORD, type SignedIn } from '../../../test/sign-in';
import { startTestApp, TEST_ADMIN, type TestApp } from '../../../test/test-app';

// Every test signs people in; the login throttle (30 per IP per minute) would trip otherwise.
const ENV = { LOGIN_RATE_LIMIT_PER_IP: '100000', LOGIN_RATE_LIMIT_PER_ACCOUNT: '100000' } as const;
const NEW_PASSWORD = 'Velvet quarry harbour 58';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  password_hash: string | null;
  must_change_password: boolean;
  version: number;
}

interface AuditRow {
  id: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  ip: string | null;
  request_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
}

const tag = (): string => `q${randomUUID().slice(0, 8)}`;

async function dbUser(t: TestApp, id: string): Promise<UserRow | undefined> {
  const rows = await t.dataSource.query<UserRow[]>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0];
}

async function passwordHashOf(t: TestApp, id: string): Promise<string> {
  const row = await dbUser(t, id);
  if (!row?.password_hash) throw new Error(`user ${id} has no password hash`);
  return row.password_hash;
}

function auditRows(t: TestApp, targetId: string, action?: string): Promise<AuditRow[]> {
  return t.dataSource.query<AuditRow[]>(
    `SELECT * FROM audit_events WHERE target_type = 'user' AND target_id = $1
       AND ($2::text IS NULL OR action = $2) ORDER BY id`,
    [targetId, action ?? null],
  );
}

/** The one audit row `res` wrote for `action` on `targetId`, checked for actor, target and secrets. */
async function expectAudited(
  t: TestApp,
  res: Response,
  action: string,
  target: { id: string; email: string },
  actor: SignedIn,
  secrets: readonly string[] = [],
): Promise<AuditRow> {
  const rows = await auditRows(t, target.id, action);
  expect(rows).toHaveLength(1);
  const row = rows[0] as AuditRow;
  expect(row).toMatchObject({
    actor_type: 'user',
    actor_id: actor.user.id,
    actor_label: actor.user.email,
    action,
    outcome: 'success',
    target_type: 'user',
    target_id: target.id,
    target_label: target.email,
    ip: '127.0.0.1',
    request_id: res.headers['x-request-id'],
  });
  const text = JSON.stringify(row);
  expect(text).not.toMatch(/argon2|password_?hash/i);
  for (const secret of secrets) expect(text).not.toContain(secret);
  return row;
}

function expectProblem(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

describe('/api/users', () => {
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  const list = (query: Record<string, string | number>) =>
    t.http.get('/api/users').query(query).set('Authorization', admin.bearer);
  const emailsOf = (res: Response): string[] => (res.body.items as { email: string }[]).map((u) => u.email);

  describe('GET /api/users', () => {
    it('finds people by part of their name or email, in any case', async () => {
      const q = tag();
      const byName = await givenUser(t, 'viewer', {
        name: `Zed ${q}Name`,
        email: `zed-${randomUUID().slice(0, 8)}@example.test`,
      });
      const byEmail = await givenUser(t, 'responder', {
        name: 'Plain Person',
        email: `${q}mail@example.test`,
      });
      await givenUser(t, 'viewer', { name: 'Someone Else', email: `else-${q.slice(1)}x@nowhere.test` });

      const both = await list({ search: q.toUpperCase() }).expect(200);
      expect(emailsOf(both).sort()).toEqual([byName.user.email, byEmail.user.email].sort());
      expect(both.body.total).toBe(2);
      const [{ count }] = await t.dataSource.query<[{ count: string }]>(
        'SELECT count(*) FROM users WHERE name ILIKE $1 OR email::text ILIKE $1',
        [`%${q}%`],
      );
      expect(Number(count)).toBe(2);

      expect(emailsOf(await list({ search: `${q}nAME` }).expect(200))).toEqual([byName.user.email]);
      expect(emailsOf(await list({ search: ` ${q}MAIL@EXAMPLE ` }).expect(200))).toEqual([
        byEmail.user.email,
      ]);
    });

    it('treats % and _ in the search as literal characters', async () => {
      expect((await list({ search: '%' }).expect(200)).body).toMatchObject({ items: [], total: 0 });
      expect((await list({ search: '_' }).expect(200)).body).toMatchObject({ items: [], total: 0 });
    });

    it('returns UserViews without any password material', async () => {
      const q = tag();
      const u = await givenUser(t, 'viewer', { name: `View ${q}` });
      const res = await list({ search: q }).expect(200);
      expect(res.body.items).toEqual([
        {
          kind: 'user',
          id: u.user.id,
          email: u.user.email,
          name: `View ${q}`,
          role: 'viewer',
          status: 'active',
          mustChangePassword: false,
          lastLoginAt: expect.any(String),
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
          ssoProviders: [],
        },
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|hash/i);
    });

    it('filters by role and by status', async () => {
      const q = tag();
      const viewer = await givenUser(t, 'viewer', { name: `${q} viewer` });
      const responder = await givenUser(t, 'responder', { name: `${q} responder` });
      const disabled = await givenUser(t, 'responder', { name: `${q} disabled` });
      await t.http
        .post(`/api/users/${disabled.user.id}/disable`)
        .set('Authorization', admin.bearer)
        .expect(200);

      expect(emailsOf(await list({ search: q, role: 'viewer' }).expect(200))).toEqual([viewer.user.email]);
      expect(emailsOf(await list({ search: q, status: 'disabled' }).expect(200))).toEqual([
        disabled.user.email,
      ]);
      expect(emailsOf(await list({ search: q, role: 'responder', status: 'active' }).expect(200))).toEqual([
        responder.user.email,
      ]);
      expect((await list({ search: q, role: 'admin' }).expect(200)).body).toMatchObject({
        items: [],
        total: 0,
      });

      const admins = await list({ role: 'admin', pageSize: 200 }).expect(200);
      const dbAdmins = await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM users WHERE role = 'admin'`,
      );
      expect(admins.body.total).toBe(dbAdmins.length);
      expect((admins.body.items as { role: string }[]).every((u) => u.role === 'admin')).toBe(true);
    });

    it('sorts by name, email, role, createdAt and lastLoginAt, both ways (never-signed-in last)', async () => {
      const q = tag();
      const create = (name: string, email: string, role: string) =>
        t.http
          .post('/api/users')
          .set('Authorization', admin.bearer)
          .send({ name: `${q} ${name}`, email: `${email}-${q}@sort.test`, role, password: STRONG_PASSWORD })
          .expect(201);
      // Created in the order bravo, charlie, alpha; emails ordered bravo, charlie, alpha too but
      // by a different letter; roles admin (charlie) < responder (bravo) < viewer (alpha).
      await create('bravo', 'a', 'responder');
      await create('charlie', 'b', 'admin');
      await create('alpha', 'c', 'viewer');
      const email = (letter: string) => `${letter}-${q}@sort.test`;
      const [alpha, bravo, charlie] = [email('c'), email('a'), email('b')];
      await signIn(t, charlie, STRONG_PASSWORD);
      await signIn(t, alpha, STRONG_PASSWORD);

      const cases: [string, string[]][] = [
        ['name', [alpha, bravo, charlie]],
        ['email', [bravo, charlie, alpha]],
        ['role', [charlie, bravo, alpha]],
        ['createdAt', [bravo, charlie, alpha]],
      ];
      for (const [sort, ascending] of cases) {
        expect(emailsOf(await list({ search: q, sort, order: 'asc' }).expect(200))).toEqual(ascending);
        expect(emailsOf(await list({ search: q, sort, order: 'desc' }).expect(200))).toEqual(
          [...ascending].reverse(),
        );
      }
      expect(emailsOf(await list({ search: q, sort: 'lastLoginAt', order: 'asc' }).expect(200))).toEqual([
        charlie,
        alpha,
        bravo,
      ]);
      expect(emailsOf(await list({ search: q, sort: 'lastLoginAt', order: 'desc' }).expect(200))).toEqual([
        alpha,
        charlie,
        bravo,
      ]);
      // Defaults: name, ascending.
      expect(emailsOf(await list({ search: q }).expect(200))).toEqual([alpha, bravo, charlie]);
    });

    it('pages with page, pageSize and total', async () => {
      const q = tag();
      const emails: string[] = [];
      for (const n of [1, 2, 3, 4, 5]) {
        emails.push((await givenUser(t, 'viewer', { name: `${q} ${n}` })).user.email);
      }
      const pages = [];
      for (const page of [1, 2, 3, 4]) {
        const res = await list({ search: q, page, pageSize: 2 }).expect(200);
        expect(res.body).toMatchObject({ total: 5, page, pageSize: 2 });
        pages.push(emailsOf(res));
      }
      expect(pages).toEqual([emails.slice(0, 2), emails.slice(2, 4), emails.slice(4), []]);

      const defaults = await list({ search: q }).expect(200);
      expect(defaults.body).toMatchObject({ total: 5, page: 1, pageSize: 25 });
    });

    it.each([
      [{ pageSize: 0 }, 'pageSize'],
      [{ pageSize: 201 }, 'pageSize'],
      [{ pageSize: 'ten' }, 'pageSize'],
      [{ page: 0 }, 'page'],
      [{ page: '99999999999999999999' }, 'page'],
      [{ page: '100001' }, 'page'],
      [{ page: '0x10' }, 'page'],
      [{ pageSize: '1e1' }, 'pageSize'],
      [{ sort: 'passwordHash' }, 'sort'],
      [{ order: 'sideways' }, 'order'],
      [{ role: 'root' }, 'role'],
      [{ status: 'deleted' }, 'status'],
      [{ isAdmin: 'true' }, 'isAdmin'],
    ])('answers 400 VALIDATION_FAILED for %j', async (query, field) => {
      const res = await list(query).expect(400);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('GET /api/users/:id', () => {
    it('returns the user', async () => {
      const u = await givenUser(t, 'responder');
      const res = await t.http.get(`/api/users/${u.user.id}`).set('Authorization', admin.bearer).expect(200);
      expect(res.body).toMatchObject({ id: u.user.id, email: u.user.email, role: 'responder' });
    });

    it('answers 404 USER_NOT_FOUND for an unknown id and 400 for a non-UUID', async () => {
      const missing = await t.http.get(`/api/users/${randomUUID()}`).set('Authorization', admin.bearer);
      expectProblem(missing, 404, 'USER_NOT_FOUND');
      const bad = await t.http.get('/api/users/not-a-uuid').set('Authorization', admin.bearer);
      expect(bad.status).toBe(400);
    });
  });

  describe('POST /api/users', () => {
    it('creates a user with the password given, trimmed email kept as typed', async () => {
      const email = `Mixed.Case-${tag()}@Example.test`;
      const res = await t.http
        .post('/api/users')
        .set('Authorization', admin.bearer)
        .send({ email: `  ${email} `, name: ' Bob Okafor ', role: 'viewer', password: STRONG_PASSWORD })
        .expect(201);
      expect(res.body).toEqual({
        user: {
          kind: 'user',
          id: expect.any(String),
          email,
          name: 'Bob Okafor',
          role: 'viewer',
          status: 'active',
          mustChangePassword: false,
          lastLoginAt: null,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
          ssoProviders: [],
        },
      });
      const id = res.body.user.id as string;
      const row = await dbUser(t, id);
      expect(row).toMatchObject({ email, name: 'Bob Okafor', role: 'viewer', must_change_password: false });
      expect(row?.password_hash).toMatch(/^\$argon2id\$/);
      expect(row?.password_hash).not.toContain(STRONG_PASSWORD);

      const audit = await expectAudited(t, res, 'user.created', { id, email }, admin, [STRONG_PASSWORD]);
      expect(audit.before).toBeNull();
      expect(audit.after).toEqual({ email, name: 'Bob Okafor', role: 'viewer', status: 'active' });
      expect(audit.details).toEqual({ temporaryPassword: false });

      const signedIn = await signIn(t, email.toLowerCase(), STRONG_PASSWORD);
      expect(signedIn.user).toMatchObject({ id, mustChangePassword: false });
    });

    it('refuses a weak password with 422 AUTH_PASSWORD_POLICY and its violations, creating nothing', async () => {
      const email = `weak-${tag()}@example.test`;
      const res = await t.http
        .post('/api/users')
        .set('Authorization', admin.bearer)
        .send({ email, name: 'Weak Walter', role: 'viewer', password: 'password1' });
      expectProblem(res, 422, 'AUTH_PASSWORD_POLICY');
      expect(res.body.violations).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/at least 12 characters/),
          expect.stringMatching(/too common/),
        ]),
      );
      const rows = await t.dataSource.query<unknown[]>('SELECT id FROM users WHERE email = $1', [email]);
      expect(rows).toEqual([]);
      const audits = await t.dataSource.query<unknown[]>(
        'SELECT id FROM audit_events WHERE target_label = $1',
        [email],
      );
      expect(audits).toEqual([]);

      const withName = await t.http
        .post('/api/users')
        .set('Authorization', admin.bearer)
        .send({ email, name: 'Walter Weakling', role: 'viewer', password: 'walter is my whole name' });
      expectProblem(withName, 422, 'AUTH_PASSWORD_POLICY');
      expect(withName.body.violations).toEqual(['Password must not contain your name.']);
    });

    it('without a password returns a temporary one once and forces a change at first sign-in', async () => {
      const email = `temp-${tag()}@example.test`;
      const res = await t.http
        .post('/api/users')
        .set('Authorization', admin.bearer)
        .send({ email, name: 'Tina Temp', role: 'admin' })
        .expect(201);
      const temporaryPassword = res.body.temporaryPassword as string;
      expect(temporaryPassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3,}$/);
      expect(res.body.user).toMatchObject({ email, mustChangePassword: true });
      const id = res.body.user.id as string;
      expect(await dbUser(t, id)).toMatchObject({ must_change_password: true });
      const audit = await expectAudited(t, res, 'user.created', { id, email }, admin, [temporaryPassword]);
      expect(audit.details).toEqual({ temporaryPassword: true });

      // Shown once: reading the user back never repeats it.
      const again = await t.http.get(`/api/users/${id}`).set('Authorization', admin.bearer).expect(200);
      expect(JSON.stringify(again.body)).not.toContain(temporaryPassword);

      const temp = await signIn(t, email, temporaryPassword);
      expect(temp.user.mustChangePassword).toBe(true);
      const as = (req: ReturnType<typeof t.http.get>) => req.set('Authorization', temp.bearer);

      await as(t.http.get('/api/auth/me')).expect(200);
      for (const res403 of [
        await as(t.http.get('/api/users')),
        await as(t.http.get(`/api/users/${id}`)),
        await as(t.http.get('/api/auth/sessions')),
        await as(t.http.patch('/api/auth/me')).send({ name: 'Sneaky' }),
        await as(t.http.get('/api/audit')),
      ]) {
        expectProblem(res403, 403, 'AUTH_PASSWORD_CHANGE_REQUIRED');
      }
      expect(await dbUser(t, id)).toMatchObject({ name: 'Tina Temp' });

      const weak = await as(t.http.post('/api/auth/password')).send({
        currentPassword: temporaryPassword,
        newPassword: 'short',
      });
      expectProblem(weak, 422, 'AUTH_PASSWORD_POLICY');
      await as(t.http.post('/api/auth/password'))
        .send({ currentPassword: temporaryPassword, newPassword: NEW_PASSWORD })
        .expect(204);

      expect(await dbUser(t, id)).toMatchObject({ must_change_password: false });
      await as(t.http.get('/api/auth/sessions')).expect(200);
      await as(t.http.get('/api/users')).expect(200);
      const loginWithTemp = await t.http.post('/api/auth/login').send({ email, password: temporaryPassword });
      expectProblem(loginWithTemp, 401, 'AUTH_INVALID_CREDENTIALS');
      expect((await signIn(t, email, NEW_PASSWORD)).user.mustChangePassword).toBe(false);
    });

    it('answers 409 USER_EMAIL_TAKEN for an email that differs only in case', async () => {
      const email = `dup-${tag()}@example.test`;
      await givenUser(t, 'viewer', { email });
      const res = await t.http
        .post('/api/users')
        .set('Authorization', admin.bearer)
        .send({ email: email.toUpperCase(), name: 'Dup', role: 'viewer', password: STRONG_PASSWORD });
      expectProblem(res, 409, 'USER_EMAIL_TAKEN');
      const rows = await t.dataSource.query<{ email: string }[]>('SELECT email FROM users WHERE email = $1', [
        email.toUpperCase(),
      ]);
      expect(rows).toEqual([{ email }]);
    });

    it('lets exactly one of two simultaneous creates with the same email through', async () => {
      const email = `race-${tag()}@example.test`;
      const create = () =>
        t.http
          .post('/api/users')
          .set('Authorization', admin.bearer)
          .send({ email, name: 'Race', role: 'viewer', password: STRONG_PASSWORD });
      const results = await Promise.all([create(), create()]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)?.body.code).toBe('USER_EMAIL_TAKEN');
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toHaveLength(1);
    });

    it.each([
      [{ email: 'not-an-email', name: 'X', role: 'viewer' }, 'email'],
      [{ name: 'X', role: 'viewer' }, 'email'],
      [{ email: 'ok@example.test', name: 'X', role: 'superuser' }, 'role'],
      [{ email: 'ok@example.test', name: '   ', role: 'viewer' }, 'name'],
      [{ email: 'ok@example.test', name: 'X', role: 'viewer', status: 'disabled' }, 'status'],
    ])('answers 400 VALIDATION_FAILED for %j', async (body, field) => {
      const res = await t.http.post('/api/users').set('Authorization', admin.bearer).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await t.dataSource.query(`SELECT id FROM users WHERE email = 'ok@example.test'`)).toEqual([]);
    });
  });

  describe('PATCH /api/users/:id', () => {
    it('renames a user and audits before and after', async () => {
      const u = await givenUser(t, 'viewer', { name: 'Old Name' });
      const res = await t.http
        .patch(`/api/users/${u.user.id}`)
        .set('Authorization', admin.bearer)
        .send({ name: '  New Name ' })
        .expect(200);
      expect(res.body).toMatchObject({ id: u.user.id, name: 'New Name', role: 'viewer' });
      expect(await dbUser(t, u.user.id)).toMatchObject({ name: 'New Name', role: 'viewer' });
      const audit = await expectAudited(t, res, 'user.updated', u.user, admin);
      expect(audit.before).toEqual({
        email: u.user.email,
        name: 'Old Name',
        role: 'viewer',
        status: 'active',
      });
      expect(audit.after).toEqual({
        email: u.user.email,
        name: 'New Name',
        role: 'viewer',
        status: 'active',
      });
    });

    it('promotes a responder, whose existing access token gains admin at once', async () => {
      const r = await givenUser(t, 'responder');
      expectProblem(await t.http.get('/api/users').set('Authorization', r.bearer), 403, 'AUTH_FORBIDDEN');
      const res = await t.http
        .patch(`/api/users/${r.user.id}`)
        .set('Authorization', admin.bearer)
        .send({ role: 'admin' })
        .expect(200);
      expect(res.body.role).toBe('admin');
      expect(await dbUser(t, r.user.id)).toMatchObject({ role: 'admin' });
      const audit = await expectAudited(t, res, 'user.updated', r.user, admin);
      expect(audit.before).toMatchObject({ role: 'responder' });
      expect(audit.after).toMatchObject({ role: 'admin' });

      await t.http.get('/api/users').set('Authorization', r.bearer).expect(200);
    });

    it('demotes an admin, whose existing access token loses admin at once', async () => {
      const a = await givenUser(t, 'admin');
      await t.http.get('/api/users').set('Authorization', a.bearer).expect(200);
      await t.http
        .patch(`/api/users/${a.user.id}`)
        .set('Authorization', admin.bearer)
        .send({ role: 'viewer' })
        .expect(200);
      expect(await dbUser(t, a.user.id)).toMatchObject({ role: 'viewer' });
      expectProblem(await t.http.get('/api/users').set('Authorization', a.bearer), 403, 'AUTH_FORBIDDEN');
      await t.http.get('/api/auth/me').set('Authorization', a.bearer).expect(200);
    });

    it('answers 404 USER_NOT_FOUND, 400 for a non-UUID and 400 VALIDATION_FAILED for bad fields', async () => {
      const u = await givenUser(t, 'viewer');
      const before = await dbUser(t, u.user.id);
      expectProblem(
        await t.http
          .patch(`/api/users/${randomUUID()}`)
          .set('Authorization', admin.bearer)
          .send({ name: 'Nobody' }),
        404,
        'USER_NOT_FOUND',
      );
      const bad = await t.http.patch('/api/users/123').set('Authorization', admin.bearer).send({ name: 'N' });
      expect(bad.status).toBe(400);
      for (const body of [{ role: 'owner' }, { name: '' }, { email: 'x@example.test' }]) {
        const res = await t.http
          .patch(`/api/users/${u.user.id}`)
          .set('Authorization', admin.bearer)
          .send(body);
        expectProblem(res, 400, 'VALIDATION_FAILED');
      }
      expect(await dbUser(t, u.user.id)).toEqual(before);
      expect(await auditRows(t, u.user.id, 'user.updated')).toEqual([]);
    });
  });

  describe('POST /api/users/:id/disable and /enable', () => {
    it("ends the user's access and refresh tokens at once; enabling lets them sign in again", async () => {
      const u = await givenUser(t, 'responder');
      await t.http.get('/api/auth/me').set('Authorization', u.bearer).expect(200);

      const res = await t.http
        .post(`/api/users/${u.user.id}/disable`)
        .set('Authorization', admin.bearer)
        .expect(200);
      expect(res.body).toMatchObject({ id: u.user.id, status: 'disabled' });
      expect(await dbUser(t, u.user.id)).toMatchObject({ status: 'disabled' });
      const audit = await expectAudited(t, res, 'user.disabled', u.user, admin);
      expect(audit.before).toMatchObject({ status: 'active' });
      expect(audit.after).toMatchObject({ status: 'disabled' });

      const me = await t.http.get('/api/auth/me').set('Authorization', u.bearer);
      expect([401, 403]).toContain(me.status);
      const refresh = await t.http.post('/api/auth/refresh').send({ refreshToken: u.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body.accessToken).toBeUndefined();
      const login = await t.http.post('/api/auth/login').send({ email: u.user.email, password: u.password });
      expectProblem(login, 403, 'AUTH_USER_DISABLED');

      const enabled = await t.http
        .post(`/api/users/${u.user.id}/enable`)
        .set('Authorization', admin.bearer)
        .expect(200);
      expect(enabled.body).toMatchObject({ status: 'active' });
      expect(await dbUser(t, u.user.id)).toMatchObject({ status: 'active' });
      const enableAudit = await expectAudited(t, enabled, 'user.enabled', u.user, admin);
      expect(enableAudit.before).toMatchObject({ status: 'disabled' });
      expect(enableAudit.after).toMatchObject({ status: 'active' });

      const again = await signIn(t, u.user.email, u.password);
      await t.http.get('/api/auth/me').set('Authorization', again.bearer).expect(200);
      // Sessions ended by the disable stay ended.
      expect((await t.http.get('/api/auth/me').set('Authorization', u.bearer)).status).toBe(401);
    });

    it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
      for (const action of ['disable', 'enable']) {
        expectProblem(
          await t.http.post(`/api/users/${randomUUID()}/${action}`).set('Authorization', admin.bearer),
          404,
          'USER_NOT_FOUND',
        );
      }
    });
  });

  describe('POST /api/users/:id/reset-password', () => {
    it('replaces the password with a temporary one, ends every session and forces a change', async () => {
      const u = await givenUser(t, 'viewer');
      const second = await signIn(t, u.user.email, u.password);
      const oldHash = await passwordHashOf(t, u.user.id);

      const res = await t.http
        .post(`/api/users/${u.user.id}/reset-password`)
        .set('Authorization', admin.bearer)
        .expect(200);
      const temporaryPassword = res.body.temporaryPassword as string;
      expect(Object.keys(res.body)).toEqual(['temporaryPassword']);
      expect(temporaryPassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3,}$/);
      const newHash = await passwordHashOf(t, u.user.id);
      expect(newHash).not.toBe(oldHash);
      expect(await dbUser(t, u.user.id)).toMatchObject({ must_change_password: true });
      await expectAudited(t, res, 'user.password_reset', u.user, admin, [
        oldHash,
        newHash,
        temporaryPassword,
      ]);

      for (const s of [u, second]) {
        expect((await t.http.get('/api/auth/me').set('Authorization', s.bearer)).status).toBe(401);
        expect((await t.http.post('/api/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(
          401,
        );
      }
      expectProblem(
        await t.http.post('/api/auth/login').send({ email: u.user.email, password: u.password }),
        401,
        'AUTH_INVALID_CREDENTIALS',
      );

      const temp = await signIn(t, u.user.email, temporaryPassword);
      expect(temp.user.mustChangePassword).toBe(true);
      expectProblem(
        await t.http.get('/api/auth/sessions').set('Authorization', temp.bearer),
        403,
        'AUTH_PASSWORD_CHANGE_REQUIRED',
      );
      await t.http
        .post('/api/auth/password')
        .set('Authorization', temp.bearer)
        .send({ currentPassword: temporaryPassword, newPassword: NEW_PASSWORD })
        .expect(204);
      await t.http.get('/api/auth/sessions').set('Authorization', temp.bearer).expect(200);
    });

    it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
      expectProblem(
        await t.http.post(`/api/users/${randomUUID()}/reset-password`).set('Authorization', admin.bearer),
        404,
        'USER_NOT_FOUND',
      );
    });
  });

  describe('DELETE /api/users/:id', () => {
    it('deletes the user, whose tokens stop working at once', async () => {
      const u = await givenUser(t, 'responder');
      const hash = await passwordHashOf(t, u.user.id);
      const res = await t.http
        .delete(`/api/users/${u.user.id}`)
        .set('Authorization', admin.bearer)
        .expect(204);
      expect(res.text).toBe('');

      expect(await dbUser(t, u.user.id)).toBeUndefined();
      expect(
        await t.dataSource.query('SELECT id FROM auth_sessions WHERE user_id = $1', [u.user.id]),
      ).toEqual([]);
      expectProblem(
        await t.http.get(`/api/users/${u.user.id}`).set('Authorization', admin.bearer),
        404,
        'USER_NOT_FOUND',
      );
      const audit = await expectAudited(t, res, 'user.deleted', u.user, admin, [hash]);
      expect(audit.before).toEqual({
        email: u.user.email,
        name: u.user.name,
        role: 'responder',
        status: 'active',
      });
      expect(audit.after).toBeNull();

      expect((await t.http.get('/api/auth/me').set('Authorization', u.bearer)).status).toBe(401);
      expect((await t.http.post('/api/auth/refresh').send({ refreshToken: u.refreshToken })).status).toBe(
        401,
      );
      expectProblem(
        await t.http.post('/api/auth/login').send({ email: u.user.email, password: u.password }),
        401,
        'AUTH_INVALID_CREDENTIALS',
      );
    });

    it('answers 404 USER_NOT_FOUND for an unknown id and 400 for a non-UUID id', async () => {
      expectProblem(
        await t.http.delete(`/api/users/${randomUUID()}`).set('Authorization', admin.bearer),
        404,
        'USER_NOT_FOUND',
      );
      const bad = await t.http.delete('/api/users/not-a-uuid').set('Authorization', admin.bearer);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toMatch(/^(REQUEST_MALFORMED|VALIDATION_FAILED)$/);
    });
  });

  describe('audit trail of admin actions', () => {
    it('records every action on a user in order, by the admin, without password material', async () => {
      const email = `life-${tag()}@example.test`;
      const as = <T extends { set(k: string, v: string): T }>(req: T) =>
        req.set('Authorization', admin.bearer);
      const created = await as(t.http.post('/api/users'))
        .send({ email, name: 'Life Cycle', role: 'viewer' })
        .expect(201);
      const id = created.body.user.id as string;
      const hashes = [await passwordHashOf(t, id)];
      await as(t.http.patch(`/api/users/${id}`))
        .send({ role: 'responder' })
        .expect(200);
      await as(t.http.post(`/api/users/${id}/disable`)).expect(200);
      await as(t.http.post(`/api/users/${id}/enable`)).expect(200);
      const reset = await as(t.http.post(`/api/users/${id}/reset-password`)).expect(200);
      hashes.push(await passwordHashOf(t, id));
      await as(t.http.delete(`/api/users/${id}`)).expect(204);

      const rows = await auditRows(t, id);
      expect(rows.map((r) => r.action)).toEqual([
        'user.created',
        'user.updated',
        'user.disabled',
        'user.enabled',
        'user.password_reset',
        'user.deleted',
      ]);
      const state = (role: string, status: string) => ({ email, name: 'Life Cycle', role, status });
      expect(rows.map((r) => [r.before, r.after])).toEqual([
        [null, state('viewer', 'active')],
        [state('viewer', 'active'), state('responder', 'active')],
        [state('responder', 'active'), state('responder', 'disabled')],
        [state('responder', 'disabled'), state('responder', 'active')],
        [state('responder', 'active'), state('responder', 'active')],
        [state('responder', 'active'), null],
      ]);
      for (const row of rows) {
        expect(row).toMatchObject({
          actor_type: 'user',
          actor_id: admin.user.id,
          actor_label: TEST_ADMIN.email,
          target_type: 'user',
          target_id: id,
          target_label: email,
          outcome: 'success',
        });
      }
      const text = JSON.stringify(rows);
      expect(text).not.toMatch(/argon2|password_?hash/i);
      for (const secret of [...hashes, created.body.temporaryPassword, reset.body.temporaryPassword]) {
        expect(text).not.toContain(secret);
      }

      // The same trail through the API.
      const api = await as(t.http.get('/api/audit').query({ targetType: 'user', targetId: id })).expect(200);
      expect((api.body.items as { action: string }[]).map((e) => e.action)).toEqual(
        rows.map((r) => r.action).reverse(),
      );
    });
  });

  describe.each(['responder', 'viewer'] as const)('as a %s', (role) => {
    it('every /api/users route answers 403 AUTH_FORBIDDEN and changes nothing', async () => {
      const caller = await givenUser(t, role);
      const target = await givenUser(t, 'viewer', { name: 'Target' });
      const id = target.user.id;
      const before = await dbUser(t, id);
      const as = <T extends { set(k: string, v: string): T }>(req: T) =>
        req.set('Authorization', caller.bearer);
      const attempts = [
        as(t.http.get('/api/users')),
        as(t.http.get(`/api/users/${id}`)),
        as(t.http.post('/api/users')).send({
          email: `sneak-${tag()}@example.test`,
          name: 'Sneak',
          role: 'admin',
          password: STRONG_PASSWORD,
        }),
        as(t.http.patch(`/api/users/${id}`)).send({ role: 'admin' }),
        as(t.http.patch(`/api/users/${caller.user.id}`)).send({ role: 'admin' }),
        as(t.http.post(`/api/users/${id}/disable`)),
        as(t.http.post(`/api/users/${id}/enable`)),
        as(t.http.post(`/api/users/${id}/reset-password`)),
        as(t.http.delete(`/api/users/${id}`)),
      ];
      for (const attempt of attempts) expectProblem(await attempt, 403, 'AUTH_FORBIDDEN');

      expect(await dbUser(t, id)).toEqual(before);
      expect(await dbUser(t, caller.user.id)).toMatchObject({ role });
      const audits = await t.dataSource.query<unknown[]>('SELECT id FROM audit_events WHERE actor_id = $1', [
        caller.user.id,
      ]);
      // Only their own sign-in.
      expect(audits).toHaveLength(1);
      await t.http.get('/api/auth/me').set('Authorization', target.bearer).expect(200);
    });
  });
});

describe('/api/users: the last active admin', () => {
  // An app of its own: these tests need TEST_ADMIN to start as the only admin.
  let t: TestApp;
  let admin: SignedIn;
  /** The one active admin the previous race left. */
  let survivor: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
    admin = await signInAsAdmin(t);
    survivor = admin;
  });
  afterAll(() => t.close());

  const activeAdmins = async (): Promise<string[]> =>
    (
      await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id`,
      )
    ).map((r) => r.id);

  it('cannot be demoted, disabled or deleted (409 USER_LAST_ADMIN), and nothing changes', async () => {
    expect(await activeAdmins()).toEqual([admin.user.id]);
    const before = await dbUser(t, admin.user.id);
    const id = admin.user.id;
    const as = <T extends { set(k: string, v: string): T }>(req: T) => req.set('Authorization', admin.bearer);

    for (const role of ['responder', 'viewer']) {
      const res = await as(t.http.patch(`/api/users/${id}`)).send({ role });
      expectProblem(res, 409, 'USER_LAST_ADMIN');
    }
    expectProblem(await as(t.http.post(`/api/users/${id}/disable`)), 409, 'USER_LAST_ADMIN');
    expectProblem(await as(t.http.delete(`/api/users/${id}`)), 409, 'USER_LAST_ADMIN');

    expect(await dbUser(t, id)).toEqual(before);
    expect(await auditRows(t, id)).toEqual([expect.objectContaining({ action: 'user.bootstrapped' })]);
    // Renaming is not demoting.
    await as(t.http.patch(`/api/users/${id}`))
      .send({ name: 'Administrator', role: 'admin' })
      .expect(200);
    await as(t.http.get('/api/users')).expect(200);
  });

  it('counts only active admins: a disabled admin does not save the last active one', async () => {
    const other = await givenUser(t, 'admin');
    await t.http.post(`/api/users/${other.user.id}/disable`).set('Authorization', admin.bearer).expect(200);
    const res = await t.http
      .patch(`/api/users/${admin.user.id}`)
      .set('Authorization', admin.bearer)
      .send({ role: 'viewer' });
    expectProblem(res, 409, 'USER_LAST_ADMIN');
    expect(await activeAdmins()).toEqual([admin.user.id]);
  });

  it('with two active admins, one may be demoted, disabled or deleted', async () => {
    const as = <T extends { set(k: string, v: string): T }>(req: T) => req.set('Authorization', admin.bearer);
    const demoted = await givenUser(t, 'admin');
    await as(t.http.patch(`/api/users/${demoted.user.id}`))
      .send({ role: 'responder' })
      .expect(200);
    expect(await dbUser(t, demoted.user.id)).toMatchObject({ role: 'responder' });

    // An admin may step down themselves while another remains.
    const stepsDown = await givenUser(t, 'admin');
    await t.http
      .patch(`/api/users/${stepsDown.user.id}`)
      .set('Authorization', stepsDown.bearer)
      .send({ role: 'viewer' })
      .expect(200);
    expect(await dbUser(t, stepsDown.user.id)).toMatchObject({ role: 'viewer' });

    const disabled = await givenUser(t, 'admin');
    await as(t.http.post(`/api/users/${disabled.user.id}/disable`)).expect(200);
    const deleted = await givenUser(t, 'admin');
    await as(t.http.delete(`/api/users/${deleted.user.id}`)).expect(204);

    expect(await activeAdmins()).toEqual([admin.user.id]);
  });

  type Op = 'demote' | 'disable' | 'delete';
  const send = (op: Op, actor: SignedIn, target: SignedIn) => {
    const path = `/api/users/${target.user.id}`;
    const req =
      op === 'demote'
        ? t.http.patch(path).send({ role: 'responder' })
        : op === 'disable'
          ? t.http.post(`${path}/disable`)
          : t.http.delete(path);
    return req.set('Authorization', actor.bearer);
  };
  const action = { demote: 'user.updated', disable: 'user.disabled', delete: 'user.deleted' } as const;
  const refusals: string[] = [];

  /**
   * Makes two fresh admins the only active ones, then has each apply `opA` / `opB` to the other at
   * once. Exactly one may win. The loser normally gets 409 USER_LAST_ADMIN from the service; if its
   * request only reached authentication after the winner committed, the guard refuses it first
   * (its caller is no longer an active admin), which is just as correct.
   */
  async function race(previous: SignedIn, opA: Op, opB: Op): Promise<SignedIn> {
    const a = await givenUser(t, 'admin');
    const b = await givenUser(t, 'admin');
    await send('demote', a, previous).expect(200);
    expect(await activeAdmins()).toEqual([a.user.id, b.user.id].sort());

    const [byA, byB] = await Promise.all([send(opA, a, b), send(opB, b, a)]);

    const ok = (r: Response) => r.status === 200 || r.status === 204;
    expect([byA, byB].filter(ok)).toHaveLength(1);
    const [winner, loser, op, lost] = ok(byA) ? [a, b, opA, byB] : [b, a, opB, byA];
    refusals.push(`${lost.status} ${lost.body.code}`);
    expect([
      '409 USER_LAST_ADMIN',
      '403 AUTH_FORBIDDEN',
      '403 AUTH_USER_DISABLED',
      '401 AUTH_TOKEN_INVALID',
    ]).toContain(`${lost.status} ${lost.body.code}`);
    expect(await activeAdmins()).toEqual([winner.user.id]);
    expect(await dbUser(t, winner.user.id)).toMatchObject({ role: 'admin', status: 'active' });
    const loserRow = await dbUser(t, loser.user.id);
    if (op === 'demote') expect(loserRow).toMatchObject({ role: 'responder', status: 'active' });
    if (op === 'disable') expect(loserRow).toMatchObject({ role: 'admin', status: 'disabled' });
    if (op === 'delete') expect(loserRow).toBeUndefined();
    expect(await auditRows(t, winner.user.id)).toEqual([expect.objectContaining({ action: 'user.created' })]);
    expect(await auditRows(t, loser.user.id, action[op])).toEqual([
      expect.objectContaining({ actor_id: winner.user.id }),
    ]);
    return winner;
  }

  it('two admins demoting each other at the same moment: exactly one succeeds, one admin remains', async () => {
    refusals.length = 0;
    for (let round = 0; round < 5; round++) survivor = await race(survivor, 'demote', 'demote');
    // At least once both requests got past authentication, so the service itself decided.
    expect(refusals).toContain('409 USER_LAST_ADMIN');
  });

  it('the same holds when they disable or delete each other at the same moment', async () => {
    refusals.length = 0;
    for (const [opA, opB] of [
      ['disable', 'disable'],
      ['delete', 'demote'],
      ['disable', 'delete'],
    ] as const) {
      survivor = await race(survivor, opA, opB);
    }
    expect(refusals).toContain('409 USER_LAST_ADMIN');
  });
});
