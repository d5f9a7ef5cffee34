import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PgChannelListener } from '../common/database/pg-channel-listener';

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
  private readonly listener: PgChannelListener;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.listener = new PgChannelListener({
      connectionString: (dataSource.options as { url?: string }).url,
      applicationName: LIVE_LISTENER_APPLICATION_NAME,
      channels: [LIVE_OUTBOX_CHANNEL, LIVE_ANALYTICS_CHANNEL, LIVE_INTEGRATION_CHANNEL],
      label: 'Live listener',
      onNotification: (channel, payload) => this.dispatch(channel, payload),
      onListening: (again) => {
        if (again) this.handlers?.missed();
      },
    });
  }

  handle(handlers: LiveNotificationHandlers): void {
    this.handlers = handlers;
  }

  /** Whether a LISTEN is in place right now. */
  get listening(): boolean {
    return this.listener.listening;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
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
