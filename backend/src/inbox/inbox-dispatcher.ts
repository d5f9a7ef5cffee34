import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PreparedStatements } from '../common/database/prepared-statements';
import { drainJobsSql } from './inbox-queue.sql';

const DISPATCH_SQL = `SELECT count(*)::int AS jobs FROM ${drainJobsSql('$1::text[]')}`;

/** After a failed dispatch (the database is away), the next try; the keys wait meanwhile. */
const RETRY_AFTER_MS = 1000;

/**
 * Queues the processing of stored events off the request path. The request stores its event in
 * one statement and hands the order key here; one dispatch at a time adds drain jobs for every
 * key handed over since the last, so the first event after a quiet spell is queued at once and a
 * burst costs a few dispatches, not a job and a NOTIFY per event. Keys still here when the
 * process dies are not lost: their events are stored, and InboxProcessor's sweep queues them.
 */
@Injectable()
export class InboxDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(InboxDispatcher.name);
  private waiting = new Set<string>();
  private inFlight: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly statements: PreparedStatements) {}

  /** Queues processing for `orderKey` soon; never throws, never waits. */
  dispatch(orderKey: string): void {
    this.waiting.add(orderKey);
    if (!this.inFlight && !this.retryTimer) this.inFlight = this.flush();
  }

  /** Resolves when everything handed over so far is queued, or failed to be (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // A last try: the database may be gone too, and then the sweep finds the events.
    if (this.waiting.size && !this.inFlight) this.inFlight = this.flush(false);
    await this.settled();
  }

  private async flush(retry = true): Promise<void> {
    try {
      while (this.waiting.size) {
        const keys = [...this.waiting];
        this.waiting = new Set();
        try {
          await this.statements.rows(DISPATCH_SQL, [keys]);
        } catch (e) {
          for (const key of keys) this.waiting.add(key);
          this.logger.warn(
            `Queuing ${keys.length} inbound order key(s) failed; ${retry ? `retrying in ${RETRY_AFTER_MS} ms` : 'the sweep will queue them'}: ${String(e)}`,
          );
          if (retry) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              if (!this.inFlight && this.waiting.size) this.inFlight = this.flush();
            }, RETRY_AFTER_MS);
            this.retryTimer.unref();
          }
          return;
        }
      }
    } finally {
      this.inFlight = undefined;
    }
  }
}
