import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forwarding' | 'refusing' | 'blackhole';

/**
 * A TCP proxy between the app and PostgreSQL that a test can break on purpose: `refuse()` drops
 * every connection and refuses new ones (a database that went away), `blackhole()` keeps
 * connections open but lets no byte through either way (a host that stopped answering), and
 * `forward()` heals it. The app under test sees real socket errors and real silence.
 */
export class TcpProxy {
  private mode: ProxyMode = 'forwarding';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private server: Server | undefined;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private listenPort: number,
  ) {}

  static async start(targetUrl: string): Promise<TcpProxy> {
    const target = new URL(targetUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432), 0);
    await proxy.listen();
    return proxy;
  }

  /** `targetUrl` with its host and port replaced by the proxy's. */
  urlFor(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.listenPort);
    return url.toString();
  }

  get connections(): number {
    return this.pairs.size;
  }

  async forward(): Promise<void> {
    this.mode = 'forwarding';
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
    if (!this.server) await this.listen();
  }

  /** Drops every connection and closes the port: new connections get ECONNREFUSED. */
  async refuse(): Promise<void> {
    this.mode = 'refusing';
    const server = this.server;
    this.server = undefined;
    for (const pair of this.pairs) this.drop(pair);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Connections stay open (new ones are accepted) but no byte passes either way. */
  async blackhole(): Promise<void> {
    this.mode = 'blackhole';
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    await this.refuse();
  }

  private drop(pair: { client: Socket; upstream: Socket }): void {
    pair.client.destroy();
    pair.upstream.destroy();
    this.pairs.delete(pair);
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) this.listenPort = address.port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = { client, upstream };
    this.pairs.add(pair);
    // A paused side (blackhole) holds its bytes, as a silent network would; resuming delivers them.
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => this.drop(pair);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    if (this.mode === 'blackhole') {
      client.pause();
      upstream.pause();
    }
  }
}
