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

describe('graceful shutdown (app.close)', () => {
  it('finishes in-flight requests, refuses new connections, then closes the pool', async () => {
    const t = await startTestApp({ imports: [ProbeModule] });
    const base = t.baseUrl.replace('[::1]', '127.0.0.1');
    try {
      const reached = RequestGate.reached();
      const inFlight = get(`${base}/api/probe/slow`);
      await reached;

      const closing = t.app.close();
      await new Promise((r) => setTimeout(r, 50));
      await expect(get(`${base}/api/health/live`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
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
