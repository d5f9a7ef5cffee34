import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { RequestActor } from '../common/auth/principal';
import { isDomainError } from '../common/errors/domain-error';
import { Coalescer } from '../common/concurrency/coalescer';
import { PreparedStatements } from '../common/database/prepared-statements';
import { SqlConditions } from '../common/database/sql-conditions';
import { UnitOfWork } from '../common/database/unit-of-work';
import { jsonBytes, type JsonBytes } from '../common/http/json-bytes';
import { DeliveriesService } from '../deliveries/deliveries.service';
import type { DeliveryView } from '../deliveries/dto/delivery.view';
import { Outbox } from '../deliveries/outbox';
import { UsersService } from '../users/users.service';
import type {
  AssignIncidentDto,
  CommentDto,
  CreateIncidentDto,
  ReasonDto,
  ResolveIncidentDto,
  UpdateIncidentDto,
} from './dto/incident-commands.dto';
import {
  BulkResultView,
  IncidentView,
  TimelineEntryView,
  type IncidentPageView,
  type TimelinePageView,
} from './dto/incident.view';
import type { ListIncidentsQuery } from './dto/list-incidents.query';
import { IncidentLifecycle, type TransitionEffect } from './incident-lifecycle';
import { afterCursorSql, cursorKeySql, encodeCursor, orderBySql } from './incident-list';
import { IncidentViewSql, VIEW_COLUMNS } from './incident-view.sql';
import { priorityOf, slaDueAt, type Priority } from './incident-priority';
import type { IncidentState } from './incident-state';
import { IncidentTimelineEntry, type TimelineKind } from './incident-timeline-entry.entity';
import { Incident } from './incident.entity';
import { IncidentError, IncidentErrorCode } from './incident.errors';
import { INCIDENT_EVENTS, type IncidentEventType } from './incident.events';

const NUMBER = /^INC\d{7,}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** "1234", "INC0001", "inc12": a fragment of an incident number, matched by trigram. */
const NUMBER_FRAGMENT = /^(inc)?\d{3,}$/i;

type Changes = Record<string, { from: unknown; to: unknown }>;

interface Mutation {
  readonly event: IncidentEventType;
  readonly kind: TimelineKind;
  readonly set: QueryDeepPartialEntity<Incident>;
  readonly changes: Changes;
  readonly body?: string | null;
}

function actorOf(actor: RequestActor): Pick<IncidentTimelineEntry, 'actorType' | 'actorId' | 'actorLabel'> {
  const p = actor.principal;
  if (!p) return { actorType: 'system', actorId: null, actorLabel: 'system' };
  return p.kind === 'user'
    ? { actorType: 'user', actorId: p.id, actorLabel: p.email }
    : { actorType: 'api_key', actorId: p.id, actorLabel: p.name };
}

function diff(before: Incident, set: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [field, to] of Object.entries(set)) {
    const from = (before as unknown as Record<string, unknown>)[field];
    const norm = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);
    if (norm(from) !== norm(to)) changes[field] = { from: norm(from) ?? null, to: norm(to) ?? null };
  }
  return changes;
}

/**
 * Incidents: every change runs in one transaction that locks the row, checks the expected
 * version, applies the change, appends to the timeline and publishes the domain event to the
 * outbox, so the event exists if and only if the change does.
 */
@Injectable()
export class IncidentsService {
  private readonly lifecycle = new IncidentLifecycle();

  constructor(
    @InjectRepository(Incident) private readonly incidents: Repository<Incident>,
    @InjectRepository(IncidentTimelineEntry) private readonly timeline: Repository<IncidentTimelineEntry>,
    private readonly unitOfWork: UnitOfWork,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    private readonly deliveries: DeliveriesService,
    private readonly statements: PreparedStatements,
  ) {
    this.view = new IncidentViewSql({
      person: (alias, column) => users.personSql(alias, column),
      deliveriesBehind: (column) => deliveries.behindCountSql('incident', column),
    });
  }

  /** How the views of incidents rows aliased `p` are selected and written as JSON. */
  private readonly view: IncidentViewSql;

  /** List pages being read; identical concurrent requests share one read (see list()). */
  private readonly pages = new Coalescer<JsonBytes<IncidentPageView>>();

  /**
   * One page as JSON (UTF-8, encoded once). Identical requests at the same moment (every open
   * console refreshing the same view when an incident changes) share one read that starts after
   * each of them arrived, so none sees older data than it would alone. Every role reads every
   * incident, so a page depends only on the query, with `me` resolved; a per-user visibility
   * rule would have to join the key.
   */
  list(query: ListIncidentsQuery, actor: RequestActor): Promise<JsonBytes<IncidentPageView>> {
    const me = actor.principal?.kind === 'user' ? actor.principal.id : null;
    const key = JSON.stringify([
      query.state,
      query.priority,
      query.assigneeId === 'me' ? `user:${me}` : query.assigneeId,
      query.assignmentGroup,
      query.source,
      query.openedFrom,
      query.openedTo,
      query.q,
      query.sort,
      query.limit,
      query.cursor,
    ]);
    return this.pages.run(key, () => this.readPage(query, me));
  }

