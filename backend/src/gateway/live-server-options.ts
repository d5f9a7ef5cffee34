import type { ServerOptions } from 'socket.io';
import type { LiveConfig } from '../config/app-config';

/** How long a cut-off client may come back and get what it missed (docs/live.md, "Reconnect"). */
export const LIVE_RECOVERY_WINDOW_MS = 120_000;

/**
 * The Socket.IO server options /live needs, whatever adapter creates the server (the one
 * Socket.IO server hosts every namespace, and these are read only at its construction, so a
 * gateway decorator cannot set them from configuration).
 *
 * - connection-state recovery: a client cut off for up to 2 minutes gets the frames it missed
 *   and its rooms back. `skipMiddlewares: false`: a recovered socket passes the handshake check
 *   again (its user may have been disabled meanwhile).
 * - `maxHttpBufferSize`: the largest client message; the transport closes a connection that
 *   sends a bigger one.
 * - `perMessageDeflate` (LIVE_COMPRESSION, off by default): frames above the threshold are
 *   compressed, for clients that offer it. A batch of full incident views compresses about 10×,
 *   but each socket's copy is compressed on its own (and keeps a zlib context), so at hundreds
 *   of sockets it costs the CPU the fan-out needs; worth it for few clients on slow links.
 */
export const LIVE_SERVER_OPTIONS = {
  connectionStateRecovery: { maxDisconnectionDuration: LIVE_RECOVERY_WINDOW_MS, skipMiddlewares: false },
} as const satisfies Partial<ServerOptions>;

/** LIVE_SERVER_OPTIONS plus what comes from LIVE_* settings. */
export function liveServerOptions(config: LiveConfig): Partial<ServerOptions> {
  return {
    ...LIVE_SERVER_OPTIONS,
    maxHttpBufferSize: config.maxMessageBytes,
    perMessageDeflate: config.compression ? { threshold: config.compressionThresholdBytes } : false,
  };
}
