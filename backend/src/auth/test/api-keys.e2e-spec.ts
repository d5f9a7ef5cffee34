import { createHash, randomUUID } from 'node:crypto';
import type { ApiKeyScope } from '../../common/auth/roles';
import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

const KEY_FORMAT = /^nxk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface GivenKey {
  readonly view: ApiKeyView;
  /** The whole `nxk_<prefix>_<secret>`, as the admin copies it. */
  readonly key: string;
  /** The part after the prefix, which must never be stored or shown again. */
  readonly secret: string;
}

describe('API keys', () => {
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  /** A new key with a unique name, made through the API by the admin. */
  async function givenApiKey(scopes: ApiKeyScope[], extra: { expiresAt?: string } = {}): Promise<GivenKey> {
    const res = await t.http
      .post('/api/api-keys')
      .set('Authorization', admin.bearer)
      .send({ name: `key ${randomUUID().slice(0, 8)}`, scopes, ...extra })
      .expect(201);
    const body = res.body as { apiKey: ApiKeyView; key: string };
    const secret = KEY_FORMAT.exec(body.key)?.[2];
    if (!secret) throw new Error(`unexpected key format: ${body.key}`);
    return { view: body.apiKey, key: body.key, secret };
  }

  async function listed(id: string): Promise<ApiKeyView | undefined> {
    const res = await t.http.get('/api/api-keys').set('Authorization', admin.bearer).expect(200);
    return (res.body as { items: ApiKeyView[] }).items.find((k) => k.id === id);
  }

  async function auditFor(
    keyId: string,
  ): Promise<
    { action: string; actor_type: string; actor_id: string | null; after: Record<string, unknown> | null }[]
  > {
    return t.dataSource.query(
      `SELECT action, actor_type, actor_id, after FROM audit_events
        WHERE target_type = 'api_key' AND target_id = $1 ORDER BY id`,
      [keyId],
    );
  }

  describe('POST /api/api-keys', () => {
    it('creates a key and shows it once as nxk_<prefix>_<secret>', async () => {
      const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const res = await t.http
        .post('/api/api-keys')
        .set('Authorization', admin.bearer)
        .send({
          name: '  Datadog webhook  ',
          scopes: ['events:ingest', 'incidents:read', 'events:ingest'],
          expiresAt,
        })
        .expect(201);
      const body = res.body as { apiKey: ApiKeyView; key: string };
      expect(body.key).toMatch(KEY_FORMAT);
      expect(body.apiKey).toEqual({
        id: expect.any(String),
        name: 'Datadog webhook',
        prefix: expect.stringMatching(/^nxk_[0-9a-f]{12}$/),
        scopes: ['events:ingest', 'incidents:read'],
        createdAt: expect.any(String),
        createdBy: admin.user.id,
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(body.key.startsWith(`${body.apiKey.prefix}_`)).toBe(true);
      // The key authenticates from the first call.
      await t.http.get('/api/auth/me').set('X-Api-Key', body.key).expect(200);
    });

    it('stores only a SHA-256 digest of the secret: no plaintext in the row, the audit trail or the log', async () => {
      const { view, key, secret } = await givenApiKey(['audit:read']);
      await t.http.get('/api/audit').set('X-Api-Key', key).expect(200);
      await t.http.get('/api/audit').set('Authorization', `Bearer ${key}`).expect(200);
      const [row] = await t.dataSource.query<{ prefix: string; secret_hash: Buffer; whole: string }[]>(
        `SELECT k.*, k::text AS whole FROM api_keys k WHERE id = $1`,
        [view.id],
      );
      expect(row!.prefix).toBe(view.prefix.slice('nxk_'.length));
      expect(row!.secret_hash).toEqual(createHash('sha256').update(secret, 'utf8').digest());
      for (const text of [row!.whole, ...Object.values(row!).map((v) => String(v))]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(key);
      }
      const [audit] = await t.dataSource.query<{ whole: string }[]>(
        `SELECT string_agg(e::text, '\n') AS whole FROM audit_events e WHERE target_id = $1`,
        [view.id],
      );
      expect(audit!.whole).toContain(view.id);
      expect(audit!.whole).not.toContain(secret);
      expect(JSON.stringify(t.logs())).not.toContain(secret);
    });

    it('audits api_key.created with the admin as actor, without the secret', async () => {
      const { view } = await givenApiKey(['incidents:read', 'incidents:write']);
      expect(await auditFor(view.id)).toEqual([
        {
          action: 'api_key.created',
          actor_type: 'user',
          actor_id: admin.user.id,
          after: {
            name: view.name,
            prefix: view.prefix.slice('nxk_'.length),
            scopes: ['incidents:read', 'incidents:write'],
            expiresAt: null,
          },
        },
      ]);
    });

    it.each([
      ['an unknown scope', { name: 'k', scopes: ['incidents:read', 'everything'] }, 'scopes'],
      ['no scopes', { name: 'k', scopes: [] }, 'scopes'],
      ['an empty name', { name: '', scopes: ['audit:read'] }, 'name'],
      ['a blank name', { name: '   ', scopes: ['audit:read'] }, 'name'],
      ['no name', { scopes: ['audit:read'] }, 'name'],
      ['a name over 100 characters', { name: 'x'.repeat(101), scopes: ['audit:read'] }, 'name'],
      [
        'an expiresAt in the past',
        { name: 'k', scopes: ['audit:read'], expiresAt: '2020-01-01T00:00:00Z' },
        'expiresAt',
      ],
      [
        'an expiresAt that is not a date',
        { name: 'k', scopes: ['audit:read'], expiresAt: 'next tuesday' },
        'expiresAt',
      ],
      [
        'an expiresAt beyond year 9999',
        { name: 'k', scopes: ['audit:read'], expiresAt: '+275760-09-13T00:00:00Z' },
        'expiresAt',
      ],
      [
        'an expiresAt that is a number',
        { name: 'k', scopes: ['audit:read'], expiresAt: 8.64e15 },
        'expiresAt',
      ],
    ])('refuses %s with 400 VALIDATION_FAILED and creates nothing', async (_case, body, field) => {
      const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`);
      const res = await t.http
        .post('/api/api-keys')
        .set('Authorization', admin.bearer)
        .send(body)
        .expect(400)
        .expect('content-type', /problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect((res.body as { errors: { field: string }[] }).errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`)).toEqual(before);
    });
  });

  describe('GET /api/api-keys', () => {
    it('lists keys without their secret', async () => {
      const { view, key, secret } = await givenApiKey(['audit:read']);
      const res = await t.http.get('/api/api-keys').set('Authorization', admin.bearer).expect(200);
      const items = (res.body as { items: ApiKeyView[] }).items;
      expect(items).toContainEqual(view);
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(JSON.stringify(res.body)).not.toContain(key);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(Object.keys(view).sort());
    });
  });

  describe('authenticating with an API key', () => {
    it('X-Api-Key: GET /api/auth/me answers kind api_key', async () => {
      const { view, key } = await givenApiKey(['incidents:read']);
      const res = await t.http.get('/api/auth/me').set('X-Api-Key', key).expect(200);
      expect(res.body).toEqual({ kind: 'api_key', id: view.id, name: view.name, scopes: ['incidents:read'] });
    });

    it('Authorization: Bearer nxk_…: GET /api/auth/me answers kind api_key', async () => {
      const { view, key } = await givenApiKey(['incidents:read']);
      const res = await t.http.get('/api/auth/me').set('Authorization', `Bearer ${key}`).expect(200);
      expect(res.body).toEqual({ kind: 'api_key', id: view.id, name: view.name, scopes: ['incidents:read'] });
    });

    it('a key with audit:read reads GET /api/audit through either header', async () => {
      const { view, key } = await givenApiKey(['audit:read']);
      for (const header of [{ 'X-Api-Key': key }, { Authorization: `Bearer ${key}` }]) {
        const res = await t.http
          .get('/api/audit')
          .query({ targetType: 'api_key', targetId: view.id })
          .set(header)
          .expect(200);
        expect((res.body as { items: { action: string }[] }).items.map((e) => e.action)).toEqual([
          'api_key.created',
        ]);
      }
      await t.http.get('/api/audit/actions').set('X-Api-Key', key).expect(200);
    });

    it('a key with only incidents:read gets 403 AUTH_SCOPE_MISSING on /api/audit and /api/users', async () => {
      const { key } = await givenApiKey(['incidents:read']);
      for (const path of ['/api/audit', '/api/users']) {
        const res = await t.http.get(path).set('X-Api-Key', key).expect(403);
        expect(res.body).toMatchObject({ status: 403, code: 'AUTH_SCOPE_MISSING' });
      }
    });

    it('no key, whatever its scopes, manages keys or users', async () => {
      const { view, key } = await givenApiKey([
        'incidents:read',
        'incidents:write',
        'events:ingest',
        'audit:read',
      ]);
      const attempts = [
        t.http.get('/api/api-keys'),
        t.http.post('/api/api-keys').send({ name: 'minted by a key', scopes: ['audit:read'] }),
        t.http.delete(`/api/api-keys/${view.id}`),
        t.http.get('/api/users'),
      ];
      for (const attempt of attempts) {
        const res = await attempt.set('X-Api-Key', key).expect(403);
        expect(res.body).toMatchObject({ code: 'AUTH_SCOPE_MISSING' });
      }
      expect((await listed(view.id))?.revokedAt).toBeNull();
    });

    it.each([
      ['a changed secret', (k: string) => `${k.slice(0, -1)}${k.endsWith('A') ? 'B' : 'A'}`],
      ['a changed prefix', (k: string) => `nxk_${k[4] === '0' ? '1' : '0'}${k.slice(5)}`],
      ['a truncated key', (k: string) => k.slice(0, -5)],
      ['a key without its prefix part', (k: string) => `nxk_${k.slice(17)}`],
    ])('refuses %s with 401 AUTH_API_KEY_INVALID', async (_case, tamper) => {
      const { key } = await givenApiKey(['audit:read']);
      const tampered = tamper(key);
      expect(tampered).not.toBe(key);
      for (const header of [{ 'X-Api-Key': tampered }, { Authorization: `Bearer ${tampered}` }]) {
        const res = await t.http
          .get('/api/auth/me')
          .set(header)
          .expect(401)
          .expect('content-type', /problem\+json/);
        expect(res.body).toMatchObject({ status: 401, code: 'AUTH_API_KEY_INVALID' });
      }
    });

    it('records lastUsedAt on use', async () => {
      const { view, key } = await givenApiKey(['audit:read']);
      expect((await listed(view.id))?.lastUsedAt).toBeNull();
      const before = Date.now();
      await t.http.get('/api/auth/me').set('X-Api-Key', key).expect(200);
      const lastUsedAt = (await listed(view.id))?.lastUsedAt;
      expect(lastUsedAt).toEqual(expect.any(String));
      // The database clock and ours may differ by a little.
      expect(Math.abs(Date.parse(lastUsedAt!) - before)).toBeLessThan(10_000);
      const [row] = await t.dataSource.query<
        {
          last_used_at: Date | null;
        }[]
      >(`SELECT last_used_at FROM api_keys WHERE id = $1`, [view.id]);
      expect(row!.last_used_at?.toISOString()).toBe(lastUsedAt);
    });
  });

  describe('DELETE /api/api-keys/:id', () => {
    it('revokes the key at once (401 afterwards), keeps the row and audits api_key.revoked', async () => {
      const { view, key } = await givenApiKey(['audit:read']);
      await t.http.get('/api/audit').set('X-Api-Key', key).expect(200);

      await t.http.delete(`/api/api-keys/${view.id}`).set('Authorization', admin.bearer).expect(204);

      for (const header of [{ 'X-Api-Key': key }, { Authorization: `Bearer ${key}` }]) {
        const res = await t.http.get('/api/auth/me').set(header).expect(401);
        expect(res.body).toMatchObject({ code: 'AUTH_API_KEY_INVALID' });
      }
      const after = await listed(view.id);
      expect(after?.revokedAt).toEqual(expect.any(String));
      expect(await auditFor(view.id)).toEqual([
        expect.objectContaining({ action: 'api_key.created' }),
        expect.objectContaining({ action: 'api_key.revoked', actor_type: 'user', actor_id: admin.user.id }),
      ]);
    });

    it('is idempotent: revoking twice answers 204 and audits once', async () => {
      const { view } = await givenApiKey(['audit:read']);
      await t.http.delete(`/api/api-keys/${view.id}`).set('Authorization', admin.bearer).expect(204);
      const revokedAt = (await listed(view.id))?.revokedAt;
      await t.http.delete(`/api/api-keys/${view.id}`).set('Authorization', admin.bearer).expect(204);
      expect((await listed(view.id))?.revokedAt).toBe(revokedAt);
      expect((await auditFor(view.id)).map((r) => r.action)).toEqual(['api_key.created', 'api_key.revoked']);
    });

    it('answers 404 AUTH_API_KEY_NOT_FOUND for an unknown id and 400 for a malformed one', async () => {
      const missing = await t.http
        .delete(`/api/api-keys/${randomUUID()}`)
        .set('Authorization', admin.bearer)
        .expect(404);
      expect(missing.body).toMatchObject({ code: 'AUTH_API_KEY_NOT_FOUND' });
      await t.http.delete('/api/api-keys/not-a-uuid').set('Authorization', admin.bearer).expect(400);
    });
  });

  describe('an expiring key', () => {
    it('works until expiresAt, then answers 401 AUTH_API_KEY_INVALID', async () => {
      const { view, key } = await givenApiKey(['audit:read'], {
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      await t.http.get('/api/auth/me').set('X-Api-Key', key).expect(200);

      // An hour passes.
      await t.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        view.id,
      ]);

      const res = await t.http.get('/api/auth/me').set('X-Api-Key', key).expect(401);
      expect(res.body).toMatchObject({ code: 'AUTH_API_KEY_INVALID' });
      await t.http.get('/api/audit').set('Authorization', `Bearer ${key}`).expect(401);
    });
  });

  describe('who may manage keys', () => {
    it.each(['responder', 'viewer'] as const)(
      'a %s gets 403 AUTH_FORBIDDEN on every key route',
      async (role) => {
        const person = await givenUser(t, role);
        const { view } = await givenApiKey(['audit:read']);
        const attempts = [
          t.http.get('/api/api-keys'),
          t.http.post('/api/api-keys').send({ name: `by a ${role}`, scopes: ['audit:read'] }),
          t.http.delete(`/api/api-keys/${view.id}`),
        ];
        for (const attempt of attempts) {
          const res = await attempt.set('Authorization', person.bearer).expect(403);
          expect(res.body).toMatchObject({ status: 403, code: 'AUTH_FORBIDDEN' });
        }
        expect((await listed(view.id))?.revokedAt).toBeNull();
        const [{ n }] = await t.dataSource.query<[{ n: number }]>(
          `SELECT count(*)::int AS n FROM api_keys WHERE name = $1`,
          [`by a ${role}`],
        );
        expect(n).toBe(0);
      },
    );

    it('nobody signed in gets 401 AUTH_UNAUTHENTICATED', async () => {
      const res = await t.http.get('/api/api-keys').expect(401);
      expect(res.body).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
      await t.http
        .post('/api/api-keys')
        .send({ name: 'anon', scopes: ['audit:read'] })
        .expect(401);
    });
  });
});
