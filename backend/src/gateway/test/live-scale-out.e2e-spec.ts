import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { TcpProxy } from '../../../test/support/tcp-proxy';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { LiveNamespaceProbe, LiveNamespaceProbeModule } from './live-namespace-probe';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const WAIT_MS = 10_000;
/** How long "not delivered" is watched for: far above a delivery's time on a loaded machine. */
const QUIET_MS = 1500;

/** A frame naming `marker`, sent to every admin socket (as analytics.refreshed is to role rooms). */
function emitFrom(t: TestApp, marker: string, local = false): void {
  const namespace = t.app.get(LiveNamespaceProbe).namespace;
  const frame = {
    events: [
      { type: 'analytics.refreshed', v: 1, id: marker, at: new Date().toISOString(), refreshedAt: marker },
    ],
  };
  (local ? namespace.local : namespace).to('role:admin').emit('live.batch', frame);
}

/** A socket.io client of /live that keeps every frame it receives, whatever its event name. */
class Client {
  readonly frames: { readonly event: string; readonly body: string }[] = [];

  private constructor(readonly socket: Socket) {
    socket.onAny((event: string, ...args: unknown[]) =>
      this.frames.push({ event, body: JSON.stringify(args) }),
    );
  }

  static async open(t: TestApp, who: SignedIn, options: Parameters<typeof io>[1] = {}): Promise<Client> {
    const socket = io(`${t.baseUrl}/live`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token: who.accessToken },
      ...options,
    });
    const client = new Client(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('welcome', () => resolve());
      socket.once('connect_error', reject);
    });
    // Protocol 2 feeds incident events to the `feed` room; an older gateway feeds every socket.
    await socket
      .timeout(WAIT_MS)
      .emitWithAck('subscribe', { room: 'feed' })
      .catch(() => undefined);
    return client;
  }

  saw(marker: string): boolean {
    return this.frames.some((f) => f.body.includes(marker));
  }

  waitFor(marker: string, ms = WAIT_MS): Promise<true> {
    return eventually(() => (this.saw(marker) ? true : undefined), ms, `a frame naming ${marker}`);
  }

  async stillNotSeen(marker: string): Promise<boolean> {
    await new Promise((r) => setTimeout(r, QUIET_MS));
    return !this.saw(marker);
  }

  close(): void {
    this.socket.close();
  }
}

async function newIncident(t: TestApp, by: SignedIn): Promise<string> {
  const res = await t.http
    .post('/api/incidents')
    .set('authorization', by.bearer)
    .send({ title: `Scale-out probe ${randomUUID()}`, impact: 3, urgency: 3 })
    .expect(201);
  return (res.body as { id: string }).id;
}

/** Two instances of the app on one database; `env` for both. */
async function twoInstances(
  env: Record<string, string>,
): Promise<{ a: TestApp; b: TestApp; close(): Promise<void> }> {
  const imports = [LiveNamespaceProbeModule];
  const a = await startTestApp({ env, imports, keepDatabase: true });
  const b = await startTestApp({ env, imports, database: a.database });
  return {
    a,
    b,
    close: async () => {
      await b.close();
      await a.close();
      await a.database.drop();
    },
  };
}

/** A key prefix of this run's own, so parallel runs on one Redis never read each other's streams. */
function redisEnv(prefix: string, url = REDIS_URL): Record<string, string> {
  return { REDIS_URL: url, REDIS_KEY_PREFIX: prefix };
}

async function dropKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      if (keys.length > 0) await redis.del(keys);
    }
  } finally {
    redis.destroy();
  }
}

