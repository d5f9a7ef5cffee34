import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { SqlConditions } from '../common/database/sql-conditions';
import { UnitOfWork } from '../common/database/unit-of-work';
import type {
  InboundEffectView,
  InboundEventDetailView,
  InboundEventPageView,
  InboundEventView,
  InboundStatus,
} from './dto/inbound-event.view';
import { drainJobsSql } from './inbox-queue.sql';
import { InboxError, InboxErrorCode } from './inbox.errors';

export interface InboxQuery {
  readonly sourceId?: string;
  readonly channel?: string;
  readonly status?: InboundStatus;
  readonly incidentId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

interface InboundRow {
  id: string;
  seq: string;
  channel: string;
  source_id: string | null;
  source_label: string;
  status: InboundStatus;
  received_at: Date;
  processed_at: Date | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  dedup_key: string | null;
  action: string | null;
  summary: string | null;
  duplicate_of: string | null;
  effects: InboundEffectView[];
}

/** The list's columns; `extra` adds more (the detail view's raw body). */
const selectEvents = (extra = ''): string => `
  SELECT${extra ? ` ${extra},` : ''} e.id, e.seq::text AS seq, e.channel, e.source_id, e.source_label, e.status, e.received_at, e.processed_at,
         e.attempts, e.max_attempts, e.last_error, e.next_attempt_at, e.dedup_key, e.action, e.summary, e.duplicate_of,
         coalesce((SELECT json_agg(json_build_object('outcome', f.outcome, 'incidentId', f.incident_id,
                                                     'incidentNumber', f.incident_number, 'dedupKey', f.dedup_key)
                                   ORDER BY f.position)
                     FROM inbound_event_effects f WHERE f.event_id = e.id), '[]') AS effects
    FROM inbound_events e`;

/** Most events listed for one incident (a storm of one alert can group thousands). */
const INCIDENT_LIMIT = 500;

function viewOf(row: InboundRow): InboundEventView {
  const first = row.effects[0];
  return {
    id: row.id,
    channel: row.channel,
    sourceId: row.source_id,
    sourceLabel: row.source_label,
    status: row.status,
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at?.toISOString() ?? null,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    dedupKey: row.dedup_key,
    action: row.action,
    summary: row.summary,
    duplicateOf: row.duplicate_of,
    effects: row.effects,
    outcome: first?.outcome ?? null,
    incidentId: first?.incidentId ?? null,
    incidentNumber: first?.incidentNumber ?? null,
  };
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,18}$/.test(decoded)) {
    throw new InboxError(
      InboxErrorCode.CursorInvalid,
      'cursor must be a nextCursor value from a previous page',
    );
  }
  return decoded;
}

/**
 * The inbox as admins see it: the log of every received event, newest first, what processing
 * did with each, and replay of the ones that failed.
 */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
  ) {}

  async list(query: InboxQuery): Promise<InboundEventPageView> {
    const where = new SqlConditions();
    if (query.sourceId) where.and(`e.source_id = ${where.param(query.sourceId)}::uuid`);
    if (query.channel) where.and(`e.channel = ${where.param(query.channel)}`);
    if (query.status) where.and(`e.status = ${where.param(query.status)}`);
    if (query.incidentId) {
      where.and(
        `EXISTS (SELECT 1 FROM inbound_event_effects f WHERE f.event_id = e.id AND f.incident_id = ${where.param(query.incidentId)}::uuid)`,
      );
    }
    if (query.cursor) where.and(`e.seq < ${where.param(decodeCursor(query.cursor))}::bigint`);
    const rows = await this.dataSource.query<InboundRow[]>(
      `${selectEvents()} ${where.toSql()} ORDER BY e.seq DESC LIMIT ${where.param(query.limit + 1)}`,
      where.values,
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(viewOf),
      nextCursor:
        rows.length > query.limit && last ? Buffer.from(last.seq, 'utf8').toString('base64url') : null,
    };
  }

  /** The events that acted on one incident, oldest first (the first INCIDENT_LIMIT). */
  async forIncident(incidentId: string): Promise<InboundEventView[]> {
    const rows = await this.dataSource.query<InboundRow[]>(
      `${selectEvents()}
        WHERE e.id IN (SELECT f.event_id FROM inbound_event_effects f WHERE f.incident_id = $1::uuid)
        ORDER BY e.seq LIMIT ${INCIDENT_LIMIT}`,
      [incidentId],
    );
    return rows.map(viewOf);
  }

  async view(id: string, manager: EntityManager = this.dataSource.manager): Promise<InboundEventDetailView> {
    const [row] = await manager.query<(InboundRow & { content_type: string; raw_body: Buffer })[]>(
      `${selectEvents('e.content_type, e.raw_body')} WHERE e.id = $1`,
      [id],
    );
    if (!row) throw new InboxError(InboxErrorCode.NotFound, `No inbound event with id ${id}`);
    return { ...viewOf(row), contentType: row.content_type, rawBody: row.raw_body.toString('utf8') };
  }

  /**
   * Processes a failed event again: attempts back to 0 and a drain job for its key, with an audit row, in one
   * transaction. Only failed events: an accepted one is on its way, a processed one must not
   * act twice, and a duplicate is its first receipt's.
   */
  async replay(id: string, actor: RequestActor): Promise<InboundEventDetailView> {
    return this.uow.run(async (m) => {
      const [row] = await m.query<
        { status: InboundStatus; attempts: number; last_error: string | null; source_label: string }[]
      >(`SELECT status, attempts, last_error, source_label FROM inbound_events WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      if (!row) throw new InboxError(InboxErrorCode.NotFound, `No inbound event with id ${id}`);
      if (row.status !== 'failed') {
        throw new InboxError(
          InboxErrorCode.NotReplayable,
          `Only failed events can be replayed; this one is ${row.status}`,
          { eventStatus: row.status },
        );
      }
      await m.query(
        `WITH reset AS (
           UPDATE inbound_events
              SET status = 'accepted', attempts = 0, last_error = NULL, next_attempt_at = NULL, processed_at = NULL
            WHERE id = $1 RETURNING id, order_key)
         SELECT count(*) FROM reset, ${drainJobsSql('ARRAY[reset.order_key]')}`,
        [id],
      );
      await this.audit.record(
        {
          action: 'inbox.replayed',
          context: actor,
          target: { type: 'inbound_event', id, label: row.source_label },
          before: { status: row.status, attempts: row.attempts, lastError: row.last_error },
          after: { status: 'accepted', attempts: 0 },
        },
        m,
      );
      return this.view(id, m);
    });
  }
}
