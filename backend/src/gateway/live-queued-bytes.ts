import type { Socket } from 'socket.io';

/** The parts of Engine.IO's socket this reads (engine.io `Socket`, its transport, `ws`). */
interface EngineInternals {
  readonly writeBuffer?: readonly { readonly data?: unknown }[];
  readonly transport?: { readonly socket?: { readonly bufferedAmount?: number } };
}

const sizeOf = (data: unknown): number =>
  typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0;

/**
 * About how many bytes a socket has been given and not yet handed to the network: Engine.IO's
 * write buffer (packets waiting while the transport is busy, or for a long-polling client's next
 * request) plus what the WebSocket holds. A client that reads slower than it is fed (a tab on a
 * bad link, a stalled consumer) makes this grow without bound: the gateway cuts it at
 * LIVE_MAX_QUEUED_BYTES.
 */
export function queuedBytes(socket: Socket): number {
  const engine = socket.conn as unknown as EngineInternals;
  let bytes = engine.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of engine.writeBuffer ?? []) bytes += sizeOf(packet.data);
  return bytes;
}
