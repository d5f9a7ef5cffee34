import { DestroyRef, effect, inject, Injectable, signal, untracked } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { filter, Observable, Subject } from 'rxjs';

import { signInUrl } from '../auth-guard';
import { REFRESHABLE_CODES } from '../auth-interceptor';
import { toastConfig } from '../../shared/material-config';
import { Session } from '../session/session';
import { LIVE_SOCKET_FACTORY, LiveSocket } from './live-socket';
import {
  AnalyticsRefreshedEvent,
  IncidentEvent,
  IntegrationStatusEvent,
  isIncidentChange,
  isIncidentEvent,
  LIVE_ACCESS_CHANGED,
  LIVE_ACCESS_ENDED,
  LIVE_BATCH,
  LIVE_RENEW,
  LIVE_RESYNC,
  LIVE_SUBSCRIBE,
  LIVE_UNSUBSCRIBE,
  LIVE_WELCOME,
  LiveAck,
  LiveBatch,
  LiveEvent,
  LiveProblem,
  LiveRenewAck,
  LiveRoom,
  LiveWelcome,
} from './live-protocol';

/** What the connection indicator shows. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/**
 * Why consumers must fetch over REST what they show: the connection came back without Socket.IO's
 * state recovery (events were lost), or the server asked for it (`live.resync`).
 */
export interface LiveResync {
  readonly reason: 'reconnected' | 'subscribed' | 'server';
}

/** Renew the socket's token this long before it expires at the latest. */
export const RENEW_MARGIN_MS = 60_000;
/** A subscription whose acknowledgement has not come within this is asked again on the next connect. */
export const ACK_TIMEOUT_MS = 10_000;
/** After a refusal that is not about access (database down): first retry, doubling up to the max. */
export const RETRY_FIRST_MS = 1000;
export const RETRY_MAX_MS = 30_000;
/** Versions remembered per incident; the oldest entries go first beyond this. */
export const MAX_TRACKED_INCIDENTS = 10_000;
/** Event ids remembered to drop a redelivered comment or warning. */
const MAX_SEEN_EVENT_IDS = 2000;

interface RoomEntry {
  readonly room: LiveRoom;
  refs: number;
  /** Acknowledged by the server on the current connection. */
  joined: boolean;
  /** A subscribe is on its way. */
  pending: boolean;
}

const keyOf = (room: LiveRoom): string => (room.room === 'feed' ? 'feed' : `incident:${room.incidentId}`);

/** The live socket refuses this, as REST does, until the temporary password is changed. */
const PASSWORD_CHANGE_REQUIRED = 'AUTH_PASSWORD_CHANGE_REQUIRED';

/**
 * The console's one `/live` socket per signed-in session (docs/live.md, "Client contract").
 *
 * Connects when someone signs in and disconnects on sign-out; the handshake carries the current
 * access token, renewed over `auth.renew` before it expires. Pages `watch()` the rooms they show
 * and read `incidentEvents$`, already in commit order with stale versions dropped; when events may
 * have been lost (a reconnect Socket.IO could not recover, or the server says so) `resync$` tells
 * them to fetch over REST what they show.
 */
@Injectable({ providedIn: 'root' })
export class LiveConnection {
  private readonly session = inject(Session);
  private readonly router = inject(Router);
  private readonly snackBar = inject(MatSnackBar);
  private readonly createSocket = inject(LIVE_SOCKET_FACTORY);

  private readonly stateSignal = signal<LiveState>('offline');
  /** 'connecting' until the first connect, 'live', 'reconnecting' after a loss, 'offline' when signed out or refused. */
  readonly state = this.stateSignal.asReadonly();
  private readonly problemSignal = signal<LiveProblem | null>(null);
  /** Why the connection is not live, when the server said so. */
  readonly problem = this.problemSignal.asReadonly();

