import { request as httpRequest } from 'node:http';
import { ProbeModule, RequestGate } from '../../../../test/probe.module';
import { startTestApp } from '../../../../test/test-app';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Requests `url` until a connection is refused, and returns that error (at most 10 s). */
async function firstRefusal(url: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await get(url);
    } catch (e) {
      return e;
    }
    if (Date.now() > deadline) throw new Error(`${url} still accepts connections 10 s after close()`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('graceful shutdown (app.close)', () => {
  it('finishes in-flight requests, refuses new connections, then closes the pool', async () => {
    const t = await startTestApp({ imports: [ProbeModule] });
    const base = t.baseUrl.replace('[::1]', '127.0.0.1');
    try {
      const reached = RequestGate.reached();
      const inFlight = get(`${base}/api/probe/slow`);
      await reached;

      const closing = t.app.close();
      // Nest runs the modules' shutdown hooks before it stops listening; on a busy machine that
      // takes a while, so wait for the refusal (the in-flight request stays blocked meanwhile).
      await expect(firstRefusal(`${base}/api/health/live`)).resolves.toMatchObject({ code: 'ECONNREFUSED' });
      expect(t.dataSource.isInitialized).toBe(true); // still serving the request in flight

      RequestGate.open();
      await expect(inFlight).resolves.toEqual({ status: 200, body: '{"done":true}' });
      await closing;
      expect(t.dataSource.isInitialized).toBe(false);
    } finally {
      RequestGate.open();
      await t.database.drop();
    }
  });
});
