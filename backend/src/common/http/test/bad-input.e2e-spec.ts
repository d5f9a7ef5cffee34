import type { Response } from 'supertest';
import { ProbeModule } from '../../../../test/probe.module';
import { signInAsAdmin, type SignedIn } from '../../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../../test/test-app';
import { MAX_JSON_DEPTH } from '../json-body';

const problemJson = /^application\/problem\+json/;

function expectProblem(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(problemJson);
}

const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/**
 * Hostile input that used to answer 500 (or a non-problem error): each must be a 4xx problem,
 * and a refused write must change nothing.
 */
describe('bad input answers a 4xx problem, never a 500', () => {
  let t: TestApp;
  let admin: SignedIn;
  let incidentId: string;

  beforeAll(async () => {
    t = await startTestApp({ imports: [ProbeModule] });
    admin = await signInAsAdmin(t);
    const created = await t.http
      .post('/api/incidents')
      .set('authorization', admin.bearer)
      .send({ title: 'Checkout API returns 502', impact: 2, urgency: 2 })
      .expect(201);
    incidentId = created.body.id as string;
  });
  afterAll(() => t.close());

  const incidentCount = async (): Promise<number> =>
    Number((await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM incidents'))[0]?.n);
  const timelineCount = async (): Promise<number> =>
    Number(
      (await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM incident_timeline')).at(0)?.n,
    );

  describe(`JSON nesting (limit ${MAX_JSON_DEPTH})`, () => {
    it.each([
      ['anonymous POST /api/probe/echo', '/api/probe/echo', false],
      ['anonymous POST /api/auth/login', '/api/auth/login', false],
      ['authenticated POST /api/incidents', '/api/incidents', true],
    ])('refuses a body nested 5,000 levels with 400 REQUEST_MALFORMED: %s', async (_name, path, signedIn) => {
      const before = await incidentCount();
      for (const body of [nestedArrays(5000), nestedObjects(5000)]) {
        const req = t.http.post(path).set('content-type', 'application/json');
        const res = await (signedIn ? req.set('authorization', admin.bearer) : req).send(body);
        expectProblem(res, 400, 'REQUEST_MALFORMED');
        expect(res.body.detail).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
      }
      expect(await incidentCount()).toBe(before);
    });

    it(`admits ${MAX_JSON_DEPTH} levels (validation then judges the body) and refuses ${MAX_JSON_DEPTH + 1}`, async () => {
      // The probe's DTO nests one level (assignee); the extra levels sit in an undeclared field.
      const inner = (levels: number): string =>
        `{"title":"Disk full","impact":1,"assignee":{"email":"ops@example.com"},"extra":${nestedArrays(levels - 1)}}`;
      const atLimit = await t.http
        .post('/api/probe/echo')
        .set('content-type', 'application/json')
        .send(inner(MAX_JSON_DEPTH));
      expectProblem(atLimit, 400, 'VALIDATION_FAILED');
      expect(atLimit.body.errors).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
      const overLimit = await t.http
        .post('/api/probe/echo')
        .set('content-type', 'application/json')
        .send(inner(MAX_JSON_DEPTH + 1));
      expectProblem(overLimit, 400, 'REQUEST_MALFORMED');
    });
  });

  describe('text PostgreSQL cannot store (NUL, unpaired surrogates)', () => {
    it.each([
      ['/api/incidents?q=disk%00full', 'q'],
      ['/api/incidents?q=1234%00', 'q'],
      ['/api/incidents?assignmentGroup=Net%00work', 'assignmentGroup'],
      ['/api/users?search=ali%00', 'search'],
      ['/api/audit?targetType=user%00', 'targetType'],
      ['/api/audit?targetId=%00', 'targetId'],
      ['/api/incidents/INC0000001%00', 'id'],
      ['/api/users/%00', 'id'],
    ])('GET %s answers 400 VALIDATION_FAILED naming %s', async (url, field) => {
      const res = await t.http.get(url).set('authorization', admin.bearer);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([
        { field, message: `${field} must not contain NUL characters (\\u0000)` },
      ]);
    });

    it('refuses a NUL in an incident title, description or comment, and stores nothing', async () => {
      const [incidents, entries] = [await incidentCount(), await timelineCount()];
      const create = await t.http
        .post('/api/incidents')
        .set('authorization', admin.bearer)
        .send({ title: 'Disk\u0000full', impact: 1, urgency: 1 });
      expectProblem(create, 400, 'VALIDATION_FAILED');
      expect(create.body.errors).toEqual([
        { field: 'title', message: 'title must not contain NUL characters (\\u0000)' },
      ]);
      const update = await t.http
        .patch(`/api/incidents/${incidentId}`)
        .set('authorization', admin.bearer)
        .send({ description: 'a\u0000b' });
      expectProblem(update, 400, 'VALIDATION_FAILED');
      const comment = await t.http
        .post(`/api/incidents/${incidentId}/comments`)
        .set('authorization', admin.bearer)
        .send({ body: '\u0000' });
      expectProblem(comment, 400, 'VALIDATION_FAILED');
      expect([await incidentCount(), await timelineCount()]).toEqual([incidents, entries]);
    });

    it('refuses a NUL in a form body too (where a route still parses forms), storing nothing', async () => {
      const before = await incidentCount();
      const res = await t.http
        .post('/api/incidents')
        .set('authorization', admin.bearer)
        .type('form')
        .send('title=Disk%00full&impact=1&urgency=1');
      // 400 while forms are parsed here; 415 once the API accepts only JSON. Never a 500.
      expect([400, 415]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(problemJson);
      expect(await incidentCount()).toBe(before);
    });

    it('names a NUL in a nested value or in a key by its path', async () => {
      const nested = await t.http
        .post('/api/incidents/bulk/acknowledge')
        .set('authorization', admin.bearer)
        .send({ ids: [incidentId, 'x\u0000'] });
      expect(nested.body.errors).toEqual([
        { field: 'ids.1', message: 'ids.1 must not contain NUL characters (\\u0000)' },
      ]);
      const key = await t.http
        .post('/api/probe/echo')
        .send({ title: 'Disk full', impact: 1, assignee: { 'e\u0000mail': 'x' } });
      expectProblem(key, 400, 'VALIDATION_FAILED');
      expect(key.body.errors).toEqual([
        {
          field: 'assignee.e\\u0000mail',
          message: 'the name of assignee.e\\u0000mail must not contain NUL characters (\\u0000)',
        },
      ]);
    });

    it('refuses an unpaired surrogate (PostgreSQL jsonb refuses it) but keeps an escaped emoji', async () => {
      const entries = await timelineCount();
      for (const escaped of ['\\ud800', '\\udc00x', 'a\\uDBFF']) {
        const res = await t.http
          .patch(`/api/incidents/${incidentId}`)
          .set('authorization', admin.bearer)
          .set('content-type', 'application/json')
          .send(`{"title":"Disk ${escaped} full"}`);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).toEqual([
          { field: 'title', message: 'title must not contain unpaired UTF-16 surrogates' },
        ]);
      }
      expect(await timelineCount()).toBe(entries);
      const emoji = await t.http
        .patch(`/api/incidents/${incidentId}`)
        .set('authorization', admin.bearer)
        .set('content-type', 'application/json')
        .send('{"title":"Disk full \\ud83d\\udd25"}')
        .expect(200);
      expect(emoji.body.title).toBe('Disk full \u{1f525}');
    });
  });

  describe('query parameters', () => {
    it('refuses a __proto__ or constructor query key like any undeclared field', async () => {
      for (const key of ['__proto__', 'constructor']) {
        const res = await t.http.get(`/api/incidents?${key}=x`).set('authorization', admin.bearer);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).toEqual([{ field: key, message: `property ${key} should not exist` }]);
      }
    });
  });

  describe('paths the router refuses', () => {
    it('answers a 3,000-character path parameter with a 414 URI_TOO_LONG problem that does not echo it', async () => {
      const long = 'x'.repeat(3000);
      for (const req of [
        t.http.post(`/api/incidents/${long}/acknowledge`).set('authorization', admin.bearer).send({}),
        t.http.patch(`/api/incidents/<script>${long}`).send({}),
      ]) {
        const res = await req;
        expectProblem(res, 414, 'URI_TOO_LONG');
        expect(res.text).not.toContain('xxxxxxxxxx');
        expect(res.text).not.toContain('script');
        expect(res.body.requestId).toBe(res.headers['x-request-id']);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('answers a path that is not valid percent-encoding with a 400 problem', async () => {
      const res = await t.http.post('/api/incidents/%E0%A4%A/acknowledge').send({});
      expectProblem(res, 400, 'REQUEST_MALFORMED');
      expect(res.text).not.toContain('%E0%A4%A');
    });
  });
});