  /**
   * The database filters, orders and picks the page (keyset: the rows after the cursor, one more
   * than the limit to know if more exist); the page is written from the rows' text.
   */
  private async readPage(query: ListIncidentsQuery, me: string | null): Promise<JsonBytes<IncidentPageView>> {
    const where = new SqlConditions();
    if (query.state?.length) where.and(`i.state IN (${where.params(query.state)})`);
    if (query.priority?.length) where.and(`i.priority IN (${where.params(query.priority)})`);
    if (query.assigneeId === 'none') where.and('i.assignee_id IS NULL');
    else if (query.assigneeId) {
      where.and(`i.assignee_id = ${where.param(query.assigneeId === 'me' ? me : query.assigneeId)}`);
    }
    if (query.assignmentGroup) where.and(`i.assignment_group = ${where.param(query.assignmentGroup)}`);
    if (query.source) where.and(`i.source = ${where.param(query.source)}`);
    if (query.openedFrom) where.and(`i.opened_at >= ${where.param(query.openedFrom)}`);
    if (query.openedTo) where.and(`i.opened_at < ${where.param(query.openedTo)}`);
    const q = query.q?.trim();
    if (q) {
      if (NUMBER_FRAGMENT.test(q)) {
        where.and(`i.number ILIKE ${where.param(`%${q.replace(/^inc/i, '')}%`)}`);
      } else {
        where.and(`i.search_vector @@ websearch_to_tsquery('english', ${where.param(q)})`);
      }
    }
    if (query.cursor) where.and(afterCursorSql(query.sort, query.cursor, where, 'i'));
    if (!Number.isInteger(query.limit) || query.limit < 1) {
      throw new Error(`limit ${query.limit} is not a page size`);
    }
    // The page is chosen from plain columns first, so the views (and their lookups) are built
    // for its rows only, never for every match a sort has to see. The limit (a validated
    // integer) is part of the text: as a parameter it would make the prepared statement's
    // generic plan guess a tenth of the table, so PostgreSQL would re-plan on every call.
    const { width } = this.view;
    const rows = await this.statements.texts(
      `SELECT ${this.view.columns}, p.cursor_key, p.priority
         FROM (SELECT ${VIEW_COLUMNS.map((c) => `i.${c}`).join(', ')}, ${cursorKeySql(query.sort, 'i')} AS cursor_key
                 FROM incidents i ${where.toSql()}
                ORDER BY ${orderBySql(query.sort, 'i')}
                LIMIT ${query.limit + 1}) p
         ${this.view.joins}
        ORDER BY ${orderBySql(query.sort, 'p')}`,
      where.values,
      // A search's best plan depends on the words (rare: the GIN index; common: the date order).
      { prepare: !q },
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor(
            query.sort,
            { id: last[0]!, priority: Number(last[width + 1]) as Priority },
            last[width]!,
          )
        : null;
    return jsonBytes(
      `{"items":[${page.map((r) => this.view.json(r)).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`,
    );
  }

  async get(idOrNumber: string): Promise<IncidentView> {
    const [view] = await this.views([await this.find(this.incidents.manager, idOrNumber)]);
    return view!;
  }

  async create(dto: CreateIncidentDto, actor: RequestActor): Promise<IncidentView> {
    if (dto.assigneeId) await this.assertAssignee(dto.assigneeId);
    const openedAt = new Date();
    const priority = priorityOf(dto.impact, dto.urgency);
    const reporterId = actor.principal?.kind === 'user' ? actor.principal.id : null;
    const incident = await this.unitOfWork.run(async (m) => {
      const inserted = await m.getRepository(Incident).insert({
        title: dto.title,
        description: dto.description ?? '',
        state: 'new',
        impact: dto.impact,
        urgency: dto.urgency,
        category: dto.category ?? null,
        assigneeId: dto.assigneeId ?? null,
        assignmentGroup: dto.assignmentGroup ?? null,
        reporterId,
        source: dto.source ?? (actor.principal?.kind === 'api_key' ? 'api' : 'console'),
        openedAt,
        slaDueAt: slaDueAt(openedAt, priority),
        version: 1,
        updatedAt: openedAt,
      });
      const created = await this.find(m, String((inserted.identifiers[0] as { id: string }).id));
      await this.record(m, created, actor, {
        event: INCIDENT_EVENTS.created,
        kind: 'created',
        set: {},
        changes: {},
      });
      return created;
    });
    const [view] = await this.views([incident]);
    return view!;
  }

  update(
    id: string,
    dto: UpdateIncidentDto,
    expected: number | undefined,
    actor: RequestActor,
  ): Promise<IncidentView> {
    return this.mutate(id, expected, actor, (i) => {
      const set: Record<string, unknown> = {};
      if (dto.title !== undefined) set['title'] = dto.title;
      if (dto.description !== undefined) set['description'] = dto.description;
      if (dto.category !== undefined) set['category'] = dto.category;
      if (dto.assignmentGroup !== undefined) set['assignmentGroup'] = dto.assignmentGroup;
      const impact = dto.impact ?? i.impact;
      const urgency = dto.urgency ?? i.urgency;
      if (impact !== i.impact || urgency !== i.urgency) {
        set['impact'] = impact;
        set['urgency'] = urgency;
        set['slaDueAt'] = slaDueAt(i.openedAt, priorityOf(impact, urgency));
      }
      return { event: INCIDENT_EVENTS.updated, kind: 'updated', set, changes: diff(i, set) };
    });
  }

  acknowledge(id: string, expected: number | undefined, actor: RequestActor): Promise<IncidentView> {
    return this.mutate(id, expected, actor, (i, now) =>
      this.transition(i, this.lifecycle.acknowledge(i, now)),
    );
  }

  async assign(
    id: string,
    dto: AssignIncidentDto,
    expected: number | undefined,
    actor: RequestActor,
  ): Promise<IncidentView> {
    if (dto.assigneeId) await this.assertAssignee(dto.assigneeId);
    return this.mutate(id, expected, actor, (i) => {
      if (!IncidentLifecycle.isOpen(i.state)) {
        throw new IncidentError(
          IncidentErrorCode.IllegalTransition,
          `An incident that is ${i.state} cannot be reassigned`,
          {
            from: i.state,
            to: i.state,
            allowed: IncidentLifecycle.allowedFrom(i.state),
          },
        );
      }
      const set: Record<string, unknown> = { assigneeId: dto.assigneeId };
      if (dto.assignmentGroup !== undefined) set['assignmentGroup'] = dto.assignmentGroup;
      return { event: INCIDENT_EVENTS.assigned, kind: 'assigned', set, changes: diff(i, set) };
    });
  }

  /**
   * A move with a name of its own: `from`, when given, narrows the lifecycle's rule (reopen is
   * only for resolved incidents, resume only for held ones, though both lead to In progress).
   */
  moveTo(
    id: string,
    to: Extract<IncidentState, 'on_hold' | 'closed' | 'canceled' | 'in_progress'>,
    dto: ReasonDto | { version?: number },
    expected: number | undefined,
    actor: RequestActor,
    from?: IncidentState,
  ): Promise<IncidentView> {
    return this.mutate(id, expected, actor, (i, now) => ({
      ...this.transition(i, this.lifecycle.move(i, to, now, undefined, from)),
      body: 'reason' in dto ? dto.reason : null,
    }));
  }

  resolve(
    id: string,
    dto: ResolveIncidentDto,
    expected: number | undefined,
    actor: RequestActor,
  ): Promise<IncidentView> {
    return this.mutate(id, expected, actor, (i, now) =>
      this.transition(i, this.lifecycle.move(i, 'resolved', now, dto)),
    );
  }

  async comment(id: string, dto: CommentDto, actor: RequestActor): Promise<TimelineEntryView> {
    return this.unitOfWork.run(async (m) => {
      const incident = await this.find(m, id, true);
      const entry = await this.append(m, incident.id, actor, dto.kind, dto.body, null);
      await this.outbox.publish(m, {
        type: INCIDENT_EVENTS.commented,
        aggregateType: 'incident',
        aggregateId: incident.id,
        aggregateVersion: incident.version,
        payload: { number: incident.number, kind: dto.kind, body: dto.body, entryId: entry.id },
        actor: { type: entry.actorType, id: entry.actorId, label: entry.actorLabel },
      });
      return TimelineEntryView.of(entry);
    });
  }

  async timelineOf(id: string, cursor: string | undefined, limit: number): Promise<TimelinePageView> {
    const incident = await this.find(this.incidents.manager, id);
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) {
      throw new IncidentError(IncidentErrorCode.CursorInvalid, 'cursor must be a nextCursor value');
    }
    const qb = this.timeline
      .createQueryBuilder('t')
      .where('t.incident_id = :id', { id: incident.id })
      .orderBy('t.id', 'ASC')
      .limit(limit + 1);
    if (cursor) qb.andWhere('t.id > :cursor', { cursor });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return {
      items: page.map((e) => TimelineEntryView.of(e)),
      nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async deliveriesOf(id: string): Promise<DeliveryView[]> {
    const incident = await this.find(this.incidents.manager, id);
    return this.deliveries.forAggregate('incident', incident.id);
  }

  /** Each id in its own transaction: one failure (stale, illegal) does not undo the others. */
  async bulk(ids: readonly string[], run: (id: string) => Promise<IncidentView>): Promise<BulkResultView[]> {
    const results: BulkResultView[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        results.push({ id, ok: true, incident: await run(id) });
      } catch (e) {
        if (!isDomainError(e)) throw e;
        results.push({ id, ok: false, problem: { code: e.code, status: e.status, detail: e.detail } });
      }
    }
    return results;
  }

  private transition(i: Incident, effect: TransitionEffect): Mutation {
    const set: Record<string, unknown> = { ...effect };
    const changes = diff(i, set);
    const stateChanged = effect.state !== i.state;
    return {
      event: stateChanged ? INCIDENT_EVENTS.stateChanged : INCIDENT_EVENTS.updated,
      kind: stateChanged ? 'state_changed' : 'updated',
      set,
      changes,
    };
  }

  private async mutate(
    id: string,
    expected: number | undefined,
    actor: RequestActor,
    decide: (incident: Incident, now: Date) => Mutation,
  ): Promise<IncidentView> {
    const incident = await this.unitOfWork.run(async (m) => {
      const current = await this.find(m, id, true);
      if (expected !== undefined && expected !== current.version) {
        throw new IncidentError(
          IncidentErrorCode.StaleVersion,
          `${current.number} changed since you read it (you have version ${expected}, it is at ${current.version}); reload and retry`,
          { currentVersion: current.version },
        );
      }
      const mutation = decide(current, new Date());
      if (Object.keys(mutation.changes).length === 0 && !mutation.body) return current;
      await m
        .getRepository(Incident)
        .update({ id: current.id }, { ...mutation.set, version: current.version + 1, updatedAt: new Date() });
      const updated = await this.find(m, current.id);
      await this.record(m, updated, actor, mutation);
      return updated;
    });
    const [view] = await this.views([incident]);
    return view!;
  }

  private async record(
    m: EntityManager,
    incident: Incident,
    actor: RequestActor,
    mutation: Mutation,
  ): Promise<void> {
    const entry = await this.append(
      m,
      incident.id,
      actor,
      mutation.kind,
      mutation.body ?? null,
      mutation.changes,
    );
    const [view] = await this.views([incident], m);
    await this.outbox.publish(m, {
      type: mutation.event,
      aggregateType: 'incident',
      aggregateId: incident.id,
      aggregateVersion: incident.version,
      payload: { incident: view, changes: mutation.changes },
      actor: { type: entry.actorType, id: entry.actorId, label: entry.actorLabel },
    });
  }

  private async append(
    m: EntityManager,
    incidentId: string,
    actor: RequestActor,
    kind: TimelineKind,
    body: string | null,
    changes: Changes | null,
  ): Promise<IncidentTimelineEntry> {
    // The id is an identity column TypeORM does not write, so it does not report it either: ask for it.
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(IncidentTimelineEntry)
      .values({
        incidentId,
        kind,
        ...actorOf(actor),
        body,
        changes: (changes && Object.keys(changes).length ? changes : null) as never,
      })
      .returning('id')
      .execute();
    const entryId = String((result.raw as { id: string }[])[0]?.id);
    return m.getRepository(IncidentTimelineEntry).findOneByOrFail({ id: entryId });
  }

  private async find(m: EntityManager, idOrNumber: string, lock = false): Promise<Incident> {
    const where = UUID.test(idOrNumber)
      ? { id: idOrNumber }
      : NUMBER.test(idOrNumber)
        ? { number: idOrNumber.toUpperCase() }
        : null;
    const incident = where
      ? await m
          .getRepository(Incident)
          .findOne({ where, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
      : null;
    if (!incident) throw new IncidentError(IncidentErrorCode.NotFound, `No incident ${idOrNumber}`);
    return incident;
  }

  private async assertAssignee(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.status !== 'active') {
      throw new IncidentError(IncidentErrorCode.AssigneeUnknown, `No active user ${userId} to assign`);
    }
  }

  /** The views of these incidents (see incident-view.sql.ts), inside `m`'s transaction if given. */
  private async views(
    incidents: readonly Incident[],
    m: EntityManager = this.incidents.manager,
  ): Promise<IncidentView[]> {
    const ids = incidents.map((i) => i.id);
    // One text[] per row, so the values arrive as text through TypeORM's manager too.
    const rows = await m.query<{ v: (string | null)[] }[]>(
      `SELECT ARRAY[${this.view.textColumns}] AS v FROM incidents p ${this.view.joins} WHERE p.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map(({ v }) => [v[0]!, JSON.parse(this.view.json(v)) as IncidentView]));
    return ids.map((id) => {
      const view = byId.get(id);
      if (!view) throw new IncidentError(IncidentErrorCode.NotFound, `No incident ${id}`);
      return view;
    });
  }
}
