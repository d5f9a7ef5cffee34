import { createHash } from 'node:crypto';
import { ProbeModule } from '../../../../test/probe.module';
import { startTestApp, type TestApp } from '../../../../test/test-app';

const problemJson = /^application\/problem\+json/;

describe('HTTP stack (Fastify, filters, pipes, headers)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      imports: [ProbeModule],
      env: { BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://console.example.com' },
    });
  });
  afterAll(() => t.close());

  describe('errors', () => {
    it('answers an unknown API route with a 404 problem carrying the request id', async () => {
      const res = await t.http.get('/api/nothing-here').expect(404).expect('content-type', problemJson);
      expect(res.body).toEqual({
        type: 'urn:nexecute:problem:not-found',
        title: 'Not Found',
        status: 404,
        detail: expect.any(String),
        instance: '/api/nothing-here',
        code: 'NOT_FOUND',
        requestId: res.headers['x-request-id'],
      });
    });

    it('answers an unknown method with a problem too', async () => {
      const res = await t.http.delete('/api/health/live').expect(404).expect('content-type', problemJson);
      expect(res.body.code).toBe('NOT_FOUND');
    });

    it('rejects invalid fields with VALIDATION_FAILED and one entry per field, nested included', async () => {
      const res = await t.http
        .post('/api/probe/echo')
        .send({ title: 'x', impact: 7, assignee: { email: 'a' } })
        .expect(400)
        .expect('content-type', problemJson);
      expect(res.body).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: '3 fields are invalid',
      });
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'title', message: 'title must be longer than or equal to 3 characters' },
          { field: 'impact', message: 'impact must not be greater than 3' },
          { field: 'assignee.email', message: 'email must be longer than or equal to 3 characters' },
        ]),
      );
    });

    it('says "is required" once for each missing field, and only the type for a value of the wrong type', async () => {
      const missing = await t.http
        .post('/api/probe/echo')
        .send({ assignee: { email: 'ops@example.com' } })
        .expect(400);
      expect(missing.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: '2 fields are invalid' });
      expect(missing.body.errors).toEqual([
        { field: 'title', message: 'title is required' },
        { field: 'impact', message: 'impact is required' },
      ]);
      const nested = await t.http
        .post('/api/probe/echo')
        .send({ title: ['Disk full'], impact: null, assignee: {} })
        .expect(400);
      expect(nested.body.errors).toEqual([
        { field: 'title', message: 'title must be a string' },
        { field: 'impact', message: 'impact is required' },
        { field: 'assignee.email', message: 'assignee.email is required' },
      ]);
    });

    it('rejects fields the DTO does not declare', async () => {
      const res = await t.http
        .post('/api/probe/echo')
        .send({ title: 'Disk full', impact: 2, assignee: { email: 'ops@example.com' }, isAdmin: true })
        .expect(400);
      expect(res.body.errors).toEqual([{ field: 'isAdmin', message: 'property isAdmin should not exist' }]);
    });

    it('accepts a valid body and hands the handler typed values', async () => {
      const res = await t.http
        .post('/api/probe/echo')
        .send({ title: 'Disk full', impact: 2, assignee: { email: 'ops@example.com' } })
        .expect(200);
      expect(res.body).toEqual({
        title: 'Disk full',
        impact: 2,
        assignee: { email: 'ops@example.com' },
        impactType: 'number',
      });
    });

    it('answers malformed JSON with REQUEST_MALFORMED', async () => {
      const res = await t.http
        .post('/api/probe/echo')
        .set('content-type', 'application/json')
        .send('{"title": "x",')
        .expect(400)
        .expect('content-type', problemJson);
      expect(res.body.code).toBe('REQUEST_MALFORMED');
    });

    it('refuses a body over BODY_LIMIT_BYTES with 413', async () => {
      const res = await t.http
        .post('/api/probe/echo')
        .send({ title: 'x'.repeat(4096), impact: 1, assignee: { email: 'ops@example.com' } })
        .expect(413)
        .expect('content-type', problemJson);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('refuses an unsupported media type with 415', async () => {
      const res = await t.http
        .post('/api/probe/echo')
        .set('content-type', 'application/xml')
        .send('<a/>')
        .expect(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('hides what an unexpected error says from the client but logs it with the request id', async () => {
      const res = await t.http.get('/api/probe/boom').expect(500).expect('content-type', problemJson);
      expect(res.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
      expect(JSON.stringify(res.body)).not.toMatch(/api_key|SELECT|secret|at /);
      const logged = t.logs().find((l) => l.level === 'error' && String(l.msg).includes('/api/probe/boom'));
      expect(logged).toMatchObject({
        requestId: res.body.requestId,
        stack: expect.stringContaining('Error: relation'),
      });
    });
  });

  describe('request ids and logs', () => {
    it("keeps a caller's request id and stamps it on the app's log lines and the access line", async () => {
      const res = await t.http.get('/api/probe/log').set('x-request-id', 'trace-0123456789').expect(200);
      expect(res.headers['x-request-id']).toBe('trace-0123456789');
      const lines = t.logs().filter((l) => l.requestId === 'trace-0123456789');
      expect(lines.map((l) => l.msg)).toEqual(['probe handled', 'request completed']);
      expect(lines[1]).toMatchObject({
        method: 'GET',
        url: '/api/probe/log',
        status: 200,
        durationMs: expect.any(Number),
      });
    });

    it('never logs the Authorization header or cookies', async () => {
      await t.http
        .get('/api/probe/log')
        .set('authorization', 'Bearer very-secret-token')
        .set('cookie', 'sid=s3cr3t')
        .expect(200);
      const text = JSON.stringify(t.logs());
      expect(text).not.toContain('very-secret-token');
      expect(text).not.toContain('s3cr3t');
    });
  });

  describe('raw body', () => {
    it('keeps the exact bytes received for signature checks', async () => {
      const raw = '{"title":  "Spacing matters",\n "impact":1}';
      const res = await t.http
        .post('/api/probe/signature')
        .set('content-type', 'application/json')
        .send(raw)
        .expect(200);
      expect(res.body.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    });
  });

  describe('security headers and CORS', () => {
    it('sends helmet headers and a strict content security policy', async () => {
      const res = await t.http.get('/api/health/live').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    });

    it('allows origins on the allow-list, credentials included', async () => {
      const res = await t.http
        .options('/api/health/live')
        .set('origin', 'https://console.example.com')
        .set('access-control-request-method', 'GET')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://console.example.com');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });

    it('gives no CORS grant to other origins', async () => {
      const res = await t.http.get('/api/health/live').set('origin', 'https://evil.example.net').expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
