import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestActor } from '../common/auth/principal';
import { UnitOfWork } from '../common/database/unit-of-work';
import { isDomainError } from '../common/errors/domain-error';
import type { EventSubject } from '../deliveries/domain-event';
import { Outbox } from '../deliveries/outbox';
import { UsersService } from '../users/users.service';
import type {
  AssignIncidentDto,
  BulkAssignDto,
  CommentDto,
  CreateIncidentDto,
  ReasonDto,
  ResolveIncidentDto,
  UpdateIncidentDto,
} from './dto/incident-commands.dto';
import { TimelineEntryView, type BulkResultView, type IncidentView } from './dto/incident.view';
import { IncidentLifecycle, type TransitionEffect } from './incident-lifecycle';
import { findIncident } from './incident-lookup';
import { priorityOf, slaDueAt } from './incident-priority';
import { IncidentQueries } from './incident-queries';
import type { IncidentState } from './incident-state';
import { IncidentTimelineEntry, type TimelineKind } from './incident-timeline-entry.entity';
import { Incident } from './incident.entity';
import { IncidentError, IncidentErrorCode } from './incident.errors';
import {
  INCIDENT_EVENTS,
  type ChangeableField,
  type FieldChange,
  type IncidentChanges,
  type IncidentEventBody,
  type UpdatedField,
} from './incident.events';

/** What a change writes, records on the timeline and publishes. */
interface Mutation {
  readonly kind: TimelineKind;
  readonly set: Partial<Pick<Incident, ChangeableField>>;
  /** For the timeline; none, and no body, means the change changes nothing. */
  readonly changes: IncidentChanges<ChangeableField>;
  readonly body?: string | null;
  /** The event it publishes, given the incident's view after it. */
  readonly event: (incident: IncidentView) => IncidentEventBody;
}

function actorOf(actor: RequestActor): Pick<IncidentTimelineEntry, 'actorType' | 'actorId' | 'actorLabel'> {
  const p = actor.principal;
  if (!p) {
    return {
      actorType: 'system',
      actorId: actor.service?.id ?? null,
      actorLabel: actor.service?.label ?? 'system',
    };
  }
  return p.kind === 'user'
    ? { actorType: 'user', actorId: p.id, actorLabel: p.email }
    : { actorType: 'api_key', actorId: p.id, actorLabel: p.name };
}

/** The fields of `set` whose value differs from `before`'s, as JSON values. */
function diff<F extends ChangeableField>(
  before: Incident,
  set: Partial<Pick<Incident, F>>,
): IncidentChanges<F> {
  const changes: Record<string, FieldChange<unknown>> = {};
  const norm = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);
  for (const [field, to] of Object.entries(set)) {
    const from = (before as unknown as Record<string, unknown>)[field];
    if (norm(from) !== norm(to)) changes[field] = { from: norm(from) ?? null, to: norm(to) ?? null };
  }
  return changes as IncidentChanges<F>;
}

/** What an incident's events are about, and who caused them (the timeline entry's actor). */
function subjectOf(incident: Incident, entry: IncidentTimelineEntry): EventSubject {
  return {
    aggregateType: 'incident',
    aggregateId: incident.id,
    aggregateVersion: incident.version,
    actor: { type: entry.actorType, id: entry.actorId, label: entry.actorLabel },
  };
}

/**
 * The write side of Incidents: every change runs in one transaction that locks the row, checks
 * the expected version, applies the change, appends to the timeline and publishes the domain
 * event to the outbox, so the event exists if and only if the change does. Answers with the
 * incident's view (IncidentQueries).
 */
