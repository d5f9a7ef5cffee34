import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

const SWEEP_EVERY_MS = 60 * 60 * 1000;
/** Rows per DELETE, so one sweep never holds many locks or one long transaction. */
const BATCH = 5000;

/**
 * Deletes received events older than INBOX_RETENTION_DAYS (≥ 30: duplicates are recognised for
 * as long as their first receipt is kept). Events not yet processed stay whatever their age.
 * Every instance sweeps; the deletes are idempotent.
 */
@Injectable()
export class InboxRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxRetention.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () =>
        void this.sweep().catch((e: unknown) =>
          this.logger.warn(`Inbox retention sweep failed: ${String(e)}`),
        ),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many events it deleted. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const rows = await this.dataSource.query<{ id: string }[]>(
        `DELETE FROM inbound_events WHERE id IN (
           SELECT id FROM inbound_events
            WHERE received_at < now() - make_interval(days => $1) AND status <> 'accepted'
            LIMIT ${BATCH})
         RETURNING id`,
        [this.config.inbox.retentionDays],
      );
      deleted += rows.length;
      if (rows.length < BATCH) break;
    }
    if (deleted)
      this.logger.log(
        `Inbox retention: ${deleted} events older than ${this.config.inbox.retentionDays} days deleted`,
      );
    return deleted;
  }
}
