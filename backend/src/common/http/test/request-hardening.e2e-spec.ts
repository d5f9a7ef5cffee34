import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Module,
  Post,
  Req,
  type RawBodyRequest,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { givenUser, signInAsAdmin, STRONG_PASSWORD } from '../../../../test/sign-in';
import { startTestApp, TEST_ADMIN, type TestApp } from '../../../../test/test-app';
import { Public } from '../../auth/access.decorators';
import { AcceptsFormBody } from '../body-media-types';

/** Routes that exist only here: one JSON route, one that opts in to form bodies, one that sets its own caching. */
@Public()
@Controller('hardening')
class HardeningProbeController {
  @Post('json')
  @HttpCode(200)
  json(@Body() body: unknown): { received: unknown } {
    return { received: body };
  }

  @Post('form')
  @HttpCode(200)
  @AcceptsFormBody()
  form(@Req() req: RawBodyRequest<FastifyRequest>): { received: unknown; sha256: string | null } {
    return {
      received: req.body,
      sha256: req.rawBody ? createHash('sha256').update(req.rawBody).digest('hex') : null,
    };
  }

  @Get('cacheable')
  @Header('cache-control', 'public, max-age=60')
  cacheable(): { ok: true } {
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('the probe failed on purpose');
  }
}

@Module({ controllers: [HardeningProbeController] })
class HardeningProbeModule {}

const problemJson = /^application\/problem\+json/;

