import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
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
import type { Role } from '../common/auth/roles';
import { DatabaseErrorCode } from '../common/database/database.errors';
import { toProblem } from '../common/errors/problem';
import { RequestErrorCode } from '../common/errors/request-errors';
import { DeliveryConsumers } from '../deliveries/delivery-consumers';
import type { DeliveredEvent } from '../deliveries/domain-event';
import { AccessChangeListener, type AccessChange } from '../auth/access-change-listener';
import { liveAccessOf, type LiveAccess } from './live-access';
import { LiveClient, LiveClients } from './live-clients';
import { LiveEventReaders } from './live-event-readers';
import {
  LIVE_ACCESS_CHANGED,
  LIVE_ACCESS_ENDED,
  LIVE_INCIDENT_EVENT,
  LIVE_NAMESPACE,
  LIVE_RENEW,
  LIVE_WELCOME,
  type LiveAccessChanged,
  type LiveProblem,
  type LiveRenewAck,
  type LiveWelcome,
} from './live-protocol';

/** The delivery consumer that feeds connected consoles. */
export const LIVE_FEED_CONSUMER = 'live-feed';

/** After a check failed for a reason other than access (the database), try again after this, doubling. */
const FIRST_RECHECK_RETRY_MS = 1000;
const MAX_RECHECK_RETRY_MS = 30_000;

const roomOf = (role: Role): string => `role:${role}`;

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
 * The console's live feed over Socket.IO, on the API's own port. A socket holds no more access
 * than a REST request would: the handshake checks the access token and its user and session
 * (`AuthService.principalFor`), and so does every re-check afterwards. A re-check runs when the
 * database signals a change of that user or session (AccessChangeListener: logout, revocation,
 * disable, delete, role change, temporary password), so access ends within moments, and the
 * socket is not trusted beyond its token's `exp` unless the client renews it (`auth.renew`).
 * Each socket sits in its role's room; an event goes only to the rooms of the roles that may
 * read its type (LiveEventReaders).
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

  @WebSocketServer()
  private readonly namespace!: Namespace;

  constructor(
    private readonly auth: AuthService,
    private readonly consumers: DeliveryConsumers,
    private readonly readers: LiveEventReaders,
    private readonly accessChanges: AccessChangeListener,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      name: LIVE_FEED_CONSUMER,
      // Every type, in its newest version (the feed passes events on as they are stored; the
      // console reads `schemaVersion`); broadcast() sends each only to the roles that may read it.
      events: '*',
      // A live feed is about now: a few quick retries, then the console's next load catches up.
      maxAttempts: 3,
      handle: (event) => this.broadcast(event),
    });
    this.accessChanges.onChange((change) => this.onAccessChange(change));
  }

  onModuleDestroy(): void {
    clearTimeout(this.recheckRetryTimer);
  }

  /**
   * To the rooms of the roles that may read this type; a type nobody declared goes nowhere.
   * Sockets held by other instances of the app are not reached (that needs a Socket.IO adapter
   * across them).
   */
  private broadcast(event: DeliveredEvent): Promise<void> {
    if (!this.namespace) return Promise.reject(new Error('The /live namespace is not initialised yet'));
    const roles = this.readers.rolesFor(event.type);
    if (roles.length > 0) this.namespace.to(roles.map(roomOf)).emit(LIVE_INCIDENT_EVENT, event);
    return Promise.resolve();
  }

  afterInit(namespace: Namespace): void {
    // Every socket passes here: never enable Socket.IO's connectionStateRecovery with
    // skipMiddlewares, which would let a recovered socket skip this check.
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
    void socket.join(roomOf(client.role));
    this.expireAt(client, client.expiresAt);
    const welcome: LiveWelcome = {
      serverTime: new Date().toISOString(),
      role: client.role,
      expiresAt: client.expiresAt.toISOString(),
      eventTypes: this.readers.readableBy(client.role),
    };
    socket.emit(LIVE_WELCOME, welcome);
    this.logger.debug(`Live client ${socket.id} connected (${this.namespace.sockets.size} connected)`);
    // A signal between the handshake's check and now found a socket that could not be ended yet.
    if (client.stale) this.recheck(client);
  }

  handleDisconnect(socket: Socket): void {
    const client = this.clients.of(socket);
    if (client) this.forget(client);
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
    if (client.role) void client.socket.leave(roomOf(client.role));
    void client.socket.join(roomOf(access.role));
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
