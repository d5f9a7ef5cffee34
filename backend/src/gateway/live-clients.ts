import type { Socket } from 'socket.io';
import type { VerifiedAccessToken } from '../auth/auth.service';
import type { Role } from '../common/auth/roles';

/** One /live socket's standing: whose it is, which session and token it rides on, what it reads. */
export class LiveClient {
  sessionId: string;
  expiresAt: Date;
  /** Set once access is granted; the socket sits in this role's room. */
  role: Role | undefined;
  /** Bumped by every access-change signal about this user: a check that began earlier is stale. */
  epoch = 0;
  /** The epoch the last completed check began at. */
  checkedEpoch = -1;
  /** The re-check in flight, if any (one at a time; a signal during it makes it run again). */
  checking: Promise<void> | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  connected = false;
  /** Forgotten by the registry: disconnected, refused or ended. */
  gone = false;

  readonly userId: string;

  constructor(
    readonly socket: Socket,
    token: VerifiedAccessToken,
    /** Until connected: forgets the client if its connection closes before the connect completes. */
    readonly forgetOnClose: () => void,
  ) {
    this.userId = token.userId;
    this.sessionId = token.sessionId;
    this.expiresAt = token.expiresAt;
  }

  get stale(): boolean {
    return this.epoch !== this.checkedEpoch;
  }
}

/** This instance's clients, by socket and by user (a signal names a user). */
export class LiveClients {
  private readonly bySocket = new Map<string, LiveClient>();
  private readonly byUser = new Map<string, Set<LiveClient>>();

  add(client: LiveClient): void {
    this.bySocket.set(client.socket.id, client);
    let ofUser = this.byUser.get(client.userId);
    if (!ofUser) this.byUser.set(client.userId, (ofUser = new Set()));
    ofUser.add(client);
  }

  /** Idempotent: a socket can be forgotten by its disconnect and by its connection's close. */
  remove(client: LiveClient): void {
    client.gone = true;
    clearTimeout(client.expiryTimer);
    if (this.bySocket.get(client.socket.id) === client) this.bySocket.delete(client.socket.id);
    const ofUser = this.byUser.get(client.userId);
    ofUser?.delete(client);
    if (ofUser?.size === 0) this.byUser.delete(client.userId);
  }

  of(socket: Socket): LiveClient | undefined {
    return this.bySocket.get(socket.id);
  }

  ofUser(userId: string): LiveClient[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  all(): LiveClient[] {
    return [...this.bySocket.values()];
  }
}
