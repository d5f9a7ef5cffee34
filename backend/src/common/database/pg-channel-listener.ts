import { Logger } from '@nestjs/common';
import pg from 'pg';

export interface PgChannelListenerOptions {
  /** The database to listen on (the app's own). */
  readonly connectionString: string | undefined;
  /** How the listening connection shows in pg_stat_activity. */
  readonly applicationName: string;
  readonly channels: readonly string[];
  /** Names the listener in its logs ("Live listener", "Access-change listener"). */
  readonly label: string;
  readonly onNotification: (channel: string, payload: string | undefined) => void;
  /**
   * LISTEN is in place; `again` when it is after a lost connection, in which case notifications
   * sent while nobody listened are gone.
   */
  readonly onListening: (again: boolean) => void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * LISTEN on a connection of its own (a pooled connection cannot hold a LISTEN), reconnecting with
 * back-off when it drops. The one implementation behind every listener of the app's signals
 * (access changes, live events), so each handles only what its channels mean.
 */
export class PgChannelListener {
  private readonly logger: Logger;
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private everListened = false;
  private stopped = false;

  constructor(private readonly options: PgChannelListenerOptions) {
    this.logger = new Logger(options.label);
  }

  /** Whether a LISTEN is in place right now (a reconnect may be pending). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  start(): Promise<void> {
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName,
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
    client.on('notification', (message) => this.options.onNotification(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(this.options.channels.map((channel) => `LISTEN ${channel};`).join(' '));
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
      this.logger.log(
        `${this.options.label} is listening again after ${this.failedAttempts} failed attempt(s)`,
      );
    }
    this.failedAttempts = 0;
    const again = this.everListened;
    this.everListened = true;
    this.options.onListening(again);
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    const reason = error instanceof Error ? error.message : 'connection closed';
    this.logger.warn(
      `${this.options.label} lost its database connection (${reason}); attempt ${this.failedAttempts} in ${delay} ms`,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
