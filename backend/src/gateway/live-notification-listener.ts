import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';

/** The channels the triggers of migration 1765100000000 notify. */
export const LIVE_OUTBOX_CHANNEL = 'live_outbox';
export const LIVE_ANALYTICS_CHANNEL = 'live_analytics';
export const LIVE_INTEGRATION_CHANNEL = 'live_integration';

/** What `live_integration` says: an integration's call or run succeeded or failed. */
export interface IntegrationSignal {
  readonly integration: 'servicenow' | 'slack';
  readonly ok: boolean;
  readonly error: string | null;
}
/** How the listening connection shows in pg_stat_activity. */
export const LIVE_LISTENER_APPLICATION_NAME = 'nexecute-connect-live-listener';

export interface LiveNotificationHandlers {
  /** An outbox event was committed (its id). */
  readonly outboxEvent: (eventId: string) => void;
  /** The analytics views were refreshed (ISO 8601). */
  readonly analyticsRefreshed: (refreshedAt: string) => void;
  /** An integration's run or call succeeded or failed. */
  readonly integration: (signal: IntegrationSignal) => void;
  /** LISTEN is in place again after the connection was lost: notifications sent meanwhile are gone. */
  readonly missed: () => void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * Listens, on a connection of its own, for what was committed that /live sockets should hear
 * about. NOTIFY is delivered only after commit and in commit order, to every instance, so each
 * instance tells its own sockets. When the connection drops it reconnects with back-off and then
 * reports `missed`: notifications sent while nobody listened are lost, and the clients must
 * resync over REST.
 */
@Injectable()
export class LiveNotificationListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveNotificationListener.name);
  private handlers: LiveNotificationHandlers | undefined;
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private everListened = false;
  private stopped = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  handle(handlers: LiveNotificationHandlers): void {
    this.handlers = handlers;
  }

  /** Whether a LISTEN is in place right now. */
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
      application_name: LIVE_LISTENER_APPLICATION_NAME,
      // A silently dead peer (no RST) would otherwise go unnoticed, and so would every event.
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
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(
        `LISTEN ${LIVE_OUTBOX_CHANNEL}; LISTEN ${LIVE_ANALYTICS_CHANNEL}; LISTEN ${LIVE_INTEGRATION_CHANNEL}`,
      );
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
      this.logger.log(`Listening for live events again after ${this.failedAttempts} failed attempt(s)`);
    }
    this.failedAttempts = 0;
    if (this.everListened) this.handlers?.missed();
    this.everListened = true;
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    const reason = error instanceof Error ? error.message : 'connection closed';
    this.logger.warn(
      `Live listener lost its database connection (${reason}); attempt ${this.failedAttempts} in ${delay} ms`,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private dispatch(channel: string, payload: string | undefined): void {
    if (!this.handlers || !payload) return;
    try {
      if (channel === LIVE_OUTBOX_CHANNEL) this.handlers.outboxEvent(payload);
      else if (channel === LIVE_ANALYTICS_CHANNEL) this.handlers.analyticsRefreshed(payload);
      else if (channel === LIVE_INTEGRATION_CHANNEL) {
        this.handlers.integration(JSON.parse(payload) as IntegrationSignal);
      }
    } catch (e) {
      this.logger.error(`Live notification handler failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
}
