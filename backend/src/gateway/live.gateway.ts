import { Logger, type OnModuleInit } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import type { UserPrincipal } from '../common/auth/principal';
import { isDomainError } from '../common/errors/domain-error';
import { DeliveryConsumers, type DeliveredEvent } from '../deliveries/delivery-consumers';

export const LIVE_NAMESPACE = '/live';
/** The delivery consumer that feeds connected consoles. */
export const LIVE_FEED_CONSUMER = 'live-feed';
/** What every published event is sent as, carrying the DeliveredEvent. */
export const LIVE_INCIDENT_EVENT = 'incident.event';

export interface LiveWelcome {
  readonly serverTime: string;
}

/** What a refused handshake tells the client (`connect_error` → `err.data`). */
export interface LiveRefusal {
  readonly code: string;
  readonly detail: string;
}

/**
 * The console's live feed over Socket.IO, on the API's own port. Only signed-in people may
 * connect: the handshake carries the access token (`io('/live', { auth: { token } })`).
 * Every outbox event reaches connected clients as `incident.event` (a DeliveredEvent) through the
 * `live-feed` delivery consumer, so a client sees exactly what was committed.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway implements OnModuleInit, OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger(LiveGateway.name);

  @WebSocketServer()
  private readonly namespace!: Namespace;

  constructor(
    private readonly auth: AuthService,
    private readonly consumers: DeliveryConsumers,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      name: LIVE_FEED_CONSUMER,
      eventTypes: '*',
      // A live feed is about now: a few quick retries, then the console's next load catches up.
      maxAttempts: 3,
      handle: (event) => this.broadcast(event),
    });
  }

  /**
   * To every socket of /live; the handshake middleware admits only signed-in people. Sockets held
   * by other instances of the app are not reached (that needs a Socket.IO adapter across them).
   */
  private broadcast(event: DeliveredEvent): Promise<void> {
    if (!this.namespace) return Promise.reject(new Error('The /live namespace is not initialised yet'));
    this.namespace.emit(LIVE_INCIDENT_EVENT, event);
    return Promise.resolve();
  }

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      this.auth.authenticateAccessToken(typeof token === 'string' ? token : undefined).then(
        (principal) => {
          (socket.data as { principal?: UserPrincipal }).principal = principal;
          next();
        },
        (e: unknown) => {
          const refusal: LiveRefusal = isDomainError(e)
            ? { code: e.code, detail: e.detail }
            : { code: 'INTERNAL_ERROR', detail: 'Could not check the access token' };
          if (!isDomainError(e)) this.logger.error(`Live handshake check failed: ${String(e)}`);
          next(Object.assign(new Error(refusal.code), { data: refusal }));
        },
      );
    });
  }

  handleConnection(client: Socket): void {
    this.logger.debug(`Live client ${client.id} connected (${this.namespace.sockets.size} connected)`);
    const welcome: LiveWelcome = { serverTime: new Date().toISOString() };
    client.emit('welcome', welcome);
  }
}
