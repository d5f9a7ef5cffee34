import { JwtService } from '@nestjs/jwt';
import { io, type Socket } from 'socket.io-client';
import type { SignedIn } from '../../../test/sign-in';
import type { TestApp } from '../../../test/test-app';
import { JWT_AUDIENCE, JWT_ISSUER } from '../../auth/access-tokens';
import type { Role } from '../../common/auth/roles';
import {
  LIVE_ACCESS_CHANGED,
  LIVE_ACCESS_ENDED,
  LIVE_BATCH,
  LIVE_ERROR,
  LIVE_RENEW,
  LIVE_RESYNC,
  LIVE_SUBSCRIBE,
  LIVE_UNSUBSCRIBE,
  LIVE_WELCOME,
  type LiveAccessChanged,
  type LiveAck,
  type LiveBatch,
  type LiveEvent,
  type LiveProblem,
  type LiveRefusal,
  type LiveRenewAck,
  type LiveResync,
  type LiveWelcome,
} from '../live-protocol';

/** Long enough for a loaded machine; what a test promises is asserted on measured times. */
const WAIT_MS = 10_000;

export function connect(baseUrl: string, token: string | undefined): Socket {
  return io(`${baseUrl}/live`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(token === undefined ? {} : { auth: { token } }),
  });
}

/** A frame as received: its events and when it arrived (performance.now()). */
export interface ReceivedBatch {
  readonly events: readonly LiveEvent[];
  readonly at: number;
}

/** The incident an event is about, if any. */
export const incidentOf = (e: LiveEvent): string | undefined =>
  'incidentId' in e ? e.incidentId : undefined;

/** A real Socket.IO client of /live that records everything the server tells it, with times. */
export class LiveTestClient {
  readonly events: LiveEvent[] = [];
  readonly batches: ReceivedBatch[] = [];
  readonly errors: LiveProblem[] = [];
  readonly resyncs: LiveResync[] = [];
  readonly changes: LiveAccessChanged[] = [];
  ended: { readonly problem: LiveProblem; readonly at: number } | undefined;
  disconnected: { readonly reason: string; readonly at: number } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: Socket,
    readonly welcome: LiveWelcome,
  ) {
    socket.on(LIVE_BATCH, (batch: LiveBatch) =>
      this.record(() => {
        this.batches.push({ events: batch.events, at: performance.now() });
        this.events.push(...batch.events);
      }),
    );
    socket.on(LIVE_ERROR, (problem: LiveProblem) => this.record(() => this.errors.push(problem)));
    socket.on(LIVE_RESYNC, (body: LiveResync) => this.record(() => this.resyncs.push(body)));
    socket.on(LIVE_ACCESS_CHANGED, (change: LiveAccessChanged) =>
      this.record(() => this.changes.push(change)),
    );
    socket.on(LIVE_ACCESS_ENDED, (problem: LiveProblem) =>
      this.record(() => (this.ended = { problem, at: Date.now() })),
    );
    socket.on('disconnect', (reason) => this.record(() => (this.disconnected = { reason, at: Date.now() })));
  }

  /**
   * Connects, waits for the welcome and (unless `feed: false`) subscribes to the feed; rejects
   * with the refusal if the handshake is refused.
   */
  static async open(t: TestApp, token: string, options: { feed?: boolean } = {}): Promise<LiveTestClient> {
    const socket = connect(t.baseUrl, token);
    const client = await new Promise<LiveTestClient>((resolve, reject) => {
      socket.once(LIVE_WELCOME, (welcome: LiveWelcome) => resolve(new LiveTestClient(socket, welcome)));
      socket.once('connect_error', (e: Error & { data?: LiveRefusal }) => {
        socket.close();
        reject(Object.assign(new Error(`refused: ${JSON.stringify(e.data)}`), { data: e.data }));
      });
    });
    if (options.feed !== false) expect(await client.subscribe({ room: 'feed' })).toEqual({ ok: true });
    return client;
  }

  /** The refusal of a handshake that must be refused. */
  static async refusal(t: TestApp, token: string | undefined): Promise<LiveRefusal | undefined> {
    const socket = connect(t.baseUrl, token);
    try {
      return await new Promise((resolve, reject) => {
        socket.once('connect_error', (e: Error & { data?: LiveRefusal }) => resolve(e.data));
        socket.once(LIVE_WELCOME, () => reject(new Error('the handshake was admitted')));
      });
    } finally {
      socket.close();
    }
  }

  /** Resolves with the condition's value once it holds; rejects after `ms`. */
  until<T>(condition: () => T | undefined, what: string, ms = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = condition();
        if (value === undefined) return false;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Access ended: the problem it was told, then the server's disconnect. */
  async whenEnded(): Promise<{ readonly problem: LiveProblem; readonly at: number }> {
    const ended = await this.until(() => this.ended, 'access.ended');
    await this.until(() => this.disconnected, 'the disconnect');
    return ended;
  }

  receivedFor(incidentId: string, type?: string): LiveEvent | undefined {
    return this.events.find((e) => incidentOf(e) === incidentId && (type === undefined || e.type === type));
  }

  eventFor(incidentId: string, type?: string): Promise<LiveEvent> {
    return this.until(() => this.receivedFor(incidentId, type), `an event about ${incidentId}`);
  }

  subscribe(body: unknown): Promise<LiveAck> {
    return this.socket.timeout(WAIT_MS).emitWithAck(LIVE_SUBSCRIBE, body) as Promise<LiveAck>;
  }

  unsubscribe(body: unknown): Promise<LiveAck> {
    return this.socket.timeout(WAIT_MS).emitWithAck(LIVE_UNSUBSCRIBE, body) as Promise<LiveAck>;
  }

  renew(body: unknown): Promise<LiveRenewAck> {
    return this.socket.timeout(WAIT_MS).emitWithAck(LIVE_RENEW, body) as Promise<LiveRenewAck>;
  }

  /** Cuts the transport as a network failure would (the server keeps the session for recovery). */
  async cut(): Promise<void> {
    this.socket.io.engine.close();
    await this.until(() => this.disconnected, 'the disconnect');
  }

  /** Connects the same socket again; resolves with the new welcome (see `socket.recovered`). */
  async reconnect(): Promise<LiveWelcome> {
    this.disconnected = undefined;
    const welcomed = new Promise<LiveWelcome>((resolve) => this.socket.once(LIVE_WELCOME, resolve));
    this.socket.connect();
    return welcomed;
  }

  /**
   * Each incident as the client knows it: the newest version seen (created/updated events with
   * a version at or below it are stale and ignored, as docs/live.md tells clients to do).
   */
  incidents(): Map<string, { version: number; updatedAt: string }> {
    const known = new Map<string, { version: number; updatedAt: string }>();
    for (const e of this.events) {
      if (e.type !== 'incident.created' && e.type !== 'incident.updated') continue;
      const seen = known.get(e.incidentId);
      if (seen && e.incident.version <= seen.version) continue;
      known.set(e.incidentId, { version: e.incident.version, updatedAt: e.incident.updatedAt });
    }
    return known;
  }

  close(): void {
    this.socket.close();
  }

  private record(change: () => unknown): void {
    change();
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The session id an access token carries (`sid`). */
export function sessionIdOf(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid: string }).sid;
}

