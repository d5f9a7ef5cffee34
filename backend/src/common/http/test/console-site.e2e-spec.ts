import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { startTestApp, type TestApp } from '../../../../test/test-app';

const html = 'text/html,application/xhtml+xml';

describe('console site (GET /, SPA fallback, static files)', () => {
  describe('with a built console', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(() => t.close());

    it('serves index.html at / without caching it', async () => {
      const res = await t.http
        .get('/')
        .set('accept', html)
        .expect(200)
        .expect('content-type', /text\/html/);
      expect(res.text).toContain('<nx-root></nx-root>');
      expect(res.headers['cache-control']).toBe('no-cache');
    });

    it('serves index.html for a deep link so the router can take over', async () => {
      const res = await t.http.get('/incidents/3f0c1a52?tab=timeline').set('accept', html).expect(200);
      expect(res.text).toContain('<nx-root></nx-root>');
    });

    it.each([
      ['curl (Accept: */*)', '/', '*/*'],
      ['a client that sends no Accept', '/incidents', undefined],
      ['a deep link fetched as JSON by mistake', '/incidents/42', 'application/json'],
    ])('serves the page to %s: any GET of a console route outside /api', async (_who, path, accept) => {
      const req = t.http.get(path);
      const res = await (accept === undefined ? req.unset('accept') : req.set('accept', accept)).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('<nx-root></nx-root>');
    });

    it('treats only /api and /socket.io as server paths, not pages that merely start alike', async () => {
      const res = await t.http.get('/apiary-integration').set('accept', html).expect(200);
      expect(res.text).toContain('<nx-root></nx-root>');
    });

    it('serves hashed bundles with a year-long immutable cache', async () => {
      const res = await t.http
        .get('/main-ABCDEFGH.js')
        .expect(200)
        .expect('content-type', /javascript/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });

    it('sends the precompressed copy to clients that accept it', async () => {
      // node:http rather than supertest, which would decompress before we could look.
      const res = await new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        get(`${t.baseUrl}/main-ABCDEFGH.js`, { headers: { 'accept-encoding': 'br, gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['vary']).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(res.body).toString()).toContain('document.title');
    });

    it('answers a missing file with a 404 problem, not the page', async () => {
      const res = await t.http.get('/main-MISSING1.js').set('accept', '*/*').expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    });

    it('never answers an API path with the page, even for a browser', async () => {
      const res = await t.http.get('/api/incidents-typo').set('accept', html).expect(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });
  });

  describe('without a build', () => {
    let t: TestApp;
    let empty: string;
    beforeAll(async () => {
      empty = await mkdtemp(join(tmpdir(), 'nexecute-no-console-'));
      t = await startTestApp({ env: { CONSOLE_DIR: empty } });
    });
    afterAll(async () => {
      await t.close();
      await rm(empty, { recursive: true, force: true });
    });

    it('says how to build the console, and the API still works', async () => {
      const res = await t.http.get('/').set('accept', html).expect(503);
      expect(res.body).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        detail: expect.stringContaining('npm run build'),
      });
      await t.http.get('/api/health/live').expect(200);
    });
  });
});