@Injectable()
export class IncidentCommands {
  private readonly lifecycle = new IncidentLifecycle();

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    private readonly queries: IncidentQueries,
  ) {}

  /**
   * Opens an incident. With `within`, it runs in the caller's transaction (an inbound event's
   * processing, which records what it did in the same commit). `alertAt`: it is opened by an
   * alert, its first (alertCount 1).
   */
  async create(
    dto: CreateIncidentDto,
    actor: RequestActor,
    options: { readonly within?: EntityManager; readonly alertAt?: Date } = {},
  ): Promise<IncidentView> {
    if (dto.assigneeId) await this.assertAssignee(dto.assigneeId);
    const openedAt = new Date();
    const priority = priorityOf(dto.impact, dto.urgency);
    const reporterId = actor.principal?.kind === 'user' ? actor.principal.id : null;
    let view: IncidentView | undefined;
    await this.unitOfWork.within(options.within, async (m) => {
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
        alertCount: options.alertAt ? 1 : 0,
        lastAlertAt: options.alertAt ?? null,
        version: 1,
        updatedAt: openedAt,
      });
      const created = await findIncident(m, String((inserted.identifiers[0] as { id: string }).id));
      await this.record(m, created, actor, {
        kind: 'created',
        set: {},
        changes: {},
        event: (incident) => ({ type: 'incident.created', payloads: { 1: { incident } } }),
      });
      [view] = await this.queries.viewsOf([created], m);
    });
    return view!;
  }

  update(
    id: string,
    dto: UpdateIncidentDto,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.mutate(
      id,
      expected,
      actor,
      (i) => {
        const set: Partial<Pick<Incident, UpdatedField>> = {};
        if (dto.title !== undefined) set.title = dto.title;
        if (dto.description !== undefined) set.description = dto.description;
        if (dto.category !== undefined) set.category = dto.category;
        if (dto.assignmentGroup !== undefined) set.assignmentGroup = dto.assignmentGroup;
        const impact = dto.impact ?? i.impact;
        const urgency = dto.urgency ?? i.urgency;
        if (impact !== i.impact || urgency !== i.urgency) {
          set.impact = impact;
          set.urgency = urgency;
          set.slaDueAt = slaDueAt(i.openedAt, priorityOf(impact, urgency));
        }
        return this.edit(i, set);
      },
      within,
    );
  }

  acknowledge(
    id: string,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.mutate(
      id,
      expected,
      actor,
      (i, now) => this.transition(i, this.lifecycle.acknowledge(i, now)),
      within,
    );
  }

  /**
   * One more alert for an open incident (a trigger with its dedup key): the count and last-seen
   * time, a timeline entry with the alert's summary and `incident.alert_grouped`. An incident that
   * is no longer open refuses it (INCIDENT_ILLEGAL_TRANSITION): the alert opens a new one.
   */
  recordAlert(
    id: string,
    alert: { readonly summary: string; readonly at: Date },
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.mutate(
      id,
      undefined,
      actor,
      (i) => {
        if (!IncidentLifecycle.isOpen(i.state)) {
          throw new IncidentError(
            IncidentErrorCode.IllegalTransition,
            `An incident that is ${i.state} takes no more alerts`,
            { from: i.state, to: i.state, allowed: IncidentLifecycle.allowedFrom(i.state) },
          );
        }
        const set = { alertCount: i.alertCount + 1, lastAlertAt: alert.at };
        const changes = diff(i, set);
        return {
          kind: 'alert',
          set,
          changes,
          body: alert.summary,
          event: (incident) => ({
            type: 'incident.alert_grouped',
            payloads: { 1: { incident, changes, summary: alert.summary } },
          }),
        };
      },
      within,
    );
  }

  async assign(
    id: string,
    dto: Pick<AssignIncidentDto, 'assigneeId' | 'assignmentGroup'>,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    if (dto.assigneeId) await this.assertAssignee(dto.assigneeId);
    return this.mutate(
      id,
      expected,
      actor,
      (i) => {
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
        const set: Partial<Pick<Incident, 'assigneeId' | 'assignmentGroup'>> = { assigneeId: dto.assigneeId };
        if (dto.assignmentGroup !== undefined) set.assignmentGroup = dto.assignmentGroup;
        const changes = diff(i, set);
        return {
          kind: 'assigned',
          set,
          changes,
          event: (incident) => ({ type: 'incident.assigned', payloads: { 1: { incident, changes } } }),
        };
      },
      within,
    );
  }

  hold(
    id: string,
    dto: ReasonDto,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.moveTo(id, 'on_hold', dto.reason, expected, actor, undefined, within);
  }

  resolve(
    id: string,
    dto: ResolveIncidentDto,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.mutate(
      id,
      expected,
      actor,
      (i, now) => this.transition(i, this.lifecycle.move(i, 'resolved', now, dto)),
      within,
    );
  }

  close(
    id: string,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.moveTo(id, 'closed', null, expected, actor, undefined, within);
  }

  cancel(
    id: string,
    dto: ReasonDto,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.moveTo(id, 'canceled', dto.reason, expected, actor, undefined, within);
  }

  /** Back to In progress, from Resolved only. */
  reopen(
    id: string,
    dto: ReasonDto,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.moveTo(id, 'in_progress', dto.reason, expected, actor, 'resolved', within);
  }

  /** Back to In progress, from On hold only. */
  resume(
    id: string,
    dto: ReasonDto,
    expected: number | undefined,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.moveTo(id, 'in_progress', dto.reason, expected, actor, 'on_hold', within);
  }

  /** A comment publishes `incident.commented`, a work note `incident.work_noted`. */
  async comment(
    id: string,
    dto: CommentDto,
    actor: RequestActor,
    within?: EntityManager,
  ): Promise<TimelineEntryView> {
    return this.unitOfWork.within(within, async (m) => {
      const incident = await findIncident(m, id, true);
      const entry = await this.append(m, incident.id, actor, dto.kind, dto.body, null);
      const note = { number: incident.number, body: dto.body, entryId: entry.id };
      const event: IncidentEventBody =
        dto.kind === 'work_note'
          ? { type: 'incident.work_noted', payloads: { 1: { ...note, kind: 'work_note' } } }
          : { type: 'incident.commented', payloads: { 1: { ...note, kind: 'comment' } } };
      await this.outbox.publish(m, INCIDENT_EVENTS, { ...subjectOf(incident, entry), ...event });
      return TimelineEntryView.of(entry);
    });
  }

  /**
   * Records that another system holds a twin of this incident (an integration names itself in
   * `system`): its id there and its number, which the list's `q` then finds. Not a change of the
   * incident itself, so no version and no event (which would only echo back to that system); a
   * `sync` timeline entry says it. Linking again to the same twin does nothing.
   */
  async linkExternal(
    id: string,
    link: { readonly system: string; readonly ref: string; readonly number: string | null },
    actor: RequestActor,
    options: { readonly within?: EntityManager } = {},
  ): Promise<IncidentView> {
    let view: IncidentView | undefined;
    await this.unitOfWork.within(options.within, async (m) => {
      const incident = await findIncident(m, id, true);
      const same =
        incident.externalSystem === link.system &&
        incident.externalRef === link.ref &&
        incident.externalNumber === link.number;
      if (!same) {
        await m
          .getRepository(Incident)
          .update(
            { id: incident.id },
            { externalSystem: link.system, externalRef: link.ref, externalNumber: link.number },
          );
        await this.append(
          m,
          incident.id,
          actor,
          'sync',
          `Linked to ${link.system} ${link.number ?? link.ref}`,
          null,
        );
      }
      [view] = await this.queries.viewsOf([await findIncident(m, incident.id)], m);
    });
    return view!;
  }

  acknowledgeAll(ids: readonly string[], actor: RequestActor): Promise<BulkResultView[]> {
    return this.each(ids, (id) => this.acknowledge(id, undefined, actor));
  }

  assignAll(dto: BulkAssignDto, actor: RequestActor): Promise<BulkResultView[]> {
    const assignment = { assigneeId: dto.assigneeId, assignmentGroup: dto.assignmentGroup };
    return this.each(dto.ids, (id) => this.assign(id, assignment, undefined, actor));
  }

  /** Each id in its own transaction: one failure (stale, illegal) does not undo the others. */
  private async each(
    ids: readonly string[],
    run: (id: string) => Promise<IncidentView>,
  ): Promise<BulkResultView[]> {
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

  /**
   * A move with a name of its own: `from`, when given, narrows the lifecycle's rule (reopen is
   * only for resolved incidents, resume only for held ones, though both lead to In progress).
   */
  private moveTo(
    id: string,
    to: Extract<IncidentState, 'on_hold' | 'closed' | 'canceled' | 'in_progress'>,
    reason: string | null,
    expected: number | undefined,
    actor: RequestActor,
    from?: IncidentState,
    within?: EntityManager,
  ): Promise<IncidentView> {
    return this.mutate(
      id,
      expected,
      actor,
      (i, now) => ({
        ...this.transition(i, this.lifecycle.move(i, to, now, undefined, from)),
        body: reason,
      }),
      within,
    );
  }

  private edit(i: Incident, set: Partial<Pick<Incident, UpdatedField>>): Mutation {
    const changes = diff(i, set);
    return {
      kind: 'updated',
      set,
      changes,
      event: (incident) => ({ type: 'incident.updated', payloads: { 1: { incident, changes } } }),
    };
  }

  private transition(i: Incident, effect: TransitionEffect): Mutation {
    if (effect.state === i.state) {
      // Only an acknowledgement stays in its state (IncidentLifecycle.acknowledge): at most it
      // stamps the acknowledged time, an edit like any other.
      return this.edit(i, effect.acknowledgedAt ? { acknowledgedAt: effect.acknowledgedAt } : {});
    }
    const set = { ...effect };
    const changes = diff(i, set);
    const state = { from: i.state, to: effect.state };
    return {
      kind: 'state_changed',
      set,
      changes,
      event: (incident) => ({
        type: 'incident.state_changed',
        payloads: { 1: { incident, changes: { ...changes, state } } },
      }),
    };
  }

  private async mutate(
    id: string,
    expected: number | undefined,
    actor: RequestActor,
    decide: (incident: Incident, now: Date) => Mutation,
    within?: EntityManager,
  ): Promise<IncidentView> {
    let view: IncidentView | undefined;
    await this.unitOfWork.within(within, async (m) => {
      const current = await findIncident(m, id, true);
      if (expected !== undefined && expected !== current.version) {
        throw new IncidentError(
          IncidentErrorCode.StaleVersion,
          `${current.number} changed since you read it (you have version ${expected}, it is at ${current.version}); reload and retry`,
          { currentVersion: current.version },
        );
      }
      const mutation = decide(current, new Date());
      let incident = current;
      if (Object.keys(mutation.changes).length > 0 || mutation.body) {
        await m
          .getRepository(Incident)
          .update(
            { id: current.id },
            { ...mutation.set, version: current.version + 1, updatedAt: new Date() },
          );
        incident = await findIncident(m, current.id);
        await this.record(m, incident, actor, mutation);
      }
      // Read in the transaction: a caller's (within) has not committed yet.
      [view] = await this.queries.viewsOf([incident], m);
    });
    return view!;
  }

  /** Appends the change to the timeline and publishes its event, in `m`'s transaction. */
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
    const [view] = await this.queries.viewsOf([incident], m);
    await this.outbox.publish(m, INCIDENT_EVENTS, {
      ...subjectOf(incident, entry),
      ...mutation.event(view!),
    });
  }

  private async append(
    m: EntityManager,
    incidentId: string,
    actor: RequestActor,
    kind: TimelineKind,
    body: string | null,
    changes: IncidentChanges<ChangeableField> | null,
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

  private async assertAssignee(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.status !== 'active') {
      throw new IncidentError(IncidentErrorCode.AssigneeUnknown, `No active user ${userId} to assign`);
    }
  }
}
