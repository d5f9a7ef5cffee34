import { Agent, request as httpRequest } from 'node:http';
import { ProbeModule, RequestGate } from '../../../../test/probe.module';
import { waitFor } from '../../../../test/support/wait-for';
import { startTestApp } from '../../../../test/test-app';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly connection: string | undefined;
}

function get(url: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown (app.close)', () => {
  it('refuses new connections, finishes in-flight requests and ends their connections, then closes the pool', async () => {
    const t = await startTestApp({ imports: [ProbeModule] });
    const base = t.baseUrl.replace('[::1]', '127.0.0.1');
    const server = t.app.getHttpServer();
    const keepAlive = new Agent({ keepAlive: true }); // as browsers and API clients connect
    try {
      const reached = RequestGate.reached();
      const inFlight = get(`${base}/api/probe/slow`, keepAlive);
      await reached;

      const closing = t.app.close();
      // Wait until the listening socket has closed: a connection attempted while it closes can be
      // accepted into its backlog and then reset (ECONNRESET), which proves nothing either way.
      await waitFor(() => !server.listening, 10_000, 'the server still listens after close()');
      await expect(get(`${base}/api/health/live`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(t.dataSource.isInitialized).toBe(true); // still serving the request in flight

      RequestGate.open();
      // Connection: close, so the client does not reuse it and the server does not wait for the
      // keep-alive timeout (72 s) before it may close the pool.
      await expect(inFlight).resolves.toEqual({ status: 200, body: '{"done":true}', connection: 'close' });
      await closing;
      expect(t.dataSource.isInitialized).toBe(false);
    } finally {
      keepAlive.destroy();
      RequestGate.open();
      await t.database.drop();
    }
  });
});
