import { Module } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';

/**
 * Reaches the /live namespace of one app instance, as a gateway of its own would: a broadcast
 * from here is that instance's broadcast (which only an adapter carries to other instances).
 * Tests use it to send frames the gateway would not send on its own (markers, a flood).
 */
@WebSocketGateway({ namespace: '/live' })
export class LiveNamespaceProbe {
  @WebSocketServer()
  namespace!: Namespace;
}

@Module({ providers: [LiveNamespaceProbe] })
export class LiveNamespaceProbeModule {}
