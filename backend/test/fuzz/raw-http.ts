import http from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface RawRequest {
  readonly method: string;
  /** Sent as is: already percent-encoded, never normalised (no `..` resolution, unlike fetch). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/**
 * A bare HTTP/1.1 client: the fuzzer needs byte-exact paths and bodies that fetch and supertest
 * would correct or refuse. Resolves with the answer, or rejects with why there was none.
 */
export class RawHttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly base: URL,
    private readonly timeoutMs: number,
  ) {}

  /**
   * A kept-alive socket the server has just closed (it closes after a 431, say) fails the next
   * request before a byte is answered; that request is sent again once on a new socket, as Node's
   * documentation advises. Any other failure is the answer's.
   */
  async send(req: RawRequest): Promise<RawResponse> {
    try {
      return await this.sendOnce(req);
    } catch (e) {
      if ((e as { reusedSocket?: boolean }).reusedSocket !== true) throw e;
      return this.sendOnce(req);
    }
  }

  private sendOnce(req: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method: req.method,
          path: req.path,
          agent: this.agent,
          headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      outgoing.on('error', (e: NodeJS.ErrnoException) =>
        reject(Object.assign(e, { reusedSocket: outgoing.reusedSocket && e.code === 'ECONNRESET' })),
      );
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