/** supertest always names a type for a body; a raw request can leave Content-Type out. */
function postWithoutContentType(
  t: TestApp,
  path: string,
  body: string,
): Promise<{ status: number; body: string }> {
  const url = new URL(path, t.baseUrl.replace('[::1]', '127.0.0.1'));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('JSON-only request bodies, cache headers and redacted URLs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ imports: [HardeningProbeModule] });
  });
  afterAll(() => t.close());

  describe('request media types', () => {
    it.each([
      ['application/x-www-form-urlencoded', 'title=Disk+full&impact=1&urgency=1'],
      ['text/plain', '{"title":"Disk full"}'],
      [
        'multipart/form-data; boundary=b',
        '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
      ],
      ['application/xml', '<a/>'],
    ])('refuses %s on a JSON route with 415 UNSUPPORTED_MEDIA_TYPE', async (type, body) => {
      const res = await t.http
        .post('/api/hardening/json')
        .set('content-type', type)
        .send(body)
        .expect(415)
        .expect('content-type', problemJson);
      expect(res.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(res.body.detail).toMatch(/application\/json/);
    });

    it('refuses a body that names no media type, or an empty one', async () => {
      const untyped = await postWithoutContentType(t, '/api/hardening/json', '{"a":1}');
      expect(untyped.status).toBe(415);
      expect(JSON.parse(untyped.body)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      const empty = await t.http
        .post('/api/hardening/json')
        .set('content-type', '')
        .send(Buffer.from('{"a":1}'))
        .expect(415);
      expect(empty.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/merge-patch+json',
      'application/vnd.api+json; charset=utf-8',
    ])('accepts %s', async (type) => {
      const res = await t.http
        .post('/api/hardening/json')
        .set('content-type', type)
        .send('{"a":[1,2]}')
        .expect(200);
      expect(res.body).toEqual({ received: { a: [1, 2] } });
    });

    it('still answers +json that is not JSON with REQUEST_MALFORMED', async () => {
      const res = await t.http
        .post('/api/hardening/json')
        .set('content-type', 'application/merge-patch+json')
        .send('{"a":')
        .expect(400);
      expect(res.body.code).toBe('REQUEST_MALFORMED');
    });

    it('lets a bodiless POST through whatever it declares (curl -d "")', async () => {
      await t.http
        .post('/api/hardening/json')
        .set('content-type', 'application/x-www-form-urlencoded')
        .expect(200);
    });

    it('accepts form bodies on a route that opts in, with the raw bytes kept for signatures', async () => {
      const form = 'command=%2Fincident&text=disk+full&token=abc';
      const res = await t.http
        .post('/api/hardening/form')
        .set('content-type', 'application/x-www-form-urlencoded')
        .send(form)
        .expect(200);
      expect(res.body).toEqual({
        received: { command: '/incident', text: 'disk full', token: 'abc' },
        sha256: createHash('sha256').update(form).digest('hex'),
      });
      // Opting in to forms does not open the route to every other type.
      await t.http.post('/api/hardening/form').set('content-type', 'text/plain').send('x=1').expect(415);
    });

    it('refuses a form body on POST /api/incidents and creates nothing', async () => {
      const responder = await givenUser(t, 'responder');
      const count = async (): Promise<number> =>
        (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM incidents`))[0]?.n ?? 0;
      const before = await count();
      const res = await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('title=Planted+by+a+form&impact=1&urgency=1')
        .expect(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(await count()).toBe(before);
    });

    it('answers an unknown API route with a form body with 404, not 415', async () => {
      const res = await t.http
        .post('/api/nothing-here')
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('a=1')
        .expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });
  });

  describe('Cache-Control', () => {
    it('sends no-store and Pragma: no-cache on token responses (login, refresh)', async () => {
      const login = await t.http
        .post('/api/auth/login')
        .send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password })
        .expect(200);
      expect(login.headers['cache-control']).toBe('no-store');
      expect(login.headers['pragma']).toBe('no-cache');
      const refresh = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: (login.body as { refreshToken: string }).refreshToken })
        .expect(200);
      expect(refresh.headers['cache-control']).toBe('no-store');
      expect(refresh.headers['pragma']).toBe('no-cache');
    });

    it('sends no-store on data read with a JWT or an API key', async () => {
      const admin = await signInAsAdmin(t);
      const me = await t.http.get('/api/auth/me').set('authorization', admin.bearer).expect(200);
      expect(me.headers['cache-control']).toBe('no-store');
      const users = await t.http.get('/api/users').set('authorization', admin.bearer).expect(200);
      expect(users.headers['cache-control']).toBe('no-store');
      const key = await t.http
        .post('/api/api-keys')
        .set('authorization', admin.bearer)
        .send({ name: 'cache probe', scopes: ['incidents:read'] })
        .expect(201);
      const list = await t.http
        .get('/api/incidents')
        .set('x-api-key', (key.body as { key: string }).key)
        .expect(200);
      expect(list.headers['cache-control']).toBe('no-store');
    });

    it('sends no-store on errors, public routes and health too', async () => {
      const user = await givenUser(t, 'viewer');
      const cases = [
        await t.http.get('/api/auth/me').expect(401),
        await t.http.get('/api/users').set('authorization', user.bearer).expect(403),
        await t.http
          .post('/api/auth/login')
          .send({ email: user.user.email, password: 'wrong one 1' })
          .expect(401),
        await t.http.post('/api/auth/password').set('authorization', user.bearer).send({}).expect(400),
        await t.http.get('/api/auth/providers').expect(200),
        await t.http.get('/api/health/live').expect(200),
        await t.http.get('/api/health/ready').expect(200),
        await t.http.get('/api/nothing-here').expect(404),
      ];
      for (const res of cases) expect(res.headers['cache-control']).toBe('no-store');
      await t.http
        .post('/api/auth/password')
        .set('authorization', user.bearer)
        .send({ currentPassword: STRONG_PASSWORD, newPassword: 'Quiet harbour kettle 58' })
        .expect(204)
        .expect('cache-control', 'no-store');
    });

    it("keeps a handler's own Cache-Control, and leaves the console's alone", async () => {
      const res = await t.http.get('/api/hardening/cacheable').expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      const page = await t.http.get('/incidents').set('accept', 'text/html').expect(200);
      expect(page.headers['cache-control']).toBe('no-cache');
    });
  });

  describe('URLs in logs', () => {
    it('redacts credentials in the query string of the access line and of an unexpected error', async () => {
      const res = await t.http
        .get('/api/hardening/boom?code=c0de-123&access_token=t0ken-456&apikey=k3y-789&page=2')
        .expect(500);
      const lines = t.logs().filter((l) => l.requestId === res.body.requestId);
      const error = lines.find((l) => l.level === 'error' && String(l.msg).includes('failed'));
      expect(error?.msg).toContain(
        'GET /api/hardening/boom?code=[REDACTED]&access_token=[REDACTED]&apikey=[REDACTED]&page=2 failed',
      );
      const access = lines.find((l) => l.msg === 'request completed');
      expect(access?.url).toBe(
        '/api/hardening/boom?code=[REDACTED]&access_token=[REDACTED]&apikey=[REDACTED]&page=2',
      );
      const text = JSON.stringify(lines);
      for (const secret of ['c0de-123', 't0ken-456', 'k3y-789']) expect(text).not.toContain(secret);
    });
  });
});
