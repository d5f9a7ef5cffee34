import type { INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { randomBytes } from 'node:crypto';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import { SocketIoAdapter } from '../common/http/socket-io.adapter';
import type { RedisLink } from '../common/redis/redis-link';

/**
 * How long the stream keeps broadcasts for instances to read: an instance cut off from Redis
 * reads, when it is back, what the others published meanwhile (XREAD from its last offset), as
 * long as the stream still holds it. 100,000 entries is ~17 minutes at 100 frames/s.
 */
const STREAM_MAX_LEN = 100_000;

/**
 * Socket.IO for the app. Without Redis: Socket.IO's in-memory adapter, one instance. With a
 * RedisLink (REDIS_URL): the Redis Streams adapter, so a broadcast made on one instance
 * (`namespace.to(room).emit`) reaches the sockets of every instance. Broadcasts flagged `.local`
 * stay on the instance (incident events, which every instance hears from PostgreSQL NOTIFY and
 * tells its own sockets).
 *
 * Redis away stops nothing here: a broadcast that cannot be written to the stream is still
 * delivered to this instance's sockets at once (RedisLink refuses commands while offline instead
 * of queueing them), and each instance reads what it missed from the stream when Redis is back.
 *
 * Connection-state recovery with Redis is per instance (LocalRecovery): the Streams adapter's own
 * recovery replays only what went through the stream, and `.local` broadcasts never do, so a
 * socket would come back `recovered` yet without the incident events it missed.
 */
export class LiveIoAdapter extends SocketIoAdapter {
  constructor(
    app: INestApplicationContext,
    corsOrigins: readonly string[],
    /** Server options the gateway's protocol needs (LIVE_SERVER_OPTIONS: recovery, limits, compression). */
    private readonly liveOptions: Partial<ServerOptions>,
    private readonly redis: RedisLink | null,
  ) {
    super(app, corsOrigins, liveOptions);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const merged = { ...options, ...this.liveOptions } as ServerOptions;
    const server = super.createIOServer(port, options);
    if (this.redis) {
      const prefix = this.redis.keyPrefix;
      const streams = createAdapter(this.redis.client, {
        streamName: `${prefix}:stream`,
        channelPrefix: `${prefix}:channel`,
        sessionKeyPrefix: `${prefix}:session:`,
        maxLen: STREAM_MAX_LEN,
        // Our events are JSON: skip the adapter's walk of every payload looking for binary data.
        onlyPlaintext: true,
      });
      const recovery = merged.connectionStateRecovery;
      // Socket.IO calls the adapter with `new`: a function, not an arrow, returning the adapter.
      function recoveringStreamsAdapter(nsp: Namespace): unknown {
        const adapter = streams(nsp);
        if (recovery) {
          LocalRecovery.install(
            adapter as unknown as RecoverableAdapter,
            recovery.maxDisconnectionDuration ?? 120_000,
          );
        }
        return adapter;
      }
      server.adapter(recoveringStreamsAdapter as unknown as Parameters<Server['adapter']>[0]);
    }
    return server;
  }
}

// The parts of a socket.io-adapter ClusterAdapter that LocalRecovery takes over.
interface Packet {
  readonly type: number;
  readonly id?: number;
  readonly data: unknown[];
}
interface BroadcastOptions {
  readonly rooms: Set<string>;
  readonly except?: Set<string>;
  readonly flags?: { readonly local?: boolean; readonly volatile?: boolean };
}
interface Session {
  readonly sid: string;
  readonly pid: string;
  readonly rooms: string[];
  readonly data: unknown;
}
interface RecoverableAdapter {
  broadcast(packet: Packet, opts: BroadcastOptions): Promise<void>;
  addOffsetIfNecessary(packet: Packet, opts: BroadcastOptions, offset: string): void;
  persistSession(session: Session): void;
  restoreSession(pid: string, offset: string): Promise<(Session & { missedPackets: unknown[][] }) | null>;
}

const EVENT_PACKET = 2;

const REPLAYS_LOCAL_FRAMES = Symbol('replaysLocalFrames');

/**
 * Whether connection-state recovery on this adapter replays the frames emitted with
 * `namespace.local` (incident events) as well: Socket.IO's in-memory adapter keeps every
 * broadcast, and so does LocalRecovery with Redis. Any other adapter replays only what it
 * published, so a socket it recovers must still be told to resync.
 */
export function recoveryReplaysLocalFrames(adapter: object): boolean {
  return adapter.constructor.name === 'SessionAwareAdapter' || REPLAYS_LOCAL_FRAMES in adapter;
}

/**
 * Socket.IO's connection-state recovery, kept in this instance's memory as its in-memory adapter
 * does, for every event frame this instance sends: its own `.local` broadcasts and those that
 * came through Redis alike. A client that reconnects to the same instance within the window gets
 * every frame it missed (`socket.recovered`); one that lands on another instance, or comes back
 * too late, is not recovered and resyncs over REST (docs/live.md). Never a `recovered` socket
 * with a gap.
 */
class LocalRecovery {
  private readonly prefix = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly packets: { id: string; at: number; rooms: string[]; except: string[]; data: unknown[] }[] =
    [];
  private readonly sessions = new Map<string, Session & { disconnectedAt: number }>();

  private constructor(private readonly windowMs: number) {}

  static install(adapter: RecoverableAdapter, windowMs: number): void {
    const recovery = new LocalRecovery(windowMs);
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet, opts) => {
      // A non-local broadcast is offset in addOffsetIfNecessary, after its copy went to Redis.
      if (opts.flags?.local) recovery.record(packet, opts);
      return broadcast(packet, opts);
    };
    // Called for this instance's broadcasts once written to the stream, and for those read from
    // it, just before they go to local sockets: the stream offset is not handed to clients.
    adapter.addOffsetIfNecessary = (packet, opts) => recovery.record(packet, opts);
    adapter.persistSession = (session) => recovery.persist(session);
    adapter.restoreSession = (pid, offset) => Promise.resolve(recovery.restore(pid, offset));
    Object.assign(adapter, { [REPLAYS_LOCAL_FRAMES]: true });
  }

  private record(packet: Packet, opts: BroadcastOptions): void {
    // As Socket.IO: acknowledged and volatile packets are not replayed.
    if (packet.type !== EVENT_PACKET || packet.id !== undefined || opts.flags?.volatile) return;
    const id = `${this.prefix}-${++this.seq}`;
    packet.data.push(id);
    const now = Date.now();
    this.packets.push({
      id,
      at: now,
      rooms: [...opts.rooms],
      except: [...(opts.except ?? [])],
      data: packet.data,
    });
    while (this.packets.length > 0 && this.packets[0]!.at < now - this.windowMs) this.packets.shift();
  }

  private persist(session: Session): void {
    const now = Date.now();
    this.sessions.set(session.pid, { ...session, disconnectedAt: now });
    for (const [pid, s] of this.sessions)
      if (s.disconnectedAt < now - this.windowMs) this.sessions.delete(pid);
  }

  private restore(pid: string, offset: string): (Session & { missedPackets: unknown[][] }) | null {
    const session = this.sessions.get(pid);
    if (!session) return null;
    this.sessions.delete(pid);
    if (session.disconnectedAt < Date.now() - this.windowMs) return null;
    const index = this.packets.findIndex((p) => p.id === offset);
    if (index === -1) return null;
    const missedPackets = this.packets
      .slice(index + 1)
      .filter(
        (p) =>
          (p.rooms.length === 0 || session.rooms.some((r) => p.rooms.includes(r))) &&
          session.rooms.every((r) => !p.except.includes(r)),
      )
      .map((p) => p.data);
    return { sid: session.sid, pid: session.pid, rooms: session.rooms, data: session.data, missedPackets };
  }
}
