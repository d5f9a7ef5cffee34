// A stand-in for socket.io-client's Socket at the transport boundary: the unit specs play the
// server's side (connect, disconnect, events, acknowledgements) by hand.
import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';

import { LiveConnection } from '../app/core/live/live-connection';
import { LIVE_SOCKET_FACTORY, LiveSocket, LiveSocketOptions } from '../app/core/live/live-socket';
import { Session } from '../app/core/session/session';
import { tokenResponse, userView } from './auth-fixtures';
import { LiveActor, LiveEvent, LiveWelcome } from '../app/core/live/live-protocol';

type Listener = (...args: unknown[]) => void;

export interface SentMessage {
  readonly event: string;
  readonly payload: unknown;
  readonly ack: ((answer: unknown) => void) | undefined;
}

export class FakeLiveSocket implements LiveSocket {
  connected = false;
  active = false;
  recovered = false;
  connectCalls = 0;
  readonly sent: SentMessage[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly options: LiveSocketOptions) {}

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (answer: unknown) => void) : undefined;
    this.sent.push({ event, payload: args[0], ack });
    return this;
  }

  connect(): this {
    this.connectCalls += 1;
    this.active = true;
    return this;
  }

  disconnect(): this {
    const was = this.connected;
    this.connected = false;
    this.active = false;
    if (was) this.fire('disconnect', 'io client disconnect');
    return this;
  }

  /** The token the handshake would carry now. */
  handshakeToken(): string | null {
    let token: string | null = null;
    this.options.auth((data) => (token = data.token));
    return token;
  }

  // --- the server's side

  acceptConnection(recovered = false): void {
    this.connected = true;
    this.active = true;
    this.recovered = recovered;
    this.fire('connect');
  }

  welcome(overrides: Partial<LiveWelcome> = {}): void {
    this.fire('welcome', {
      serverTime: new Date().toISOString(),
      role: 'responder',
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      eventTypes: [],
      protocol: 2,
      batchWindowMs: 50,
      ...overrides,
    } satisfies LiveWelcome);
  }

  /** The transport dropped: socket.io-client goes on trying by itself (active stays true). */
  lose(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  /** The server's middleware refused the handshake (no automatic retry). */
  refuse(code: string, detail = 'refused'): void {
    this.connected = false;
    this.active = false;
    this.fire('connect_error', Object.assign(new Error(code), { data: { code, detail } }));
  }

  batch(...events: LiveEvent[]): void {
    this.fire('live.batch', { events });
  }

  fire(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  /** Messages of one kind the client sent, e.g. `subscribe`. */
  sentOf(event: string): SentMessage[] {
    return this.sent.filter((m) => m.event === event);
  }

  /** Answers every unanswered subscribe with `{ ok: true }`. */
  ackSubscriptions(): void {
    for (const message of this.sentOf('subscribe')) {
      const ack = message.ack;
      if (ack) {
        (message as { ack: unknown }).ack = undefined;
        ack({ ok: true });
      }
    }
  }
}

/** Provides LIVE_SOCKET_FACTORY; `sockets` lists every socket the service created, newest last. */
export function fakeLiveSockets(): { readonly sockets: FakeLiveSocket[]; readonly provider: unknown } {
  const sockets: FakeLiveSocket[] = [];
  return {
    sockets,
    provider: {
      provide: LIVE_SOCKET_FACTORY,
      useValue: (options: LiveSocketOptions) => {
        const socket = new FakeLiveSocket(options);
        sockets.push(socket);
        return socket;
      },
    },
  };
}

/** The newest socket (fails the test when there is none). */
export function currentSocket(sockets: readonly FakeLiveSocket[]): FakeLiveSocket {
  TestBed.tick(); // LiveConnection follows the session in an effect
  const socket = sockets.at(-1);
  if (!socket) throw new Error('no live socket was created');
  return socket;
}

let eventSequence = 0;

/** Who makes the changes in these events: a user, as the gateway names one. */
export const DANA: LiveActor = { type: 'user', id: 'u-9', label: 'dana.ruiz@example.com' };

/** `incident.updated` for `incident` as it is now (its own version). */
export function incidentUpdated(
  incident: import('../app/core/live/live-protocol').LiveIncident,
  changed: readonly string[] = ['state'],
  actor: LiveActor = DANA,
): LiveEvent {
  eventSequence += 1;
  return {
    type: 'incident.updated',
    v: 1,
    id: `evt-${String(eventSequence)}`,
    at: incident.updatedAt,
    incidentId: incident.id,
    actor,
    version: incident.version,
    changed,
    incident,
  };
}

export function incidentCreated(incident: import('../app/core/live/live-protocol').LiveIncident): LiveEvent {
  eventSequence += 1;
  return {
    type: 'incident.created',
    v: 1,
    id: `evt-${String(eventSequence)}`,
    at: incident.createdAt,
    incidentId: incident.id,
    actor: DANA,
    version: incident.version,
    incident,
  };
}

export function incidentCommented(incidentId: string, body: string): LiveEvent {
  eventSequence += 1;
  const at = new Date().toISOString();
  return {
    type: 'incident.commented',
    v: 1,
    id: `evt-${String(eventSequence)}`,
    at,
    incidentId,
    actor: DANA,
    entry: {
      id: `entry-${String(eventSequence)}`,
      kind: 'comment',
      body,
      author: { id: 'u-9', name: 'Dana Ruiz' },
      at,
    },
  };
}

/**
 * Signs `Session` in (answers its login request) so LiveConnection opens its socket; returns that
 * socket, connected and welcomed.
 */
export function signInLive(
  sockets: readonly FakeLiveSocket[],
  role: 'admin' | 'responder' | 'viewer' = 'responder',
): FakeLiveSocket {
  const session = TestBed.inject(Session);
  TestBed.inject(LiveConnection); // created before sign-in, as the shell does
  session.login('someone@example.test', 'pw').subscribe();
  TestBed.inject(HttpTestingController)
    .expectOne('/api/auth/login')
    .flush(tokenResponse(userView({ role })));
  const socket = currentSocket(sockets);
  socket.acceptConnection();
  socket.welcome({ role });
  return socket;
}
