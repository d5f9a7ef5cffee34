import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { RequestActor } from '../common/auth/principal';
import { Coalescer } from '../common/concurrency/coalescer';
import { PreparedStatements } from '../common/database/prepared-statements';
import { SqlConditions } from '../common/database/sql-conditions';
import { jsonBytes, type JsonBytes } from '../common/http/json-bytes';
import { DeliveriesService } from '../deliveries/deliveries.service';
import type { DeliveryView } from '../deliveries/dto/delivery.view';
import { UsersService } from '../users/users.service';
import {
  IncidentView,
  TimelineEntryView,
  type IncidentPageView,
  type TimelinePageView,
} from './dto/incident.view';
import type { ListIncidentsQuery } from './dto/list-incidents.query';
import { afterCursorSql, cursorKeySql, encodeCursor, orderBySql } from './incident-list';
import { findIncident } from './incident-lookup';
import type { Priority } from './incident-priority';
import { IncidentViewSql, VIEW_COLUMNS } from './incident-view.sql';
import { IncidentTimelineEntry } from './incident-timeline-entry.entity';
import { Incident } from './incident.entity';
import { IncidentError, IncidentErrorCode } from './incident.errors';

/** "1234", "INC0001", "inc12": a fragment of an incident number, matched by trigram. */
const NUMBER_FRAGMENT = /^(inc)?\d{3,}$/i;
/** One token with letters and digits, like another system's record number. */
const EXTERNAL_NUMBER = /^[a-z]{1,10}[-_]?\d{2,}$/i;

/**
 * The read side of Incidents: list pages (their SQL, and one read shared by identical concurrent
 * requests), single incidents, timelines, deliveries, and the views of incidents that
 * IncidentCommands answers with and publishes.
 */
@Injectable()
export class IncidentQueries {
  /** How the views of incidents rows aliased `p` are selected and written as JSON. */
  private readonly view: IncidentViewSql;

  /** List pages being read; identical concurrent requests share one read (see list()). */
  private readonly pages = new Coalescer<JsonBytes<IncidentPageView>>();

  constructor(
    @InjectRepository(Incident) private readonly incidents: Repository<Incident>,
    @InjectRepository(IncidentTimelineEntry) private readonly timeline: Repository<IncidentTimelineEntry>,
    private readonly deliveries: DeliveriesService,
    private readonly statements: PreparedStatements,
    users: UsersService,
  ) {
    this.view = new IncidentViewSql({
      person: (alias, column) => users.personSql(alias, column),
      deliveriesBehind: (column) => deliveries.behindCountSql('incident', column),
    });
  }

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
      query.updatedSince,
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
    if (query.updatedSince) where.and(`i.updated_at >= ${where.param(query.updatedSince)}`);
    const q = query.q?.trim();
    if (q) {
      if (NUMBER_FRAGMENT.test(q)) {
        // Our number or the linked twin's (another system's INC…), both by trigram.
        const fragment = where.param(`%${q.replace(/^inc/i, '')}%`);
        where.and(`(i.number ILIKE ${fragment} OR i.external_number ILIKE ${fragment})`);
      } else if (EXTERNAL_NUMBER.test(q)) {
        // A whole external number of another shape (CHG0001234, SR-42): exact, case-insensitive.
        where.and(
          `(i.search_vector @@ websearch_to_tsquery('english', ${where.param(q)}) OR i.external_number ILIKE ${where.param(q.replace(/_/g, '\\_'))})`,
        );
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
    const [view] = await this.viewsOf([await findIncident(this.incidents.manager, idOrNumber)]);
    return view!;
  }

  async timelineOf(id: string, cursor: string | undefined, limit: number): Promise<TimelinePageView> {
    const incident = await findIncident(this.incidents.manager, id);
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
    const incident = await findIncident(this.incidents.manager, id);
    return this.deliveries.forAggregate('incident', incident.id);
  }

  /** The views of these incidents (see incident-view.sql.ts), inside `m`'s transaction if given. */
  async viewsOf(
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
