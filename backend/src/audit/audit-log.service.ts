import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isIP } from 'node:net';
import type { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Principal, RequestActor } from '../common/auth/principal';
import type { AuditAction, AuditActorType } from './audit-actions';
import { AuditEvent } from './audit-event.entity';
import { AuditError, AuditErrorCode } from './audit.errors';

export interface AuditActor {
  readonly type: AuditActorType;
  readonly id: string | null;
  readonly label: string | null;
}

export interface AuditEntry {
  readonly action: AuditAction;
  /** Connection details, and by default the actor (the request's principal). */
  readonly context: RequestActor;
  /** Overrides the principal, e.g. the user a login just authenticated, or the system. */
  readonly actor?: AuditActor;
  readonly outcome?: 'success' | 'failure';
  readonly target?: { readonly type: string; readonly id: string; readonly label?: string | null } | null;
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly details?: Record<string, unknown> | null;
}

export interface AuditQuery {
  readonly action?: string;
  readonly actorId?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly outcome?: 'success' | 'failure';
  readonly from?: Date;
  readonly to?: Date;
  readonly limit: number;
  readonly cursor?: string;
}

export interface AuditPage {
  readonly items: AuditEvent[];
  readonly nextCursor: string | null;
}

/** PostgreSQL bigint maximum: the largest id a cursor can name. */
const MAX_BIGINT = 2n ** 63n - 1n;

/** A request made by nobody in particular: start-up work, schedulers. */
export const SYSTEM_CONTEXT: RequestActor = { principal: null, ip: null, userAgent: null, requestId: null };
export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null, label: 'system' };

export function auditActorOf(principal: Principal | null): AuditActor {
  if (!principal) return { type: 'anonymous', id: null, label: null };
  return principal.kind === 'user'
    ? { type: 'user', id: principal.id, label: principal.email }
    : { type: 'api_key', id: principal.id, label: principal.name };
}

/**
 * The audit trail. `record` joins the caller's transaction when handed its manager, so an
 * admin action and its audit row commit or roll back together.
 */
@Injectable()
export class AuditLog {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const actor = entry.actor ?? auditActorOf(entry.context.principal);
    const ip = entry.context.ip?.replace(/^::ffff:/, '') ?? null;
    const row: QueryDeepPartialEntity<AuditEvent> = {
      actorType: actor.type,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      targetLabel: entry.target?.label ?? null,
      ip: ip && isIP(ip) ? ip : null,
      userAgent: entry.context.userAgent,
      requestId: entry.context.requestId,
      // jsonb columns: TypeORM's partial-entity type cannot describe arbitrary JSON.
      before: (entry.before ?? null) as never,
      after: (entry.after ?? null) as never,
      details: (entry.details ?? null) as never,
    };
    await (manager ? manager.getRepository(AuditEvent) : this.events).insert(row);
  }

  /** Newest first, keyset-paged on id so a page never shifts while new events arrive. */
  async list(query: AuditQuery): Promise<AuditPage> {
    const qb = this.events
      .createQueryBuilder('e')
      .orderBy('e.id', 'DESC')
      .limit(query.limit + 1);
    if (query.action) {
      if (query.action.endsWith('.')) {
        qb.andWhere('e.action LIKE :prefix', { prefix: `${query.action.replace(/[\\%_]/g, '\\$&')}%` });
      } else {
        qb.andWhere('e.action = :action', { action: query.action });
      }
    }
    if (query.actorId) qb.andWhere('e.actorId = :actorId', { actorId: query.actorId });
    if (query.targetType) qb.andWhere('e.targetType = :targetType', { targetType: query.targetType });
    if (query.targetId) qb.andWhere('e.targetId = :targetId', { targetId: query.targetId });
    if (query.outcome) qb.andWhere('e.outcome = :outcome', { outcome: query.outcome });
    if (query.from) qb.andWhere('e.occurredAt >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.occurredAt < :to', { to: query.to });
    if (query.cursor !== undefined) {
      // 19 digits can still overflow bigint (PostgreSQL would fail the query with a 500).
      if (!/^[1-9]\d{0,18}$/.test(query.cursor) || BigInt(query.cursor) > MAX_BIGINT) {
        throw new AuditError(
          AuditErrorCode.CursorInvalid,
          'cursor must be a nextCursor value from a previous page',
        );
      }
      qb.andWhere('e.id < :cursor', { cursor: query.cursor });
    }
    const rows = await qb.getMany();
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? last.id : null };
  }
}
