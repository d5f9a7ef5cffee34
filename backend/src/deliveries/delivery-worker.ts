import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { run, type JobHelpers, type Runner, type WorkerEvents } from 'graphile-worker';
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DeliveryConsumers, describeVersions, versionFor, type DeliveryConsumer } from './delivery-consumers';
import {
  DELIVER_TASK,
  installDeliveryQueue,
  workerLogger,
  workerPool,
  type DeliverJobPayload,
} from './delivery-queue';
import type { DeliveredEvent } from './domain-event';
import { PermanentDeliveryError } from './permanent-delivery-error';
import { WorkerPoolLiveness } from './worker-pool-liveness';
import { WorkerTasks } from './worker-tasks';

const LOAD_DELIVERY_SQL = `
  SELECT d.consumer, d.status, d.idempotency_key,
         e.id AS event_id, e.type, e.schema_version, e.aggregate_type, e.aggregate_id, e.aggregate_version,
         e.payload, e.older_payloads, e.actor_type, e.actor_id, e.actor_label, e.occurred_at
    FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
   WHERE d.id = $1`;

const MARK_DELIVERED_SQL = `
  UPDATE deliveries
     SET status = 'delivered', attempts = $2, delivered_at = now(), next_attempt_at = NULL, updated_at = now()
   WHERE id = $1`;

/**
 * Records a failed attempt. next_attempt_at mirrors graphile-worker 0.17's own back-off, which
 * its fail_job applies to the job right after this task throws:
 * `run_at = greatest(now(), run_at) + exp(least(attempts, 10)) seconds` (3 s, 7 s, 20 s, … ~6 h).
 * Skipped when the job no longer owns the key: a replay during this attempt queued a fresh job
 * and already reset the row, which this stale outcome must not overwrite.
 */
const MARK_FAILED_SQL = `
  UPDATE deliveries
     SET status = CASE WHEN $2::int >= $3::int THEN 'dead' ELSE 'failed' END,
         attempts = $2::int,
         last_error = $4::text,
         next_attempt_at = CASE WHEN $2::int >= $3::int THEN NULL
                                ELSE greatest(now(), $5::timestamptz) + exp(least($2::int, 10)) * interval '1 second' END,
         updated_at = now()
   WHERE id = $1::uuid
     AND EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j.id = $6::bigint AND j.key = deliveries.idempotency_key)`;

interface LoadedDelivery {
  consumer: string;
  status: string;
  idempotency_key: string;
  event_id: string;
  type: string;
  schema_version: number;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number;
  payload: object;
  /** The same event in older schema versions it is also published in, by version. */
  older_payloads: Record<string, object> | null;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  occurred_at: Date;
}

/**
 * The loaded event as this consumer gets it: in the newest stored version it handles. None (the
 * event is of a version this process's code does not know) fails the attempt, which is retried
 * like one whose consumer is missing: an instance running code that knows the version, or this
 * one after a deploy, delivers it (docs/events.md, "Versions").
 */
function eventFor(consumer: DeliveryConsumer, row: LoadedDelivery): DeliveredEvent {
  const payloads = new Map([
    [row.schema_version, row.payload],
    ...Object.entries(row.older_payloads ?? {}).map(([v, p]) => [Number(v), p] as const),
  ]);
  const version = versionFor(consumer, row.type, [...payloads.keys()]);
  const payload = version === undefined ? undefined : payloads.get(version);
  if (version === undefined || !payload) {
    throw new Error(
      `Delivery consumer "${consumer.name}" in this process handles ${row.type} in ${describeVersions(consumer, row.type)}, ` +
        `not in the stored v${[...payloads.keys()].join(', v')}`,
    );
  }
  return {
    id: row.event_id,
    type: row.type,
    schemaVersion: version,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    aggregateVersion: row.aggregate_version,
    payload,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    occurredAt: row.occurred_at.toISOString(),
  };
}

