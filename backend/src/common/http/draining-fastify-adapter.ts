import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';

/**
 * Fastify adapter whose shutdown starts with the connections, before Nest's shutdown hooks run
 * (which may take seconds, e.g. the delivery worker finishing its jobs):
 *
 * - the listening socket closes at once, so a new connection is refused (ECONNREFUSED), which
 *   a client or load balancer can safely retry elsewhere, and idle keep-alive connections end;
 * - every response sent from then on, the in-flight ones included, says `Connection: close`, so
 *   a keep-alive client does not send another request on it and the server does not wait for
 *   its keep-alive timeout before the pools may close.
 *
 * In-flight requests still finish on an open database: app.close() closes the pools only after
 * the HTTP server has closed.
 */
export class DrainingFastifyAdapter extends FastifyAdapter {
  private draining = false;

  constructor(options: FastifyHttpOptions<Server>) {
    super(options);
    this.getInstance().addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining) void reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Called by app.close() before anything else. */
  override beforeClose(): void {
    super.beforeClose();
    this.draining = true;
    const server = this.getHttpServer();
    if (server.listening) server.close(); // Fastify's own close() later waits for the connections
  }
}
