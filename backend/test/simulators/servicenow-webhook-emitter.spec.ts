import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  asciiJson,
  ServiceNowWebhookEmitter,
  signWebhook,
  type WebhookEvent,
} from './servicenow-webhook-emitter';

const SECRET = 'nx-test-secret';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Our endpoint's stand-in: records what arrives and answers the statuses queued in `replies`. */
class Receiver {
  readonly received: Received[] = [];
  readonly replies: number[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const receiver = new Receiver(server, `http://127.0.0.1:${address.port}/api/webhooks/servicenow`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(receiver.replies.shift() ?? 202);
        res.end();
      });
    });
    return receiver;
  }

  eventIds(): string[] {
    return this.received.map((entry) => (JSON.parse(entry.body) as WebhookEvent).event_id);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What our endpoint must do (protocols.md §1.7), written independently of signWebhook. */
function verifies(headers: IncomingHttpHeaders, rawBody: string, secret = SECRET): boolean {
  const ts = String(headers['x-nexecute-timestamp']);
  const given = Buffer.from(String(headers['x-nexecute-signature']));
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${ts}.${rawBody}`).digest('hex')}`,
  );
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function event(id: string): WebhookEvent {
  return {
    event_id: id,
    event: 'incident.updated',
    record: { sys_id: 'a'.repeat(32), number: 'INC0010001' },
  };
}

describe('ServiceNowWebhookEmitter', () => {
  let receiver: Receiver;
  let emitter: ServiceNowWebhookEmitter;

  beforeEach(async () => {
    receiver = await Receiver.start();
    emitter = new ServiceNowWebhookEmitter({ url: receiver.url, secret: SECRET, retryDelayMs: 10 });
  });

  afterEach(async () => {
    emitter.close();
    await receiver.close();
  });

  it('reproduces the golden vector of protocols.md §1.7', () => {
    const body =
      '{"event_id":"evt-0001","event":"incident.updated","record":{"sys_id":"a9e30c7dc61122760116894de7bcc7bd","number":"INC0000046","state":"2"}}';
    expect(signWebhook(SECRET, '1700000000', body)).toBe(
      'sha256=5161c4926d81463e995033737e493031ad9c5f16a91b6ea223975f96bb1f5dfc',
    );
    expect(
      asciiJson({
        event_id: 'evt-0001',
        event: 'incident.updated',
        record: { sys_id: 'a9e30c7dc61122760116894de7bcc7bd', number: 'INC0000046', state: '2' },
      }),
    ).toBe(body);
  });

  it('escapes non-ASCII as \\uXXXX so the signed bytes are the sent bytes', () => {
    expect(asciiJson({ text: 'Café – ok' })).toBe('{"text":"Caf\\u00e9 \\u2013 ok"}');
    expect(JSON.parse(asciiJson({ text: 'Café – ok' }))).toEqual({ text: 'Café – ok' });
  });

  it('posts JSON signed over the timestamp and raw body, in order', async () => {
    emitter.emit(event('e1'));
    emitter.emit(event('e2'));
    await emitter.idle();
    expect(receiver.eventIds()).toEqual(['e1', 'e2']);
    for (const entry of receiver.received) {
      expect(entry.headers['content-type']).toBe('application/json');
      expect(verifies(entry.headers, entry.body)).toBe(true);
      const ts = Number(entry.headers['x-nexecute-timestamp']);
      expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
    }
    expect(emitter.attempts.map((attempt) => [attempt.eventId, attempt.status])).toEqual([
      ['e1', 202],
      ['e2', 202],
    ]);
    expect(emitter.delivered.map((delivered) => delivered.event_id)).toEqual(['e1', 'e2']);
  });

  it('corrupts the signature of the next delivery only', async () => {
    emitter.corruptNextSignatures(1);
    emitter.emit(event('bad'));
    emitter.emit(event('good'));
    await emitter.idle();
    expect(receiver.received.map((entry) => verifies(entry.headers, entry.body))).toEqual([false, true]);
  });

  it('sends a stale timestamp, still correctly signed, when asked', async () => {
    emitter.staleNextTimestamps(1, 600);
    emitter.emit(event('stale'));
    await emitter.idle();
    const [entry] = receiver.received;
    expect(verifies(entry!.headers, entry!.body)).toBe(true);
    expect(Date.now() / 1000 - Number(entry!.headers['x-nexecute-timestamp'])).toBeGreaterThanOrEqual(599);
  });

  it('delivers an event twice with the same event_id and body', async () => {
    emitter.duplicateNext();
    emitter.emit(event('dup'));
    emitter.emit(event('next'));
    await emitter.idle();
    expect(receiver.eventIds()).toEqual(['dup', 'dup', 'next']);
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
  });

  it('holds an event back so a later one overtakes it (out of order)', async () => {
    emitter.holdNext();
    emitter.emit(event('older'));
    emitter.emit(event('newer'));
    await emitter.idle();
    expect(receiver.eventIds()).toEqual(['newer']);
    expect(emitter.heldCount).toBe(1);
    emitter.releaseHeld();
    await emitter.idle();
    expect(receiver.eventIds()).toEqual(['newer', 'older']);
  });

  it('queues while paused and sends in order on resume', async () => {
    emitter.pause();
    emitter.emit(event('p1'));
    emitter.emit(event('p2'));
    await emitter.idle();
    expect(receiver.received).toEqual([]);
    expect(emitter.pendingCount).toBe(2);
    emitter.resume();
    await emitter.idle();
    expect(receiver.eventIds()).toEqual(['p1', 'p2']);
  });

  it('retries a non-2xx answer with back-off, resending the same signed request', async () => {
    receiver.replies.push(503, 500);
    emitter.emit(event('retry'));
    await emitter.idle();
    expect(emitter.attempts.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 503],
      [2, 500],
      [3, 202],
    ]);
    expect(receiver.received.every((entry) => verifies(entry.headers, entry.body))).toBe(true);
    expect(new Set(receiver.received.map((entry) => entry.headers['x-nexecute-signature'])).size).toBe(1);
    const [first, , third] = emitter.attempts;
    expect(third!.at - first!.at).toBeGreaterThanOrEqual(25); // 10 ms, then 20 ms
  });

  it('keeps a corrupted signature on retries, so a refused event is never accepted later', async () => {
    receiver.replies.push(401, 401);
    emitter.configure({ maxAttempts: 2 });
    emitter.corruptNextSignatures();
    emitter.emit(event('refused'));
    emitter.emit(event('fine'));
    await emitter.idle();
    expect(emitter.attempts.map((attempt) => [attempt.eventId, attempt.status])).toEqual([
      ['refused', 401],
      ['refused', 401],
      ['fine', 202],
    ]);
    expect(receiver.received.map((entry) => verifies(entry.headers, entry.body))).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('gives up after maxAttempts and logs network errors', async () => {
    emitter.configure({ url: 'http://127.0.0.1:9/unreachable', maxAttempts: 2 });
    emitter.emit(event('lost'));
    await emitter.idle();
    expect(emitter.attempts).toHaveLength(2);
    expect(
      emitter.attempts.every((attempt) => attempt.status === undefined && attempt.error !== undefined),
    ).toBe(true);
    expect(emitter.delivered).toEqual([]);
  });

  it('skips the integration user when emitFor is others', () => {
    emitter.configure({ emitFor: 'others', integrationUser: 'nexecute.integration' });
    expect(emitter.shouldEmitFor('nexecute.integration')).toBe(false);
    expect(emitter.shouldEmitFor('beth.anglin')).toBe(true);
    emitter.configure({ emitFor: 'all' });
    expect(emitter.shouldEmitFor('nexecute.integration')).toBe(true);
  });
});
