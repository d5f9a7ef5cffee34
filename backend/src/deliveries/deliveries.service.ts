import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { SqlConditions } from '../common/database/sql-conditions';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DeliveryError, DeliveryErrorCode } from './deliveries.errors';
import type { DeliveryStatus } from './delivery.entity';
import { ENQUEUE_DELIVERIES_SQL } from './delivery-queue';
import { handBackJobs } from './orphaned-job-sweep';
import type { DeliveryPageView, DeliverySummaryView, DeliveryView } from './dto/delivery.view';
import { orphanedLockSql, stalledDeliverySql } from './worker-liveness.sql';

export interface DeliveryQuery {
  readonly status?: DeliveryStatus;
  readonly consumer?: string;
  readonly aggregateId?: string;
  /** An incident's id: aggregateId restricted to aggregate type 'incident'. */
  readonly incidentId?: string;
  /** true: only stalled deliveries; false: none of them. */
  readonly stalled?: boolean;
  readonly limit: number;
  readonly cursor?: string;
}

/** A delivery row joined to its event; created_micros keeps the microseconds a JS Date drops. */
interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  aggregate_type: string;
  aggregate_id: string;
  consumer: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
  idempotency_key: string;
  created_micros: string;
  stalled: boolean;
}

/*
 * Every query below starts its parameters with the two stall thresholds: $1 is
 * DELIVERY_WORKER_STALE_AFTER_MS and $2 DELIVERY_STALLED_AFTER_MS (see worker-liveness.sql.ts).
 * `j` is the delivery's graphile-worker job (job key = idempotency key), NULL when it has none.
 */
const STALLED = stalledDeliverySql('d', 'j', '$1', '$2');

const SELECT_DELIVERIES = `
  SELECT d.id, d.event_id, e.type AS event_type, e.aggregate_type, e.aggregate_id, d.consumer, d.status,
         d.attempts, d.max_attempts, d.last_error, d.next_attempt_at, d.delivered_at, d.created_at,
         d.updated_at, d.idempotency_key,
         (extract(epoch FROM d.created_at) * 1000000)::bigint::text AS created_micros,
         ${STALLED} AS stalled
    FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
    LEFT JOIN graphile_worker.jobs j ON j.key = d.idempotency_key`;

const SUMMARY_SQL = `
  SELECT d.consumer,
         count(*) FILTER (WHERE d.status = 'pending')::int AS pending,
         count(*) FILTER (WHERE d.status = 'failed')::int AS failed,
         count(*) FILTER (WHERE d.status = 'dead')::int AS dead,
         count(*) FILTER (WHERE d.status = 'delivered')::int AS delivered,
         count(*) FILTER (WHERE ${STALLED})::int AS stalled
    FROM deliveries d
    LEFT JOIN graphile_worker.jobs j ON j.key = d.idempotency_key AND d.status IN ('pending', 'failed')
   GROUP BY d.consumer
   ORDER BY d.consumer`;

/** `orphaned_by`: the gone pool that holds the delivery's job, which replay must free first. */
const LOCK_FOR_REPLAY_SQL = `
  SELECT d.status, d.attempts, d.consumer, d.event_id, d.idempotency_key, ${STALLED} AS stalled,
         CASE WHEN ${orphanedLockSql('j', '$1')} THEN j.locked_by END AS orphaned_by
    FROM deliveries d LEFT JOIN graphile_worker.jobs j ON j.key = d.idempotency_key
   WHERE d.id = $3
     FOR UPDATE OF d`;

const RESET_FOR_REPLAY_SQL = `
  UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
   WHERE id = $1`;

/** The most rows forAggregate returns (newest first). */
const AGGREGATE_LIMIT = 1000;

const REPLAYABLE: readonly DeliveryStatus[] = ['failed', 'dead'];

/** cursor = base64url("<created_at in µs since epoch>.<id>"), the last row of the previous page. */
function decodeCursor(cursor: string): { micros: string; id: string } {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,17})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(decoded);
  if (!match?.[1] || !match[2]) {
    throw new DeliveryError(
      DeliveryErrorCode.CursorInvalid,
      'cursor must be a nextCursor value from a previous page',
    );
  }
  return { micros: match[1], id: match[2] };
}

function encodeCursor(row: DeliveryRow): string {
  return Buffer.from(`${row.created_micros}.${row.id}`, 'utf8').toString('base64url');
}

function viewOf(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    incidentId: row.aggregate_type === 'incident' ? row.aggregate_id : null,
    consumer: row.consumer,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    idempotencyKey: row.idempotency_key,
    stalled: row.stalled,
  };
}

