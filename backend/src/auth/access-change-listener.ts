import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';

/** The channel the triggers of migration 1764400000000 notify. */
export const ACCESS_CHANGED_CHANNEL = 'auth_access_changed';
/** How the listening connection shows in pg_stat_activity. */
export const ACCESS_LISTENER_APPLICATION_NAME = 'nexecute-connect-access-listener';

/** A user's access may have changed; or (`all`) anyone's may have, e.g. after signals were missed. */
export type AccessChange = { readonly kind: 'user'; readonly userId: string } | { readonly kind: 'all' };

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * Listens, on a connection of its own, for the database's signal that a user's or a session's
 * access may have changed, so connections that outlive a request (the /live sockets) re-check
 * at once instead of polling. The signal comes from triggers, so it crosses instances and no
 * code path can forget to send it. When the connection drops it reconnects with back-off; every
 * successful LISTEN then reports `all`, because signals sent while nobody listened are lost.
 */
@Injectable()
export class AccessChangeListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AccessChangeListener.name);
  private readonly handlers = new Set<(change: AccessChange) => void>();
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private stopped = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onChange(handler: (change: AccessChange) => void): void {
    this.handlers.add(handler);
  }

  /** Whether a LISTEN is in place right now (a reconnect may be pending). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new pg.Client({
      connectionString: url,
      application_name: ACCESS_LISTENER_APPLICATION_NAME,
      // A silently dead peer (no RST) would otherwise go unnoticed, and so would every signal.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    let lost = false;
    const lose = (error?: unknown): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      this.retryLater(error);
    };
    client.on('error', lose);
    client.on('end', () => lose());
    client.on('notification', (message) => this.dispatch(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${ACCESS_CHANGED_CHANNEL}`);
    } catch (e) {
      lose(e);
      return;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failedAttempts > 0) {
      this.logger.log(`Listening for access changes again after ${this.failedAttempts} failed attempt(s)`);
    }
    this.failedAttempts = 0;
    this.emit({ kind: 'all' });
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    const reason = error instanceof Error ? error.message : 'connection closed';
    this.logger.warn(
      `Access-change listener lost its database connection (${reason}); attempt ${this.failedAttempts} in ${delay} ms`,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private dispatch(payload: string | undefined): void {
    const change = parseChange(payload);
    if (!change) {
      this.logger.warn(`Ignored a malformed ${ACCESS_CHANGED_CHANNEL} notification: ${String(payload)}`);
      return;
    }
    this.emit(change);
  }

  private emit(change: AccessChange): void {
    for (const handler of this.handlers) {
      try {
        handler(change);
      } catch (e) {
        this.logger.error(`Access-change handler failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
  }
}

function parseChange(payload: string | undefined): AccessChange | undefined {
  try {
    const body = JSON.parse(payload ?? '') as { user?: unknown; all?: unknown };
    if (body.all === true) return { kind: 'all' };
    if (typeof body.user === 'string') return { kind: 'user', userId: body.user };
  } catch {
    // falls through to undefined
  }
  return undefined;
}
