import { randomUUID } from 'node:crypto';
import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { AuthService, type VerifiedAccessToken } from '../auth/auth.service';
import { ROLES, type Role } from '../common/auth/roles';
import { DatabaseErrorCode } from '../common/database/database.errors';
import { toProblem } from '../common/errors/problem';
import { RequestErrorCode } from '../common/errors/request-errors';
import { AccessChangeListener, type AccessChange } from '../auth/access-change-listener';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { IncidentQueries } from '../incidents/incident-queries';
import { liveAccessOf, type LiveAccess } from './live-access';
import { LiveBatcher } from './live-batcher';
import { LiveClient, LiveClients } from './live-clients';
import { LiveErrorCode } from './live.errors';
import { LiveEventReaders } from './live-event-readers';
import { LiveIncidentEvents } from './live-incident-events';
import { recoveryReplaysLocalFrames } from './live-io-adapter';
import { queuedBytes } from './live-queued-bytes';
import { LiveIntegrationWatch } from './live-integration-watch';
import { LiveMessageLimiter } from './live-message-limiter';
import { LiveNotificationListener } from './live-notification-listener';
import {
  LIVE_ACCESS_CHANGED,
  LIVE_ACCESS_ENDED,
  LIVE_BATCH,
  LIVE_CLIENT_MESSAGES,
  LIVE_ERROR,
  LIVE_NAMESPACE,
  LIVE_PROTOCOL,
  LIVE_RENEW,
  LIVE_RESYNC,
  LIVE_SUBSCRIBE,
  LIVE_UNSUBSCRIBE,
  LIVE_WELCOME,
  type LiveAccessChanged,
  type LiveAck,
  type LiveBatch,
  type LiveEvent,
  type LiveIncidentEvent,
  type LiveProblem,
  type LiveRenewAck,
  type LiveResync,
  type LiveWelcome,
} from './live-protocol';
import {
  FEED_ROOM,
  incidentRoomOf,
  INCIDENT_ROOM_PREFIX,
  isProblem,
  otherRoleRooms,
  parseRoomRequest,
  ROLE_ROOM_PREFIX,
  roomOf,
} from './live-rooms';

/** After a check failed for a reason other than access (the database), try again after this, doubling. */
/** The wire types a socket in `feed` or an incident room receives. */
const INCIDENT_WIRE_TYPES: readonly LiveIncidentEvent['type'][] = [
  'incident.created',
  'incident.updated',
  'incident.commented',
  'incident.sla_warning',
];

const FIRST_RECHECK_RETRY_MS = 1000;
/** How often sockets are checked for frames queued and not sent (cutSlowConsumers). */
const SLOW_CONSUMER_SWEEP_MS = 1000;
const MAX_RECHECK_RETRY_MS = 30_000;

/**
 * `principalFor` answers every access question with an AuthError. Anything else it throws (the
 * database unreachable, a bug) means the question could not be answered, which must never read
 * as "signed out": a socket keeps its access; a handshake or renewal is refused as unavailable.
 * The one error mapping (toProblem) decides what counts as the database being unavailable.
 */
function databaseProblemOf(e: unknown): LiveProblem | undefined {
  const { problem } = toProblem(e);
  return problem.code === (DatabaseErrorCode.Unavailable as string)
    ? { code: problem.code, detail: problem.detail }
    : undefined;
}

