import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PgChannelListener } from '../common/database/pg-channel-listener';

/** The channel the triggers of migration 1764400000000 notify. */
export const ACCESS_CHANGED_CHANNEL = 'auth_access_changed';
/** How the listening connection shows in pg_stat_activity. */
export const ACCESS_LISTENER_APPLICATION_NAME = 'nexecute-connect-access-listener';

/** A user's access may have changed; or (`all`) anyone's may have, e.g. after signals were missed. */
export type AccessChange = { readonly kind: 'user'; readonly userId: string } | { readonly kind: 'all' };

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
  private readonly listener: PgChannelListener;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.listener = new PgChannelListener({
      connectionString: (dataSource.options as { url?: string }).url,
      applicationName: ACCESS_LISTENER_APPLICATION_NAME,
      channels: [ACCESS_CHANGED_CHANNEL],
      label: 'Access-change listener',
      onNotification: (_channel, payload) => this.dispatch(payload),
      onListening: () => this.emit({ kind: 'all' }),
    });
  }

  onChange(handler: (change: AccessChange) => void): void {
    this.handlers.add(handler);
  }

  /** Whether a LISTEN is in place right now (a reconnect may be pending). */
  get listening(): boolean {
    return this.listener.listening;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
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
