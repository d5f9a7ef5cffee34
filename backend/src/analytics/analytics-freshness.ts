import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PgChannelListener } from '../common/database/pg-channel-listener';

/** What the analytics_refreshes trigger notifies (migration 1765100000000): the new refresh time. */
export const ANALYTICS_REFRESHED_CHANNEL = 'live_analytics';
export const ANALYTICS_LISTENER_APPLICATION_NAME = 'nexecute-connect-analytics-listener';

/**
 * The newest refresh this instance knows of, kept by listening to the database's signal of each
 * refresh, so a request whose answer is already computed for that refresh (PerRefreshAnswers), or
 * whose ETag names it, needs no database round trip at all. Known only while the LISTEN is in
 * place: after a lost connection (signals may have been missed) it is unknown until a read tells
 * it again, and every request reads the database as before.
 *
 * Between a refresh's commit and its signal's arrival, requests get the previous refresh's answer
 * with that refresh's time and ETag: consistent, and labelled as what it is.
 */
@Injectable()
export class AnalyticsFreshness implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly listener: PgChannelListener;
  private newest: number | undefined;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.listener = new PgChannelListener({
      connectionString: (dataSource.options as { url?: string }).url,
      applicationName: ANALYTICS_LISTENER_APPLICATION_NAME,
      channels: [ANALYTICS_REFRESHED_CHANNEL],
      label: 'Analytics refresh listener',
      onNotification: (_channel, payload) => this.saw(new Date(payload ?? '')),
      // Listening again after a drop: a refresh may have been missed meanwhile.
      onListening: () => (this.newest = undefined),
    });
  }

  /** The newest refresh known, or undefined when only the database can tell. */
  get latest(): Date | undefined {
    return this.listener.listening && this.newest !== undefined ? new Date(this.newest) : undefined;
  }

  /** A refresh seen (signalled, or read by a request): the newest known moves forward only. */
  saw(refreshedAt: Date): void {
    const at = refreshedAt.getTime();
    if (!this.listener.listening || Number.isNaN(at)) return;
    if (this.newest === undefined || at > this.newest) this.newest = at;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }
}
