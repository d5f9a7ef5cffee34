import { Logger } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';

export const LIVE_NAMESPACE = '/live';

export interface LiveWelcome {
  readonly serverTime: string;
}

/**
 * The console's live feed over Socket.IO, on the API's own port. Incident events are pushed
 * here once the incidents issue lands; for now a client learns it is connected.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway implements OnGatewayConnection {
  private readonly logger = new Logger(LiveGateway.name);

  @WebSocketServer()
  private readonly namespace!: Namespace;

  handleConnection(client: Socket): void {
    this.logger.debug(`Live client ${client.id} connected (${this.namespace.sockets.size} connected)`);
    const welcome: LiveWelcome = { serverTime: new Date().toISOString() };
    client.emit('welcome', welcome);
  }
}
