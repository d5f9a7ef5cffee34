import { InjectionToken } from '@angular/core';
import { io } from 'socket.io-client';

import { LIVE_NAMESPACE } from './live-protocol';

// Kept apart from LiveConnection (no Router, no Material here) so the unit tests' global providers
// can replace the transport without loading the rest.

/**
 * The part of socket.io-client's `Socket` this service uses: small on purpose, so a unit test can
 * stand in for the transport with a few lines.
 */
export interface LiveSocket {
  readonly connected: boolean;
  /** False after a refusal by the server's middleware or `disconnect()`: no automatic reconnect. */
  readonly active: boolean;
  /** True when a reconnect restored the session, missed packets included. */
  readonly recovered: boolean;
  // socket.io-client types its listeners with `any[]` arguments too; we narrow in each handler.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

export interface LiveSocketOptions {
  /** Called before every (re)connection attempt, so a renewed access token is used. */
  readonly auth: (callback: (data: { token: string | null }) => void) => void;
}

export type LiveSocketFactory = (options: LiveSocketOptions) => LiveSocket;

/** socket.io-client against `/live` on the console's own origin; a test provides a fake. */
export const LIVE_SOCKET_FACTORY = new InjectionToken<LiveSocketFactory>('LIVE_SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (options) =>
    io(LIVE_NAMESPACE, {
      autoConnect: false,
      auth: options.auth,
      // WebSocket first (no long-polling round trips, and no sticky sessions needed behind a
      // balancer); polling only when a proxy refuses the upgrade.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    }),
});
