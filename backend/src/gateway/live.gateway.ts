import { Logger } from '@nestjs/common';
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

export const LIVE_NAMESPACE = '/live';

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
 * Incident events are pushed here once the incidents issue lands.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger(LiveGateway.name);

  @WebSocketServer()
  private readonly namespace!: Namespace;

  constructor(private readonly auth: AuthService) {}

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
