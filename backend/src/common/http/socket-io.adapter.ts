import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/**
 * Socket.IO on the HTTP server's port, with the same CORS allow-list as the API, plus the server
 * options the gateways need (`serverOptions`, e.g. /live's recovery and limits).
 */
export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly corsOrigins: readonly string[],
    private readonly serverOptions: Partial<ServerOptions> = {},
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      ...this.serverOptions,
      cors: { origin: this.corsOrigins.length > 0 ? [...this.corsOrigins] : false, credentials: true },
    } as ServerOptions);
  }
}