describe('live gateway on two instances (one PostgreSQL, one Redis)', () => {
  const prefix = `nexecute-test:${randomUUID()}`;
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  let admin: SignedIn;
  const clients: Client[] = [];
  const open = async (t: TestApp, options?: Parameters<typeof io>[1]): Promise<Client> => {
    const c = await Client.open(t, admin, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    pair = await twoInstances(redisEnv(prefix));
    admin = await signInAsAdmin(pair.a);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await pair?.close();
    await dropKeys(prefix);
  });

  it('delivers a change made through instance A’s REST API to a client of instance B', async () => {
    const onB = await open(pair.b);
    const incidentId = await newIncident(pair.a, admin);
    await onB.waitFor(incidentId);
  });

  it('carries an event emitted by instance A alone to a client of B, through Redis', async () => {
    const onB = await open(pair.b);
    const onA = await open(pair.a);
    const marker = `everywhere-${randomUUID()}`;
    emitFrom(pair.a, marker);
    await onB.waitFor(marker);
    await onA.waitFor(marker);
    // The stream holds it: it went through Redis, under this run's prefix.
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const entries = await redis.xRange(`${prefix}:stream`, '-', '+');
      expect(entries.some((e) => JSON.stringify(e.message).includes(marker))).toBe(true);
    } finally {
      redis.destroy();
    }
    // A `.local` broadcast stays on its instance.
    const local = `local-${randomUUID()}`;
    emitFrom(pair.a, local, true);
    await onA.waitFor(local);
    expect(await onB.stillNotSeen(local)).toBe(true);
  });

  it('reports Redis in readiness', async () => {
    const res = await pair.b.http.get('/api/health/ready').expect(200);
    expect(res.body).toMatchObject({ checks: { redis: { status: 'up', pingMs: expect.any(Number) } } });
  });

  it('recovers a client cut off for a moment, with every frame it missed, on the same instance', async () => {
    const onB = await open(pair.b, { reconnection: true, reconnectionDelay: 1000, randomizationFactor: 0 });
    const before = `before-${randomUUID()}`;
    emitFrom(pair.a, before);
    await onB.waitFor(before); // the client now has an offset to come back with
    const socket = onB.socket;
    const reconnected = new Promise<void>((resolve) => socket.io.once('reconnect', () => resolve()));
    socket.io.engine.close(); // the transport drops, as a network cut would
    expect(socket.connected).toBe(false);
    // Meanwhile: an event through Redis from A, and an incident change through A's REST API.
    const missed = `missed-${randomUUID()}`;
    emitFrom(pair.a, missed);
    const incidentId = await newIncident(pair.a, admin);
    const framesBefore = onB.frames.length;
    await reconnected;
    await eventually(() => (socket.connected ? true : undefined), WAIT_MS, 'the reconnect');
    const recovered = (socket as Socket & { recovered: boolean }).recovered;
    expect(recovered).toBe(true);
    await onB.waitFor(missed);
    await onB.waitFor(incidentId);
    expect(onB.frames.length).toBeGreaterThan(framesBefore);
    // Recovery replayed everything, so the client is not sent to REST for a resync it does not need.
    expect(onB.frames.filter((f) => f.event === 'live.resync')).toEqual([]);
  });

  it('does not claim recovery when the client comes back on the other instance (it resyncs over REST)', async () => {
    const onB = await open(pair.b);
    const before = `before-${randomUUID()}`;
    emitFrom(pair.a, before);
    await onB.waitFor(before);
    const state = onB.socket as unknown as { _pid?: string; _lastOffset?: string };
    expect(typeof state._pid).toBe('string');
    expect(typeof state._lastOffset).toBe('string');
    onB.socket.io.engine.close();
    const onA = await open(pair.a, {
      auth: { token: admin.accessToken, pid: state._pid, offset: state._lastOffset },
    });
    expect((onA.socket as Socket & { recovered: boolean }).recovered).toBe(false);
  });
});

describe('live gateway on two instances without Redis (the control)', () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  let admin: SignedIn;
  beforeAll(async () => {
    pair = await twoInstances({});
    admin = await signInAsAdmin(pair.a);
  });
  afterAll(() => pair?.close());

  it('keeps an event emitted by instance A on A: without the adapter it never reaches B', async () => {
    const onB = await Client.open(pair.b, admin);
    const onA = await Client.open(pair.a, admin);
    try {
      const marker = `unshared-${randomUUID()}`;
      emitFrom(pair.a, marker);
      await onA.waitFor(marker);
      expect(await onB.stillNotSeen(marker)).toBe(true);
      // B's client is listening: B's own broadcast reaches it.
      const own = `own-${randomUUID()}`;
      emitFrom(pair.b, own);
      await onB.waitFor(own);
      const res = await pair.b.http.get('/api/health/ready').expect(200);
      expect((res.body as { checks: Record<string, unknown> }).checks['redis']).toBeUndefined();
    } finally {
      onA.close();
      onB.close();
    }
  });
});

describe('live gateway when Redis is away', () => {
  const prefix = `nexecute-test:${randomUUID()}`;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    proxy = await TcpProxy.start(REDIS_URL);
    await proxy.refuse(); // down from the start
    t = await startTestApp({
      env: redisEnv(prefix, proxy.urlFor(REDIS_URL)),
      imports: [LiveNamespaceProbeModule],
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await dropKeys(prefix);
  });

  it('starts, serves REST and its own sockets, reports Redis down, and uses Redis once it is back', async () => {
    const ready = await t.http.get('/api/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      checks: { redis: { status: expect.stringMatching(/down|connecting/) } },
    });
    const client = await Client.open(t, admin);
    try {
      const offline = `offline-${randomUUID()}`;
      const sent = Date.now();
      emitFrom(t, offline);
      await client.waitFor(offline);
      // Delivered without waiting on Redis (no offline queue): well within a reconnect back-off.
      expect(Date.now() - sent).toBeLessThan(2000);
      await newIncident(t, admin);

      await proxy.forward();
      await eventually(
        async () => {
          const res = await t.http.get('/api/health/ready').expect(200);
          return (res.body as { checks: { redis: { status: string } } }).checks.redis.status === 'up'
            ? true
            : undefined;
        },
        WAIT_MS,
        'Redis reported up again',
      );

      // Lost while running: still no crash, REST answers, local delivery goes on.
      await proxy.refuse();
      const cut = `cut-${randomUUID()}`;
      emitFrom(t, cut);
      await client.waitFor(cut);
      await eventually(
        async () => {
          const res = await t.http.get('/api/health/ready').expect(200);
          return (res.body as { checks: { redis: { status: string } } }).checks.redis.status === 'down'
            ? true
            : undefined;
        },
        WAIT_MS,
        'Redis reported down',
      );
      await newIncident(t, admin);
      const warnings = t
        .logs()
        .filter((l) => l.level === 'warn' && String(l.msg).includes('Redis unreachable'));
      expect(warnings.length).toBeLessThanOrEqual(2); // once per outage, not once per retry
    } finally {
      client.close();
    }
  });
});
