import { Logger as NestLogger } from '@nestjs/common';
import { Logger as WorkerLogger, runMigrations } from 'graphile-worker';
import pg from 'pg';

/*
 * Why graphile-worker (and not pg-boss): its enqueue is a SQL function,
 * `graphile_worker.add_job(...)`, so Outbox.publish calls it on the caller's own transaction
 * (the EntityManager that changes the incident). The event row, the deliveries rows and the jobs
 * commit or roll back together with the change: that is the outbox guarantee, with no relay
 * process polling an outbox table. `job_key` makes the enqueue idempotent: one job per
 * `<consumer>:<eventId>`, and re-adding that key (a replay) resets the same job instead of adding
 * a second one. pg-boss enqueues through its own client and connection, outside our transaction.
 * Version 0.17.x: 0.18 needs Node 22 and we support Node 20.19.
 */

/** The one graphile-worker task this module defines. */
export const DELIVER_TASK = 'deliver';

/** What a `deliver` job carries: only the ledger row; everything else is read when it runs. */
export interface DeliverJobPayload {
  readonly deliveryId: string;
}

/** The default number of attempts when a consumer names none. */
export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Enqueues (or, for an existing job_key, resets) one `deliver` job per delivery id given, on the
 * connection of the transaction that runs it. `job_key_mode` stays graphile-worker's default,
 * 'replace': an idle job with that key gets attempts 0 and run_at now; a job running right now
 * keeps running and a fresh one is queued behind it.
 */
export const ENQUEUE_DELIVERIES_SQL = `
  SELECT count(graphile_worker.add_job(
           '${DELIVER_TASK}',
           json_build_object('deliveryId', d.id),
           max_attempts := d.max_attempts,
           job_key := d.idempotency_key
         ))::int AS enqueued
    FROM deliveries d
   WHERE d.id = ANY($1::uuid[])`;

/** graphile-worker's messages through Nest's logger (hence pino), in one context. */
export function workerLogger(context: string): WorkerLogger {
  const logger = new NestLogger(context);
  // `level` as a string: graphile's LogLevel is a const enum, which isolated-module builds (swc) cannot inline.
  return new WorkerLogger(() => (level: string, message: string, meta?: Record<string, unknown>) => {
    // A consumer failing is routine (it is retried and recorded in `deliveries`): warn, not error.
    if (level === 'error' && meta?.failure === true) logger.warn(message);
    else if (level === 'error') logger.error(message);
    else if (level === 'warning') logger.warn(message);
    else if (level === 'info') logger.log(message);
    else logger.debug(message);
  });
}

/**
 * A pool for graphile-worker, with the error handlers it expects (an idle connection dropped by
 * the server must be logged, not crash the process).
 */
export function workerPool(connectionString: string, max: number, logger: NestLogger): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'nexecute-connect-worker' });
  const warn = (e: Error): void => logger.warn(`Worker database connection failed: ${e.message}`);
  pool.on('error', warn);
  pool.on('connect', (client) => client.on('error', warn));
  return pool;
}

/**
 * Installs or upgrades graphile-worker's own schema (`graphile_worker`). Idempotent and safe
 * when instances start together (graphile-worker detects a concurrent migration). The app runs
 * it at start-up before the worker; the test setup runs it once into the template database. Its
 * connection is closed before this returns (a template database must have none open).
 */
export async function installDeliveryQueue(connectionString: string): Promise<void> {
  const pool = workerPool(connectionString, 1, new NestLogger('DeliveryQueue'));
  try {
    await runMigrations({ pgPool: pool, logger: workerLogger('DeliveryQueue') });
  } finally {
    await pool.end();
  }
}