/**
 * The console's live feed over Socket.IO, on the API's own port (docs/live.md). A socket holds
 * no more access than a REST request would: the handshake checks the access token and its user
 * and session (`AuthService.principalFor`), and so does every re-check afterwards. A re-check
 * runs when the database signals a change of that user or session (AccessChangeListener: logout,
 * revocation, disable, delete, role change, temporary password), so access ends within moments,
 * and the socket is not trusted beyond its token's `exp` unless the client renews it.
 *
 * Events reach sockets from PostgreSQL NOTIFY sent on commit (LiveNotificationListener): every
 * instance hears every commit and tells its own sockets (`namespace.local`), so an adapter across
 * instances (Redis) never duplicates them. Incident events go to the `feed` room and to their
 * incident's room, to the roles that may read their type (LiveEventReaders), in `live.batch`
 * frames coalesced over LIVE_BATCH_WINDOW_MS.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway
  implements OnModuleInit, OnModuleDestroy, OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect
{
  private readonly logger = new Logger(LiveGateway.name);
  private readonly clients = new LiveClients();
  /** Clients whose last re-check failed on the database; retried together on one timer. */
  private readonly recheckAfterFailure = new Set<LiveClient>();
  private recheckRetryMs = FIRST_RECHECK_RETRY_MS;
  private recheckRetryTimer: NodeJS.Timeout | undefined;
  /** Outbox ids notified and not read yet, in commit order; one read at a time keeps the order. */
  private unread: string[] = [];
  private reading: Promise<void> | undefined;
  private readonly batcher: LiveBatcher<LiveIncidentEvent>;
  private slowConsumerSweep: NodeJS.Timeout | undefined;
  /** Sockets over LIVE_MAX_QUEUED_BYTES at the last sweep: cut if still over at the next. */
  private behind = new Set<string>();

  @WebSocketServer()
  private readonly namespace!: Namespace;

  constructor(
    private readonly auth: AuthService,
    private readonly readers: LiveEventReaders,
    private readonly accessChanges: AccessChangeListener,
    private readonly notifications: LiveNotificationListener,
    private readonly incidentEvents: LiveIncidentEvents,
    private readonly incidents: IncidentQueries,
    private readonly integrations: LiveIntegrationWatch,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.batcher = new LiveBatcher(config.live.batchWindowMs, (batch) => this.sendIncidentEvents(batch));
  }

  onModuleInit(): void {
    this.slowConsumerSweep = setInterval(() => this.cutSlowConsumers(), SLOW_CONSUMER_SWEEP_MS).unref();
    this.accessChanges.onChange((change) => this.onAccessChange(change));
    // Every instance hears the database's signal and keeps the state: tell this instance's sockets.
    this.integrations.onChange((state) =>
      this.publishLocally({
        type: 'integration.status',
        v: 1,
        id: randomUUID(),
        at: new Date().toISOString(),
        ...state,
      }),
    );
    this.notifications.handle({
      outboxEvent: (id) => this.onOutboxEvent(id),
      analyticsRefreshed: (refreshedAt) =>
        this.publishLocally({
          type: 'analytics.refreshed',
          v: 1,
          id: randomUUID(),
          at: refreshedAt,
          refreshedAt,
        }),
      integration: (signal) => this.integrations.signal(signal),
      missed: () => this.resync({ reason: 'listener_reconnected' }),
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.slowConsumerSweep);
    clearTimeout(this.recheckRetryTimer);
    this.batcher.stop();
  }

  /**
   * A socket fed faster than its client reads queues frames in this process without bound: one
   * stalled tab would hold megabytes, a room of them the whole heap. Over LIVE_MAX_QUEUED_BYTES it
   * at two sweeps in a row it is disconnected (nothing more can reach it anyway); its client reconnects and catches up by
   * recovery or a resync over REST, as after any cut.
   */
  private cutSlowConsumers(): void {
    if (!this.namespace) return;
    const max = this.config.live.maxQueuedBytes;
    const behind = new Set<string>();
    for (const socket of this.namespace.sockets.values()) {
      const queued = queuedBytes(socket);
      if (queued <= max) continue;
      // Over at two sweeps in a row: a large frame on its way to a client that keeps up is not.
      if (!this.behind.has(socket.id)) {
        behind.add(socket.id);
        continue;
      }
      this.logger.warn(
        `Live client ${socket.id} reads too slowly (${Math.round(queued / 1024)} KiB queued, over LIVE_MAX_QUEUED_BYTES): disconnected`,
      );
      socket.disconnect(true);
    }
    this.behind = behind;
  }

  /** Sockets connected to this instance (benches, health). */
  get connectedCount(): number {
    return this.namespace?.sockets.size ?? 0;
  }

  private onOutboxEvent(eventId: string): void {
    this.unread.push(eventId);
    this.reading ??= this.readUnread().finally(() => (this.reading = undefined));
  }

  /** Reads what was notified, a batch per query, until nothing is left; keeps commit order. */
  private async readUnread(): Promise<void> {
    while (this.unread.length > 0) {
      const ids = this.unread;
      this.unread = [];
      try {
        this.batcher.push(await this.incidentEvents.read(ids));
      } catch (e) {
        // These events cannot be read now (the database, most likely): the clients must refetch.
        this.logger.warn(`Live events could not be read (${messageOf(e)}); clients told to resync`);
        this.resync({ reason: 'events_unreadable' });
      }
    }
  }

  /**
   * One frame per room and group of roles: the feed gets every event its roles may read; an
   * incident's room gets that incident's events, except on sockets also in the feed (which have
   * them already: each event reaches a socket once). Broadcasts to rooms, not to a list of
   * sockets, so connection-state recovery can replay them to a socket cut off meanwhile.
   */
  private sendIncidentEvents(events: readonly LiveIncidentEvent[]): void {
    if (!this.namespace || events.length === 0) return;
    this.sendByRole(events, [FEED_ROOM], []);
    const byIncident = new Map<string, LiveIncidentEvent[]>();
    for (const e of events) {
      let list = byIncident.get(e.incidentId);
      if (!list) byIncident.set(e.incidentId, (list = []));
      list.push(e);
    }
    for (const [incidentId, list] of byIncident)
      this.sendByRole(list, [incidentRoomOf(incidentId)], [FEED_ROOM]);
  }

  /** To `rooms` minus `except`, each role getting the events it may read, one frame per distinct set. */
  private sendByRole(events: readonly LiveEvent[], rooms: string[], except: string[]): void {
    const groups = new Map<string, { roles: Role[]; events: LiveEvent[] }>();
    for (const role of ROLES) {
      const readable = events.filter((e) => this.readers.rolesFor(e.type).includes(role));
      if (readable.length === 0) continue;
      const key = readable.length === events.length ? '*' : readable.map((e) => e.id).join(',');
      const group = groups.get(key);
      if (group) group.roles.push(role);
      else groups.set(key, { roles: [role], events: readable });
    }
    for (const { roles, events: readable } of groups.values()) {
      const frame: LiveBatch = { events: readable };
      this.namespace.local
        .to(rooms)
        .except([...except, ...otherRoleRooms(roles)])
        .emit(LIVE_BATCH, frame);
    }
  }

  /**
   * An event for everyone whose role reads its type (role rooms), on this instance only: for
   * what every instance learns by itself (a NOTIFY, a check of the shared database).
   */
  publishLocally(event: LiveEvent): void {
    if (!this.namespace) return;
    const roles = this.readers.rolesFor(event.type);
    if (roles.length === 0) return;
    const frame: LiveBatch = { events: [event] };
    this.namespace.local.to(roles.map(roomOf)).emit(LIVE_BATCH, frame);
  }

  /**
   * Publishes an event that originates on this instance only (nothing does today: every event
   * source above reaches every instance through NOTIFY) to the readers of its type on every
   * instance, through the adapter.
   */
  publishEverywhere(event: LiveEvent): void {
    if (!this.namespace) return;
    const roles = this.readers.rolesFor(event.type);
    if (roles.length === 0) return;
    const frame: LiveBatch = { events: [event] };
    this.namespace.to(roles.map(roomOf)).emit(LIVE_BATCH, frame);
  }

  /** Tells every socket of this instance that it may have missed events. */
  private resync(body: LiveResync): void {
    this.namespace?.local.emit(LIVE_RESYNC, body);
  }

  afterInit(namespace: Namespace): void {
    // Every socket passes here, recovered ones too: connectionStateRecovery keeps
    // skipMiddlewares off (live-server-options.ts), or a recovered socket would skip this check.
    namespace.use((socket, next) => {
      this.admit(socket).then(
        (refusal) => next(refusal && Object.assign(new Error(refusal.code), { data: refusal })),
        (e: unknown) => {
          this.logger.error(`Live handshake failed: ${e instanceof Error ? e.stack : String(e)}`);
          const refusal: LiveProblem = {
            code: RequestErrorCode.Internal,
            detail: 'Could not admit the socket',
          };
          next(Object.assign(new Error(refusal.code), { data: refusal }));
        },
      );
    });
  }

  /** Checks the handshake's token; a refusal says why, nothing means admitted. */
  private async admit(socket: Socket): Promise<LiveProblem | undefined> {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    let client: LiveClient;
    try {
      const verified = await this.auth.verifyAccessToken(typeof token === 'string' ? token : undefined);
      client = new LiveClient(socket, verified, () => this.forget(client));
    } catch (e) {
      if (e instanceof AuthError) return { code: e.code, detail: e.detail };
      throw e;
    }
    // Known before the database check, so a signal that arrives during it makes the check repeat.
    this.clients.add(client);
    // Socket.IO drops a socket whose connection closes before the connect completes, silently.
    socket.conn.once('close', client.forgetOnClose);
    let access: LiveAccess;
    try {
      access = await this.settle(client);
    } catch (e) {
      this.forget(client);
      return this.refusedUnchecked('handshake', e);
    }
    if (!access.granted) {
      this.forget(client);
      return access.problem;
    }
    client.role = access.role;
    return undefined;
  }

  handleConnection(socket: Socket): void {
    const client = this.clients.of(socket);
    if (!client?.role || client.gone) {
      socket.disconnect(true);
      return;
    }
    client.connected = true;
    // From here on its disconnect event says when it is gone.
    socket.conn.off('close', client.forgetOnClose);
    // A recovered socket comes back with its rooms; its role may have changed meanwhile.
    this.placeInRooms(client, client.role);
    this.limitMessages(socket);
    this.expireAt(client, client.expiresAt);
    const welcome: LiveWelcome = {
      serverTime: new Date().toISOString(),
      role: client.role,
      expiresAt: client.expiresAt.toISOString(),
      eventTypes: this.readers.readableBy(client.role),
      protocol: LIVE_PROTOCOL,
      batchWindowMs: this.config.live.batchWindowMs,
    };
    socket.emit(LIVE_WELCOME, welcome);
    if (socket.recovered && !recoveryReplaysLocalFrames(this.namespace.adapter)) {
      socket.emit(LIVE_RESYNC, { reason: 'recovery_partial' } satisfies LiveResync);
    }
    this.logger.debug(
      `Live client ${socket.id} connected${socket.recovered ? ' (recovered)' : ''} (${this.namespace.sockets.size} connected)`,
    );
    // A signal between the handshake's check and now found a socket that could not be ended yet.
    if (client.stale) this.recheck(client);
  }

  /**
   * The socket in its role's room and no other, and out of the incident rooms if the role may no
   * longer read incident events.
   */
  private placeInRooms(client: LiveClient, role: Role): void {
    const socket = client.socket;
    const readsIncidents = this.readsIncidents(role);
    for (const room of socket.rooms) {
      const staleRole = room.startsWith(ROLE_ROOM_PREFIX) && room !== roomOf(role);
      const unreadable = !readsIncidents && (room === FEED_ROOM || room.startsWith(INCIDENT_ROOM_PREFIX));
      if (staleRole || unreadable) void socket.leave(room);
    }
    void socket.join(roomOf(role));
  }

  private readsIncidents(role: Role): boolean {
    return INCIDENT_WIRE_TYPES.every((type) => this.readers.rolesFor(type).includes(role));
  }

  /**
   * Every client packet passes here first: a budget per socket (LIVE_MAX_MESSAGES_PER_SECOND;
   * over it the message is dropped with `live.error`, and a flood of five times it ends that
   * socket alone), and an unknown event name gets `live.error` instead of silence.
   */
  private limitMessages(socket: Socket): void {
    const limiter = new LiveMessageLimiter(this.config.live.maxMessagesPerSecond);
    socket.use((packet, next) => {
      const [event, ...args] = packet as [unknown, ...unknown[]];
      const ack = args.at(-1);
      const refuse = (problem: LiveProblem): void => {
        socket.emit(LIVE_ERROR, problem);
        if (typeof ack === 'function') (ack as (answer: LiveAck) => void)({ ok: false, ...problem });
      };
      const verdict = limiter.take();
      if (verdict === 'disconnect') {
        this.logger.warn(
          `Live socket ${socket.id} of user ${this.clients.of(socket)?.userId} flooded; disconnected`,
        );
        socket.emit(LIVE_ERROR, { code: LiveErrorCode.RateLimited, detail: 'Message flood: disconnected' });
        socket.disconnect(true);
        return;
      }
      if (verdict === 'limit') {
        refuse({
          code: LiveErrorCode.RateLimited,
          detail: `More than ${this.config.live.maxMessagesPerSecond} messages in a second; message dropped`,
        });
        return;
      }
      if (typeof event !== 'string' || !LIVE_CLIENT_MESSAGES.includes(event)) {
        refuse({ code: LiveErrorCode.MessageUnknown, detail: `Unknown message ${JSON.stringify(event)}` });
        return;
      }
      next();
    });
  }

  handleDisconnect(socket: Socket): void {
    const client = this.clients.of(socket);
    if (client) this.forget(client);
  }

  /** `{ room: 'feed' }` or `{ room: 'incident', incidentId }`: what a REST read would show. */
  @SubscribeMessage(LIVE_SUBSCRIBE)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<LiveAck> {
    const client = this.clients.of(socket);
    if (!client?.role || client.gone) {
      return { ok: false, code: AuthErrorCode.Unauthenticated, detail: 'Not admitted' };
    }
    const request = parseRoomRequest(body);
    if (isProblem(request)) return this.refuse(socket, request);
    if (!this.readsIncidents(client.role)) {
      return this.refuse(socket, {
        code: LiveErrorCode.RoomForbidden,
        detail: `The role ${client.role} may not read incidents`,
      });
    }
    if (request.room === 'feed') {
      await socket.join(FEED_ROOM);
      return { ok: true };
    }
    try {
      await this.incidents.get(request.incidentId);
    } catch (e) {
      // The REST answer's code: INCIDENT_NOT_FOUND, or DATABASE_UNAVAILABLE.
      const { problem } = toProblem(e);
      return { ok: false, code: problem.code, detail: problem.detail };
    }
    // The role may have changed during the read.
    if (client.gone || !client.role || !this.readsIncidents(client.role)) {
      return { ok: false, code: LiveErrorCode.RoomForbidden, detail: 'Access changed; subscribe again' };
    }
    await socket.join(incidentRoomOf(request.incidentId));
    return { ok: true };
  }

  @SubscribeMessage(LIVE_UNSUBSCRIBE)
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<LiveAck> {
    const request = parseRoomRequest(body);
    if (isProblem(request)) return this.refuse(socket, request);
    await socket.leave(request.room === 'feed' ? FEED_ROOM : incidentRoomOf(request.incidentId));
    return { ok: true };
  }

  /** A malformed message: `live.error`, and the same problem in the acknowledgement. */
  private refuse(socket: Socket, problem: LiveProblem): LiveAck {
    socket.emit(LIVE_ERROR, problem);
    return { ok: false, ...problem };
  }

  /**
   * `{ token }`: a fresh access token of the same user (e.g. from `POST /api/auth/refresh`).
   * Acknowledged with the new expiry, or with the problem; on failure the socket keeps its
   * current token and is still disconnected when that one expires.
   */
  @SubscribeMessage(LIVE_RENEW)
  async renew(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<LiveRenewAck> {
    const client = this.clients.of(socket);
    if (!client || client.gone) {
      return { ok: false, code: AuthErrorCode.Unauthenticated, detail: 'Not admitted' };
    }
    const token = (body as { token?: unknown } | null | undefined)?.token;
    const epoch = client.epoch;
    let access: LiveAccess;
    let verified: VerifiedAccessToken;
    try {
      verified = await this.auth.verifyAccessToken(typeof token === 'string' ? token : undefined);
      if (verified.userId !== client.userId) {
        return {
          ok: false,
          code: AuthErrorCode.TokenInvalid,
          detail: 'This access token belongs to another user; connect again to switch users',
        };
      }
      access = liveAccessOf(await this.auth.principalFor(verified.userId, verified.sessionId), this.readers);
    } catch (e) {
      if (e instanceof AuthError) return { ok: false, code: e.code, detail: e.detail };
      return { ok: false, ...this.refusedUnchecked('token renewal', e) };
    }
    if (!access.granted) return { ok: false, ...access.problem };
    if (client.gone) {
      return { ok: false, code: AuthErrorCode.TokenInvalid, detail: 'Access has already ended' };
    }
    client.sessionId = verified.sessionId;
    this.expireAt(client, verified.expiresAt);
    // A signal during this check may have been about the new session: check it again.
    if (client.epoch !== epoch) this.recheck(client);
    else this.apply(client, access);
    return { ok: true, expiresAt: verified.expiresAt.toISOString() };
  }

  private onAccessChange(change: AccessChange): void {
    // By user, not by session: a socket may be switching sessions in a renewal right now.
    const affected = change.kind === 'all' ? this.clients.all() : this.clients.ofUser(change.userId);
    for (const client of affected) this.recheck(client);
  }

  /** Marks the client's standing stale and re-checks it (one check at a time per client). */
  private recheck(client: LiveClient): void {
    client.epoch += 1;
    if (!client.connected || client.gone || client.checking) return;
    client.checking = this.revalidate(client).finally(() => (client.checking = undefined));
  }

  private async revalidate(client: LiveClient): Promise<void> {
    let access: LiveAccess;
    try {
      access = await this.settle(client);
    } catch (e) {
      // Not an answer about access (the database, most likely): keep the socket (dropping every
      // socket in a blip would send them all back to a handshake that fails too), look again soon.
      this.retryAfterFailure(client, e);
      return;
    }
    this.recheckRetryMs = FIRST_RECHECK_RETRY_MS;
    if (!client.gone) this.apply(client, access);
  }

  /** principalFor until no signal about this client arrived while it ran; database errors propagate. */
  private async settle(client: LiveClient): Promise<LiveAccess> {
    for (;;) {
      const epoch = client.epoch;
      const sessionId = client.sessionId;
      let access: LiveAccess;
      try {
        access = liveAccessOf(await this.auth.principalFor(client.userId, sessionId), this.readers);
      } catch (e) {
        if (!(e instanceof AuthError)) throw e;
        access = { granted: false, problem: { code: e.code, detail: e.detail } };
      }
      if (epoch === client.epoch && sessionId === client.sessionId) {
        client.checkedEpoch = epoch;
        return access;
      }
    }
  }

  private apply(client: LiveClient, access: LiveAccess): void {
    if (!access.granted) {
      this.end(client, access.problem);
      return;
    }
    if (client.role === access.role) return;
    this.placeInRooms(client, access.role);
    client.role = access.role;
    const changed: LiveAccessChanged = { role: access.role, eventTypes: access.eventTypes };
    client.socket.emit(LIVE_ACCESS_CHANGED, changed);
  }

  /** Tells the client why, then disconnects it (the packets leave in this order). */
  private end(client: LiveClient, problem: LiveProblem): void {
    if (client.gone) return;
    this.forget(client);
    this.logger.log(
      `Live access of user ${client.userId} ended (${problem.code}); socket ${client.socket.id} closed`,
    );
    client.socket.emit(LIVE_ACCESS_ENDED, problem);
    client.socket.disconnect(true);
  }

  private expireAt(client: LiveClient, expiresAt: Date): void {
    client.expiresAt = expiresAt;
    clearTimeout(client.expiryTimer);
    client.expiryTimer = setTimeout(
      () =>
        this.end(client, {
          code: AuthErrorCode.TokenExpired,
          detail: `The access token expired; send a fresh one with ${LIVE_RENEW} before it does`,
        }),
      Math.max(0, expiresAt.getTime() - Date.now()),
    );
    client.expiryTimer.unref();
  }

  /** The refusal of a handshake or renewal whose access check could not run. */
  private refusedUnchecked(what: string, e: unknown): LiveProblem {
    const problem = databaseProblemOf(e);
    if (problem) {
      this.logger.warn(`Live ${what} refused, the database could not be asked: ${messageOf(e)}`);
      return problem;
    }
    this.logger.error(`Live ${what} failed: ${e instanceof Error ? e.stack : String(e)}`);
    return { code: RequestErrorCode.Internal, detail: 'Could not check access' };
  }

  private retryAfterFailure(client: LiveClient, error: unknown): void {
    this.recheckAfterFailure.add(client);
    if (this.recheckRetryTimer) return;
    // Once per round, not once per socket: an outage would otherwise log every connected socket.
    this.logger.warn(
      `Live access re-check failed, retrying in ${this.recheckRetryMs} ms: ${messageOf(error)}`,
    );
    this.recheckRetryTimer = setTimeout(() => {
      this.recheckRetryTimer = undefined;
      const due = [...this.recheckAfterFailure];
      this.recheckAfterFailure.clear();
      for (const c of due) this.recheck(c);
    }, this.recheckRetryMs);
    this.recheckRetryTimer.unref();
    this.recheckRetryMs = Math.min(MAX_RECHECK_RETRY_MS, this.recheckRetryMs * 2);
  }

  private forget(client: LiveClient): void {
    client.socket.conn.off('close', client.forgetOnClose);
    this.clients.remove(client);
    this.recheckAfterFailure.delete(client);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
