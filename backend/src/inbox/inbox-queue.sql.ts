/** The graphile-worker task that processes inbound events. */
export const PROCESS_INBOUND_TASK = 'inbox.process';

/**
 * Jobs run serially within a graphile-worker named queue; an order key always maps to the same
 * one of these, so two events with one dedup key are never processed at once, while different
 * keys spread over the queues and run in parallel (up to the worker's concurrency).
 */
export const INBOX_QUEUES = 32;

/** Retries of the job itself; the event's own attempts (INBOX_MAX_ATTEMPTS) decide when it fails. */
export const PROCESS_JOB_MAX_ATTEMPTS = 25;

/** `add_job` for the inbound event whose row is `r` (columns id and order_key). */
export function enqueueSql(r: string): string {
  return `graphile_worker.add_job(
      '${PROCESS_INBOUND_TASK}',
      json_build_object('id', ${r}.id),
      queue_name := 'inbox-' || (hashtext(${r}.order_key) & ${INBOX_QUEUES - 1}),
      max_attempts := ${PROCESS_JOB_MAX_ATTEMPTS})`;
}
