import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobHelpers } from 'graphile-worker';
import type { DataSource } from 'typeorm';
import { UnitOfWork } from '../common/database/unit-of-work';
import { WorkerTasks } from '../deliveries/worker-tasks';
import { InboundHandlers, type InboundEffect } from './inbox-handlers';
import { PROCESS_INBOUND_TASK } from './inbox-queue.sql';

interface LockedEvent {
  id: string;
  channel: string;
  scope: string;
  source_id: string | null;
  source_label: string;
  dedup_key: string | null;
  received_at: Date;
  raw_body: Buffer;
  status: string;
  attempts: number;
}

/** The unprocessed events of the job's order key up to and including its own, oldest first. */
const UNPROCESSED_UP_TO_SQL = `
  SELECT later.id
    FROM inbound_events own
    JOIN inbound_events later ON later.order_key = own.order_key AND later.seq <= own.seq
   WHERE own.id = $1 AND later.status = 'accepted'
   ORDER BY later.seq`;

const LOCK_SQL = `
  SELECT id, channel, scope, source_id, source_label, dedup_key, received_at, raw_body, status, attempts
    FROM inbound_events WHERE id = $1 FOR UPDATE`;

const MARK_PROCESSED_SQL = `
  UPDATE inbound_events
     SET status = 'processed', attempts = attempts + 1, processed_at = now(), last_error = NULL, next_attempt_at = NULL
   WHERE id = $1`;

const INSERT_EFFECTS_SQL = `
  INSERT INTO inbound_event_effects (event_id, position, incident_id, incident_number, outcome, dedup_key)
  SELECT $1, e.position, e.incident_id, e.incident_number, e.outcome, e.dedup_key
    FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[])
         WITH ORDINALITY AS e(incident_id, incident_number, outcome, dedup_key, position)`;

/**
 * A failed attempt. The next one is due when graphile-worker's back-off runs the job again
 * (`exp(least(attempts, 10))` seconds, as deliveries record it); past max_attempts it is failed,
 * replayable, and events after it with the same order key go on.
 */
const MARK_FAILED_SQL = `
  UPDATE inbound_events
     SET attempts = attempts + 1,
         last_error = $2,
         status = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' ELSE 'accepted' END,
         next_attempt_at = CASE WHEN attempts + 1 >= max_attempts THEN NULL
                                ELSE now() + exp(least($3::int, 10)) * interval '1 second' END
   WHERE id = $1 AND status = 'accepted'
  RETURNING status`;

const MAX_ERROR_LENGTH = 2000;

/**
 * Processes inbound events on the job queue. Each job handles the unprocessed events of its
 * order key up to its own, oldest first, each in one transaction with the handler's writes
 * (exactly once: a row is processed only while it is still `accepted`, under its row lock). An
 * event that fails stops the job, so the events after it with the same key wait for its retry
 * rather than overtaking it; jobs of one key never run at once (see INBOX_QUEUES).
 */
@Injectable()
export class InboxProcessor implements OnModuleInit {
  private readonly logger = new Logger(InboxProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly handlers: InboundHandlers,
    private readonly tasks: WorkerTasks,
  ) {}

  onModuleInit(): void {
    this.tasks.register(PROCESS_INBOUND_TASK, (payload, helpers) =>
      this.process(payload as { id: string }, helpers),
    );
  }

  private async process(payload: { id: string }, helpers: JobHelpers): Promise<void> {
    const pending = await this.dataSource.query<{ id: string }[]>(UNPROCESSED_UP_TO_SQL, [payload.id]);
    for (const { id } of pending) {
      try {
        await this.processOne(id);
      } catch (e) {
        const message = (e instanceof Error ? e.message : String(e)) || 'processing failed without a message';
        const [outcome] = await this.dataSource.query<{ status: string }[]>(MARK_FAILED_SQL, [
          id,
          message.slice(0, MAX_ERROR_LENGTH),
          helpers.job.attempts,
        ]);
        if (outcome?.status === 'failed') {
          this.logger.warn(`Inbound event ${id} failed for good (replayable): ${message}`);
          continue;
        }
        throw e;
      }
    }
  }

  private async processOne(id: string): Promise<void> {
    await this.uow.run(async (m) => {
      const [row] = await m.query<LockedEvent[]>(LOCK_SQL, [id]);
      // Gone (retention), or processed by an earlier job of this key: nothing to do.
      if (!row || row.status !== 'accepted') return;
      const handler = this.handlers.get(row.channel);
      if (!handler) throw new Error(`No inbox handler for channel "${row.channel}" in this process`);
      const effects: InboundEffect[] = await handler.handle(
        {
          id: row.id,
          channel: row.channel,
          scope: row.scope,
          sourceId: row.source_id,
          sourceLabel: row.source_label,
          dedupKey: row.dedup_key,
          receivedAt: row.received_at,
          rawBody: row.raw_body,
          attempt: row.attempts + 1,
        },
        m,
      );
      await m.query(MARK_PROCESSED_SQL, [id]);
      if (effects.length) {
        await m.query(INSERT_EFFECTS_SQL, [
          id,
          effects.map((e) => e.incidentId),
          effects.map((e) => e.incidentNumber),
          effects.map((e) => e.outcome),
          effects.map((e) => e.dedupKey),
        ]);
      }
    });
  }
}
