import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { WorkerTasks } from '../deliveries/worker-tasks';
import { InboundHandlers, type InboundEffect } from './inbox-handlers';
import { DRAIN_INBOUND_TASK, drainJobsSql, ORDER_KEY_LOCK_SQL, retryJobSql } from './inbox-queue.sql';

interface LockedEvent {
  id: string;
  channel: string;
  scope: string;
  source_id: string | null;
  source_label: string;
  dedup_key: string | null;
  received_at: Date;
  raw_body: Buffer;
  attempts: number;
  backing_off: boolean | null;
}

/** The oldest waiting event of an order key, locked; read after the key's lock is held. */
const NEXT_OF_KEY_SQL = `
  SELECT id, channel, scope, source_id, source_label, dedup_key, received_at, raw_body, attempts,
         next_attempt_at > now() AS backing_off
    FROM inbound_events
   WHERE order_key = $1 AND status = 'accepted'
   ORDER BY seq
   LIMIT 1
     FOR UPDATE`;

/** Processed, with what it did, in one statement. */
const MARK_PROCESSED_SQL = `
  WITH processed AS (
    UPDATE inbound_events
       SET status = 'processed', attempts = attempts + 1, processed_at = now(), last_error = NULL,
           next_attempt_at = NULL
     WHERE id = $1)
  INSERT INTO inbound_event_effects (event_id, position, incident_id, incident_number, outcome, dedup_key)
  SELECT $1, e.position, e.incident_id, e.incident_number, e.outcome, e.dedup_key
    FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[])
         WITH ORDINALITY AS e(incident_id, incident_number, outcome, dedup_key, position)`;

/**
 * A failed attempt, with its key's retry job in the same statement: the next attempt is due after
 * `exp(least(attempts, 10))` seconds (as deliveries back off). Past max_attempts the event is
 * failed, replayable, and the events after it with the same order key go on.
 */
const MARK_FAILED_SQL = `
  WITH failed AS (
    UPDATE inbound_events
       SET attempts = attempts + 1,
           last_error = $2,
           status = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' ELSE 'accepted' END,
           next_attempt_at = CASE WHEN attempts + 1 >= max_attempts THEN NULL
                                  ELSE now() + exp(least(attempts + 1, 10)) * interval '1 second' END
     WHERE id = $1 AND status = 'accepted'
    RETURNING status, order_key, next_attempt_at)
  SELECT status, CASE WHEN status = 'accepted' THEN ${retryJobSql('order_key', 'next_attempt_at')} IS NOT NULL END AS retry
    FROM failed`;

/**
 * Order keys with events waiting that no drain job covers (graphile-worker's public jobs view has
 * no payload, hence its private tables): their instance stopped between storing
 * them and queuing them (or a retry job was lost). Only events older than a dispatch takes, and due.
 */
const STRANDED_KEYS_SQL = `
  WITH covered AS (
    SELECT DISTINCT json_array_elements_text(j.payload->'keys') AS key
      FROM graphile_worker._private_jobs j
      JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = '${DRAIN_INBOUND_TASK}')
  SELECT array_agg(DISTINCT e.order_key) AS keys
    FROM inbound_events e
   WHERE e.status = 'accepted'
     AND e.received_at < now() - interval '2 seconds'
     AND (e.next_attempt_at IS NULL OR e.next_attempt_at < now() - interval '2 seconds')
     AND NOT EXISTS (SELECT 1 FROM covered c WHERE c.key = e.order_key)`;