/** Reads the delivery ledger and replays deliveries. Writes to it come from Outbox and the worker. */
@Injectable()
export class DeliveriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** $1 and $2 of every query here (see STALLED). */
  private get thresholds(): [number, number] {
    return [this.config.deliveries.staleAfterMs, this.config.deliveries.stalledAfterMs];
  }

  /** Newest first, keyset-paged on (created_at, id) so a page never shifts while rows arrive. */
  async list(query: DeliveryQuery): Promise<DeliveryPageView> {
    const where = new SqlConditions();
    where.param(this.thresholds[0]);
    where.param(this.thresholds[1]);
    if (query.status) where.and(`d.status = ${where.param(query.status)}`);
    if (query.consumer) where.and(`d.consumer = ${where.param(query.consumer)}`);
    if (query.aggregateId) where.and(`e.aggregate_id = ${where.param(query.aggregateId)}::uuid`);
    if (query.incidentId) {
      where.and(`e.aggregate_type = ${where.param('incident')}`);
      where.and(`e.aggregate_id = ${where.param(query.incidentId)}::uuid`);
    }
    if (query.stalled !== undefined) where.and(query.stalled ? STALLED : `NOT ${STALLED}`);
    if (query.cursor !== undefined) {
      const { micros, id } = decodeCursor(query.cursor);
      where.and(
        `(d.created_at, d.id) < (timestamptz 'epoch' + ${where.param(micros)}::bigint * interval '1 microsecond', ${where.param(id)}::uuid)`,
      );
    }
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `${SELECT_DELIVERIES} ${where.toSql()}
       ORDER BY d.created_at DESC, d.id DESC LIMIT ${where.param(query.limit + 1)}`,
      where.values,
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(viewOf),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  async view(id: string, manager: EntityManager = this.dataSource.manager): Promise<DeliveryView> {
    const [row] = await manager.query<DeliveryRow[]>(`${SELECT_DELIVERIES} WHERE d.id = $3`, [
      ...this.thresholds,
      id,
    ]);
    if (!row) throw new DeliveryError(DeliveryErrorCode.NotFound, `No delivery with id ${id}`);
    return viewOf(row);
  }

  /** Every consumer's deliveries of one aggregate's events, newest first (at most 1000). */
  async forAggregate(aggregateType: string, aggregateId: string): Promise<DeliveryView[]> {
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `${SELECT_DELIVERIES} WHERE e.aggregate_type = $3 AND e.aggregate_id = $4::uuid
       ORDER BY d.created_at DESC, d.id DESC LIMIT ${AGGREGATE_LIMIT}`,
      [...this.thresholds, aggregateType, aggregateId],
    );
    return rows.map(viewOf);
  }

  /**
   * SQL for views that the database renders: how many deliveries of the events of the aggregate
   * whose id is in `idColumn` are not delivered yet (the partial index deliveries_unfinished).
   */
  behindCountSql(aggregateType: string, idColumn: string): string {
    if (!/^[a-z_]+$/.test(aggregateType))
      throw new Error(`aggregate type ${aggregateType} is not a plain name`);
    return `(SELECT count(*)::int FROM outbox_events e JOIN deliveries d ON d.event_id = e.id AND d.status <> 'delivered'
              WHERE e.aggregate_type = '${aggregateType}' AND e.aggregate_id = ${idColumn})`;
  }

  async summary(): Promise<DeliverySummaryView> {
    const rows = await this.dataSource.query<DeliverySummaryView['byConsumer']>(SUMMARY_SQL, this.thresholds);
    return { byConsumer: rows };
  }

  /**
   * Sends a failed, dead or stalled delivery again: attempts back to 0, the same job (same key,
   * so the same idempotency key for the consumer) queued to run now, and an audit row, in one
   * transaction. A job held by a gone pool is freed first (what the sweep would do), so the reset
   * applies to it rather than queueing a second job beside it. A pending delivery that is queued
   * or running on a live worker is refused: it is on its way.
   */
  async replay(id: string, actor: RequestActor): Promise<DeliveryView> {
    return this.uow.run(async (manager) => {
      const [row] = await manager.query<
        {
          status: DeliveryStatus;
          attempts: number;
          consumer: string;
          event_id: string;
          idempotency_key: string;
          stalled: boolean;
          orphaned_by: string | null;
        }[]
      >(LOCK_FOR_REPLAY_SQL, [...this.thresholds, id]);
      if (!row) throw new DeliveryError(DeliveryErrorCode.NotFound, `No delivery with id ${id}`);
      if (!REPLAYABLE.includes(row.status) && !row.stalled) {
        throw new DeliveryError(
          DeliveryErrorCode.NotReplayable,
          `Only failed, dead or stalled deliveries can be replayed; this one is ${row.status}` +
            (row.status === 'pending' ? ' and on its way (queued, or running on a live worker)' : ''),
          { deliveryStatus: row.status },
        );
      }
      if (row.orphaned_by) {
        await handBackJobs((sql, params) => manager.query(sql, [...params]), [row.orphaned_by]);
      }
      await manager.query(RESET_FOR_REPLAY_SQL, [id]);
      await manager.query(ENQUEUE_DELIVERIES_SQL, [[id]]);
      await this.audit.record(
        {
          action: 'delivery.replayed',
          context: actor,
          target: { type: 'delivery', id, label: row.idempotency_key },
          before: { status: row.status, attempts: row.attempts },
          after: { status: 'pending', attempts: 0 },
          details: { consumer: row.consumer, eventId: row.event_id, stalled: row.stalled },
        },
        manager,
      );
      return this.view(id, manager);
    });
  }
}