  private readonly events = new Subject<LiveEvent>();
  /** Incident events of the watched rooms, in commit order, stale versions and repeats dropped. */
  readonly incidentEvents$: Observable<IncidentEvent> = this.events.pipe(filter(isIncidentEvent));
  /** The analytics views were refreshed: time to reload the charts. */
  readonly analyticsRefreshed$: Observable<AnalyticsRefreshedEvent> = this.events.pipe(
    filter((e): e is AnalyticsRefreshedEvent => e.type === 'analytics.refreshed'),
  );
  /** ServiceNow / Slack health (admins only). */
  readonly integrationStatus$: Observable<IntegrationStatusEvent> = this.events.pipe(
    filter((e): e is IntegrationStatusEvent => e.type === 'integration.status'),
  );
  private readonly resyncs = new Subject<LiveResync>();
  readonly resync$: Observable<LiveResync> = this.resyncs.asObservable();

  private socket: LiveSocket | null = null;
  private userId: string | null = null;
  /** The socket has connected at least once: later connects are reconnects. */
  private hasConnected = false;
  /** The server ended access: do not reconnect. */
  private ended = false;
  /** One token refresh per refused handshake streak, so a bad token cannot loop. */
  private refreshedForRetry = false;
  private retryDelayMs = RETRY_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Server clock minus ours, from `welcome`, so renewals are timed on the server's clock. */
  private clockSkewMs = 0;

  private readonly rooms = new Map<string, RoomEntry>();
  private readonly versions = new Map<string, number>();
  private readonly seenEventIds = new Set<string>();

  constructor() {
    // Follows the signed-in user: a new user (or none) means a new socket (or none). A user who
    // must change a temporary password reads nothing yet (REST answers 403 too): no socket until then.
    effect(() => {
      const admitted = this.session.isSignedIn() && !this.session.mustChangePassword();
      const userId = admitted ? (this.session.user()?.id ?? null) : null;
      untracked(() => {
        this.follow(userId);
      });
    });
    inject(DestroyRef).onDestroy(() => {
      this.stop();
    });
  }

  /**
   * Joins `room` (shared: the server hears one subscribe however many pages watch it) until the
   * returned function is called.
   */
  watch(room: LiveRoom): () => void {
    const key = keyOf(room);
    let entry = this.rooms.get(key);
    if (!entry) {
      entry = { room, refs: 0, joined: false, pending: false };
      this.rooms.set(key, entry);
    }
    entry.refs += 1;
    this.join(entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }

  /** The highest version seen for `incidentId` on the wire (0: none). */
  versionOf(incidentId: string): number {
    return this.versions.get(incidentId) ?? 0;
  }

  // ---------------------------------------------------------------------------------------------

  private follow(userId: string | null): void {
    if (userId === this.userId) return;
    this.stop();
    this.userId = userId;
    if (userId !== null) this.start();
  }

  private start(): void {
    this.ended = false;
    this.hasConnected = false;
    this.refreshedForRetry = false;
    this.retryDelayMs = RETRY_FIRST_MS;
    this.problemSignal.set(null);
    const socket = this.createSocket({
      auth: (callback) => {
        callback({ token: this.session.accessToken() });
      },
    });
    this.socket = socket;
    // Events of a socket that was replaced meanwhile are ignored.
    const mine =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A) => {
        if (this.socket === socket) handler(...args);
      };
    socket.on(
      'connect',
      mine(() => {
        this.onConnect(socket);
      }),
    );
    socket.on(
      'disconnect',
      mine((reason: string) => {
        this.onDisconnect(socket, reason);
      }),
    );
    socket.on(
      'connect_error',
      mine((error: { data?: Partial<LiveProblem> }) => {
        this.onConnectError(socket, error);
      }),
    );
    socket.on(
      LIVE_WELCOME,
      mine((welcome: LiveWelcome) => {
        this.onWelcome(welcome);
      }),
    );
    socket.on(
      LIVE_BATCH,
      mine((batch: unknown) => {
        this.onBatch(batch);
      }),
    );
    socket.on(
      LIVE_RESYNC,
      mine(() => {
        this.resyncs.next({ reason: 'server' });
      }),
    );
    socket.on(
      LIVE_ACCESS_CHANGED,
      mine(() => {
        this.onAccessChanged();
      }),
    );
    socket.on(
      LIVE_ACCESS_ENDED,
      mine((problem: LiveProblem) => {
        this.onAccessEnded(problem);
      }),
    );
    this.stateSignal.set('connecting');
    socket.connect();
  }