/**
 * A permanent failure (PermanentDeliveryError): the job's max_attempts drops to the attempts made,
 * so graphile-worker keeps it failed like any job out of attempts (a replay re-adds it by key),
 * and the ledger row is written `dead` by MARK_FAILED_SQL with that same maximum.
 */
const GIVE_UP_JOB_SQL = `UPDATE graphile_worker._private_jobs SET max_attempts = attempts WHERE id = $1::bigint`;

/** Longest error text kept in the ledger. */
const MAX_ERROR_LENGTH = 2000;

/**
 * Runs graphile-worker in this process. Its schema is installed at module init (idempotent, and
 * needed even with the worker off, since Outbox.publish enqueues into it). The worker starts once
 * every module is initialised, so every consumer has registered; `app.close()` stops it before
 * the pools close, letting jobs in flight finish within half of SHUTDOWN_TIMEOUT_MS. Past that
 * they are aborted and handed back to the queue (retried), not left locked. While it runs, the
 * pool beats and sweeps (WorkerPoolLiveness), so the jobs of a crashed instance run here instead.
 */
@Injectable()
export class DeliveryWorker implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private pool: pg.Pool | undefined;
  private runner: Runner | undefined;
  private liveness: WorkerPoolLiveness | undefined;
  private shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly consumers: DeliveryConsumers,
    private readonly tasks: WorkerTasks,
  ) {}

  private get connectionString(): string {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) throw new Error('The delivery worker needs the DataSource to be configured by URL');
    return url;
  }

  private get drainMs(): number {
    return Math.floor(this.config.http.shutdownTimeoutMs / 2);
  }

  async onModuleInit(): Promise<void> {
    await installDeliveryQueue(this.connectionString);
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.deliveries;
    if (!settings.workerEnabled) {
      this.logger.log(
        'Delivery worker disabled (DELIVERY_WORKER_ENABLED=false): events are queued, not delivered',
      );
      return;
    }
    await this.startRunner();
  }

  /**
   * graphile-worker shuts its pool down for good when the database goes away under a running
   * job ("Could not completeJobs… aborting"). A dead pool would keep beating (so the sweep never
   * frees its jobs) and deliver nothing until a restart: start a new one instead, retrying each
   * second until the database lets it.
   */
  private async restartAfter(runner: Runner, reason: string): Promise<void> {
    if (this.shuttingDown || this.runner !== runner) return;
    this.logger.warn(`Delivery worker stopped (${reason}); starting a new one`);
    this.runner = undefined;
    await this.liveness?.stop().catch(() => undefined);
    this.liveness = undefined;
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
    while (!this.shuttingDown && !this.runner) {
      try {
        await this.startRunner();
      } catch (e) {
        await (this.pool as pg.Pool | undefined)?.end().catch(() => undefined);
        this.pool = undefined;
        this.logger.warn(`Delivery worker could not start (${String(e)}); retrying in 1 s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async startRunner(): Promise<void> {
    const settings = this.config.deliveries;
    // one LISTEN connection, short ledger writes, and a job per concurrency slot
    this.pool = workerPool(this.connectionString, settings.concurrency + 2, this.logger);
    // The pool's id (and its workers') are what graphile-worker writes to jobs.locked_by; only
    // its events tell them, and the pool is created before run() resolves.
    const events = new EventEmitter() as WorkerEvents;
    let poolId = '';
    const workerIds: string[] = [];
    events.on('pool:create', ({ workerPool }) => (poolId = workerPool.id));
    events.on('worker:create', ({ worker }) => workerIds.push(worker.workerId));
    this.runner = await run({
      pgPool: this.pool,
      concurrency: settings.concurrency,
      pollInterval: settings.pollIntervalMs,
      // main.ts owns SIGTERM/SIGINT; the worker stops through app.close()
      noHandleSignals: true,
      events,
      gracefulShutdownAbortTimeout: this.drainMs,
      // Batched (delay 0) rather than fire-and-forget, so stopping flushes the last outcomes to the
      // database before the pool closes; unbatched, a job finished during shutdown stays locked.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      logger: workerLogger(DeliveryWorker.name),
      // no cron: without this graphile-worker looks for a ./crontab file in the working directory
      parsedCronItems: [],
      taskList: {
        ...Object.fromEntries(this.tasks.entries()),
        [DELIVER_TASK]: (payload, helpers) => this.deliver(payload as DeliverJobPayload, helpers),
      },
    });
    this.logger.log(`Delivery worker started (concurrency ${settings.concurrency}, pool ${poolId})`);
    this.liveness = new WorkerPoolLiveness(this.pool, { poolId, workerIds }, settings, this.logger);
    await this.liveness.start();
    const runner = this.runner;
    runner.promise.then(
      () => void this.restartAfter(runner, 'its pool exited'),
      (e: unknown) => void this.restartAfter(runner, String(e)),
    );
  }

  /** Before the HTTP server and the TypeORM pool close: consumers may still need both. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const runner = this.runner;
    this.runner = undefined;
    if (runner) {
      let timer: NodeJS.Timeout | undefined;
      const overran = new Promise<'overran'>((resolve) => {
        timer = setTimeout(() => resolve('overran'), this.drainMs);
      });
      const outcome = await Promise.race([runner.stop().then(() => 'stopped' as const), overran]);
      clearTimeout(timer);
      if (outcome === 'overran') {
        this.logger.warn(`Deliveries still running after ${this.drainMs} ms; handing them back to the queue`);
        await runner
          .kill()
          .catch((e: unknown) => this.logger.error(`Delivery worker kill failed: ${String(e)}`));
      }
    }
    await this.liveness?.stop(); // after the drain: a pool still finishing jobs keeps beating
    this.liveness = undefined;
    await this.pool?.end();
    this.pool = undefined;
  }

  /** The `deliver` task: one attempt of one delivery. Throwing makes graphile-worker retry it. */
  private async deliver(payload: DeliverJobPayload, helpers: JobHelpers): Promise<void> {
    const { job } = helpers;
    const {
      rows: [row],
    } = await helpers.query<LoadedDelivery>(LOAD_DELIVERY_SQL, [payload.deliveryId]);
    if (!row) {
      // The row went with its event (retention); there is nothing left to deliver.
      this.logger.warn(`Delivery ${payload.deliveryId} no longer exists; job ${job.id} dropped`);
      return;
    }
    if (row.status === 'delivered') return; // an earlier attempt succeeded but its job was not completed
    try {
      const consumer = this.consumers.get(row.consumer);
      if (!consumer) {
        // Kept in the queue and retried (then dead, replayable): a deploy may bring it back.
        throw new Error(`No delivery consumer named "${row.consumer}" is registered in this process`);
      }
      const event = eventFor(consumer, row);
      await consumer.handle(event, {
        idempotencyKey: row.idempotency_key,
        attempt: job.attempts,
        signal: helpers.abortSignal,
      });
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)) || 'consumer failed without a message';
      const permanent = e instanceof PermanentDeliveryError;
      if (permanent) {
        await helpers
          .query(GIVE_UP_JOB_SQL, [job.id])
          .catch((giveUpError: unknown) =>
            this.logger.error(
              `Could not stop retrying delivery ${payload.deliveryId}: ${String(giveUpError)}`,
            ),
          );
      }
      await helpers
        .query(MARK_FAILED_SQL, [
          payload.deliveryId,
          job.attempts,
          permanent ? job.attempts : job.max_attempts,
          message.slice(0, MAX_ERROR_LENGTH),
          job.run_at,
          job.id,
        ])
        .catch((recordError: unknown) =>
          this.logger.error(`Could not record failed delivery ${payload.deliveryId}: ${String(recordError)}`),
        );
      throw e;
    }
    await helpers.query(MARK_DELIVERED_SQL, [payload.deliveryId, job.attempts]);
  }
}