const SWEEP_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtext('nexecute:inbox-sweep')) AS acquired`;

const MAX_ERROR_LENGTH = 2000;

type Drained = 'processed' | 'failed' | 'retrying' | 'empty';

/**
 * Processes inbound events on the job queue. A drain job takes some order keys; for each, it
 * processes the key's waiting events oldest first, each in one transaction with the handler's
 * writes, under the key's advisory lock (so two jobs, workers or instances never process one key
 * at once, and a row is processed only while still `accepted`: exactly once). An event that fails
 * holds its key back until its retry job, so later events of the key never overtake it; the
 * job's other keys go on. A sweep queues what no job covers, so an event stored by an instance
 * that died before queuing it is processed all the same.
 */
@Injectable()
export class InboxProcessor implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxProcessor.name);
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly handlers: InboundHandlers,
    private readonly tasks: WorkerTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.register(DRAIN_INBOUND_TASK, (payload) => this.drain(payload as { keys: string[] }));
  }

  onApplicationBootstrap(): void {
    // The instances that process events look for stranded ones; API-only instances do not.
    if (!this.config.deliveries.workerEnabled) return;
    const sweep = () =>
      void this.sweep().catch((e: unknown) => this.logger.warn(`Inbox sweep failed: ${String(e)}`));
    sweep();
    this.sweepTimer = setInterval(sweep, this.config.inbox.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
  }

  /** Queues drain jobs for stranded order keys; returns how many keys. One instance at a time. */
  async sweep(): Promise<number> {
    return this.uow.run(async (m) => {
      const [lock] = await m.query<{ acquired: boolean }[]>(SWEEP_LOCK_SQL);
      if (!lock?.acquired) return 0;
      const [row] = await m.query<{ keys: string[] | null }[]>(STRANDED_KEYS_SQL);
      const keys = row?.keys ?? [];
      if (!keys.length) return 0;
      await m.query(`SELECT count(*) FROM ${drainJobsSql('$1::text[]')}`, [keys]);
      this.logger.warn(`Inbox sweep queued ${keys.length} order key(s) whose events no job covered`);
      return keys.length;
    });
  }

  private async drain(payload: { keys: string[] }): Promise<void> {
    for (const key of payload.keys) {
      for (;;) {
        const outcome = await this.processNext(key);
        if (outcome === 'empty' || outcome === 'retrying') break;
      }
    }
  }

  /** Processes the oldest waiting event of `key`, if there is one and it is due. */
  private async processNext(key: string): Promise<Drained> {
    let failedId: string | undefined;
    let failure: unknown;
    const outcome = await this.uow.run(async (m): Promise<Drained> => {
      await m.query(ORDER_KEY_LOCK_SQL, [key]);
      const [row] = await m.query<LockedEvent[]>(NEXT_OF_KEY_SQL, [key]);
      if (!row) return 'empty';
      // Its retry job comes back for it (and the sweep, should that job be lost).
      if (row.backing_off) return 'retrying';
      try {
        await m.query('SAVEPOINT inbound_handler');
        const effects = await this.handle(row, m);
        await m.query(MARK_PROCESSED_SQL, [
          row.id,
          effects.map((e) => e.incidentId),
          effects.map((e) => e.incidentNumber),
          effects.map((e) => e.outcome),
          effects.map((e) => e.dedupKey),
        ]);
        return 'processed';
      } catch (e) {
        // The handler's writes go; the attempt is recorded under the same key lock.
        await m.query('ROLLBACK TO SAVEPOINT inbound_handler');
        failedId = row.id;
        failure = e;
        const message = (e instanceof Error ? e.message : String(e)) || 'processing failed without a message';
        const [marked] = await m.query<{ status: string }[]>(MARK_FAILED_SQL, [
          row.id,
          message.slice(0, MAX_ERROR_LENGTH),
        ]);
        return marked?.status === 'failed' ? 'failed' : 'retrying';
      }
    });
    if (failedId) {
      const message = failure instanceof Error ? failure.message : String(failure);
      if (outcome === 'failed')
        this.logger.warn(`Inbound event ${failedId} failed for good (replayable): ${message}`);
      else this.logger.debug(`Inbound event ${failedId} failed; retrying later: ${message}`);
    }
    return outcome;
  }

  private handle(row: LockedEvent, m: EntityManager): Promise<InboundEffect[]> {
    const handler = this.handlers.get(row.channel);
    if (!handler) throw new Error(`No inbox handler for channel "${row.channel}" in this process`);
    return handler.handle(
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
  }
}