/**
 * An access token signed exactly as the app signs them (its JwtService, issuer, audience), but
 * living `seconds`: ACCESS_TOKEN_TTL_SECONDS cannot go below 60, too long for a test to wait.
 */
export function accessTokenFor(
  t: TestApp,
  who: { readonly userId: string; readonly sessionId: string; readonly role: Role },
  seconds: number,
): Promise<string> {
  return t.app
    .get(JwtService)
    .signAsync(
      { sid: who.sessionId, role: who.role },
      { subject: who.userId, expiresIn: seconds, issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
    );
}

/** An incident created over REST by `by`: its incident.created reaches every socket that may read it. */
export async function newIncident(t: TestApp, by: SignedIn): Promise<string> {
  const res = await t.http
    .post('/api/incidents')
    .set('authorization', by.bearer)
    .send({ title: 'Live feed probe', impact: 3, urgency: 3 })
    .expect(201);
  return (res.body as { id: string }).id;
}

/** Still connected and still fed: the socket receives an incident created after whatever happened. */
export async function expectStillFed(t: TestApp, admin: SignedIn, client: LiveTestClient): Promise<void> {
  await client.eventFor(await newIncident(t, admin));
  expect(client.ended).toBeUndefined();
  expect(client.socket.connected).toBe(true);
}

/** A PATCH over REST (a real commit); returns the incident's new version. */
export async function updateIncident(t: TestApp, by: SignedIn, id: string, title: string): Promise<number> {
  const res = await t.http
    .patch(`/api/incidents/${id}`)
    .set('authorization', by.bearer)
    .send({ title })
    .expect(200);
  return (res.body as { version: number }).version;
}