  private stop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.renewTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.disconnect();
    for (const entry of this.rooms.values()) {
      entry.joined = false;
      entry.pending = false;
    }
    this.versions.clear();
    this.seenEventIds.clear();
    this.stateSignal.set('offline');
  }

  private onConnect(socket: LiveSocket): void {
    const reconnect = this.hasConnected;
    this.hasConnected = true;
    this.refreshedForRetry = false;
    this.retryDelayMs = RETRY_FIRST_MS;
    this.problemSignal.set(null);
    this.stateSignal.set('live');
    if (reconnect && socket.recovered) {
      // The server restored the rooms and replays what was missed; only unanswered subscribes go again.
      for (const entry of this.rooms.values()) this.join(entry);
      return;
    }
    for (const entry of this.rooms.values()) {
      entry.joined = false;
      entry.pending = false;
      this.join(entry);
    }
    // Pages loaded what they show over REST before this connection could carry their events.
    if (this.rooms.size > 0) this.resyncs.next({ reason: reconnect ? 'reconnected' : 'subscribed' });
  }

  private onDisconnect(socket: LiveSocket, reason: string): void {
    clearTimeout(this.renewTimer);
    for (const entry of this.rooms.values()) entry.pending = false;
    if (this.ended || reason === 'io client disconnect') {
      this.stateSignal.set('offline');
      return;
    }
    this.stateSignal.set('reconnecting');
    // A server-side disconnect is final for socket.io-client; anything else it retries itself.
    if (reason === 'io server disconnect') this.retry(socket, 0);
  }

  private onConnectError(socket: LiveSocket, error: { data?: Partial<LiveProblem> }): void {
    if (socket.active) {
      // A transport failure: socket.io-client retries with its backoff.
      this.stateSignal.set(this.hasConnected ? 'reconnecting' : 'connecting');
      return;
    }
    const code = error.data?.code ?? '';
    if (REFRESHABLE_CODES.has(code) && !this.refreshedForRetry) {
      // The token expired meanwhile (a sleeping laptop): a fresh one, then again.
      this.refreshedForRetry = true;
      this.stateSignal.set(this.hasConnected ? 'reconnecting' : 'connecting');
      this.session.refresh().subscribe({
        next: () => {
          if (this.socket === socket) socket.connect();
        },
        // The session is over: Session cleared itself and the effect above stops the socket.
        error: () => undefined,
      });
      return;
    }
    if (code.startsWith('AUTH_')) {
      this.endAccess({ code, detail: error.data?.detail ?? 'Live updates were refused.' });
      return;
    }
    // Not about access (the database, an internal error): keep trying, more slowly each time.
    this.problemSignal.set(code ? { code, detail: error.data?.detail ?? '' } : null);
    this.stateSignal.set(this.hasConnected ? 'reconnecting' : 'connecting');
    this.retry(socket, this.retryDelayMs);
    this.retryDelayMs = Math.min(RETRY_MAX_MS, this.retryDelayMs * 2);
  }

  private retry(socket: LiveSocket, delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket && !socket.connected) socket.connect();
    }, delayMs);
  }

  private onWelcome(welcome: LiveWelcome): void {
    const serverNow = Date.parse(welcome.serverTime);
    this.clockSkewMs = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
    this.scheduleRenew(welcome.expiresAt);
  }

  /** Renews at 80 % of the token's remaining life, and at least RENEW_MARGIN_MS before it ends. */
  private scheduleRenew(expiresAt: string): void {
    clearTimeout(this.renewTimer);
    const expiry = Date.parse(expiresAt);
    if (Number.isNaN(expiry)) return;
    const remaining = expiry - (Date.now() + this.clockSkewMs);
    const delay = Math.max(0, Math.min(remaining * 0.8, remaining - RENEW_MARGIN_MS));
    this.renewTimer = setTimeout(() => {
      this.renew();
    }, delay);
  }

  private renew(): void {
    const socket = this.socket;
    if (!socket) return;
    this.session.refresh().subscribe({
      next: (token) => {
        if (this.socket !== socket || !socket.connected) return;
        socket.emit(LIVE_RENEW, { token }, (ack: LiveRenewAck) => {
          if (this.socket !== socket) return;
          if (ack.ok) {
            this.scheduleRenew(ack.expiresAt);
          } else {
            // Try once more shortly; if the token still runs out, the server ends access with
            // AUTH_TOKEN_EXPIRED and the reconnect presents a fresh token.
            this.renewTimer = setTimeout(() => {
              this.renew();
            }, RETRY_FIRST_MS * 5);
          }
        });
      },
      error: () => undefined, // signed out: the effect stops the socket
    });
  }

  private onAccessChanged(): void {
    // The role changed: the navigation and guards follow the user as the API now sees it.
    this.session.reloadUser().subscribe({ error: () => undefined });
  }

  private onAccessEnded(problem: LiveProblem): void {
    if (REFRESHABLE_CODES.has(problem.code)) {
      // Only the socket's token ran out (a missed renewal): reconnect with a fresh one.
      this.refreshedForRetry = false;
      return; // the server disconnects next; onDisconnect → retry → connect_error path refreshes
    }
    this.endAccess(problem);
  }

  /** The session itself is over (signed out elsewhere, disabled, revoked): back to the login page. */
  private endAccess(problem: LiveProblem): void {
    this.ended = true;
    this.problemSignal.set(problem);
    this.stateSignal.set('offline');
    const socket = this.socket;
    socket?.disconnect();
    if (problem.code === PASSWORD_CHANGE_REQUIRED) {
      // Still signed in, but a temporary password must be changed first: the session's next
      // request leads to the profile page, and clearing mustChangePassword reconnects.
      this.session.reloadUser().subscribe({ error: () => undefined });
      return;
    }
    this.session.clear();
    this.snackBar.open(`Signed out: ${problem.detail}`, 'OK', toastConfig(10_000));
    void this.router.navigateByUrl(signInUrl(this.router, this.router.url));
  }

  private onBatch(batch: unknown): void {
    // From the network: trust the shape only as far as checked here.
    const events = (batch as Partial<LiveBatch> | null)?.events;
    if (!Array.isArray(events)) return;
    for (const event of events as readonly LiveEvent[]) {
      if (this.accept(event)) this.events.next(event);
    }
  }

  /** Drops an incident change no newer than what was already seen, and any repeated event. */
  private accept(event: LiveEvent): boolean {
    if (isIncidentChange(event)) {
      const seen = this.versions.get(event.incidentId) ?? 0;
      if (event.version <= seen) return false;
      this.versions.delete(event.incidentId); // re-insert: Map order is the eviction order
      this.versions.set(event.incidentId, event.version);
      if (this.versions.size > MAX_TRACKED_INCIDENTS) {
        const oldest = this.versions.keys().next();
        if (!oldest.done) this.versions.delete(oldest.value);
      }
      return true;
    }
    if (this.seenEventIds.has(event.id)) return false;
    this.seenEventIds.add(event.id);
    if (this.seenEventIds.size > MAX_SEEN_EVENT_IDS) {
      const oldest = this.seenEventIds.values().next();
      if (!oldest.done) this.seenEventIds.delete(oldest.value);
    }
    return true;
  }

  private join(entry: RoomEntry): void {
    const socket = this.socket;
    if (!socket?.connected || entry.joined || entry.pending) return;
    entry.pending = true;
    const timer = setTimeout(() => {
      entry.pending = false; // asked again on the next connect
    }, ACK_TIMEOUT_MS);
    socket.emit(LIVE_SUBSCRIBE, entry.room, (ack: LiveAck) => {
      clearTimeout(timer);
      if (this.socket !== socket || !entry.pending) return;
      entry.pending = false;
      if (ack.ok) {
        entry.joined = true;
        // Released while the subscribe was on its way.
        if (this.rooms.get(keyOf(entry.room)) !== entry)
          socket.emit(LIVE_UNSUBSCRIBE, entry.room, () => undefined);
      } else {
        this.problemSignal.set({ code: ack.code, detail: ack.detail });
      }
    });
  }

  private release(key: string): void {
    const entry = this.rooms.get(key);
    if (!entry) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.rooms.delete(key);
    if (entry.joined && this.socket?.connected) {
      entry.joined = false;
      this.socket.emit(LIVE_UNSUBSCRIBE, entry.room, () => undefined);
    }
  }
}
