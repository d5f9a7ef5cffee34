import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InboundHandlers, type InboundEffect, type InboundEvent } from '../inbox/inbox-handlers';
import { IncidentCommands } from '../incidents/incident-commands';
import { IncidentQueries } from '../incidents/incident-queries';
import { IncidentError, IncidentErrorCode } from '../incidents/incident.errors';
import type { IncidentView } from '../incidents/dto/incident.view';
import type { UpdateIncidentDto } from '../incidents/dto/incident-commands.dto';
import type { ServiceNowRecord } from './servicenow-client';
import {
  fromServiceNowRecord,
  inboundWins,
  OUR_JOURNAL_PREFIX,
  ourValues,
  parseServiceNowTime,
  POLICY_BY_FIELD,
  type FieldWriters,
  type OurValues,
  type SyncedField,
} from './servicenow-field-map';
import { EXTERNAL_SYSTEM } from './servicenow-outbound';
import { serviceNowActor } from './servicenow-sync-actor';
import {
  SERVICENOW_SETTINGS,
  type ServiceNowSettings,
  type ServiceNowSettingsSource,
} from './servicenow-sync-settings';
import { ServiceNowSyncStore, type SyncLink } from './servicenow-sync-store';
import { parseServiceNowEvent, SERVICENOW_CHANNEL, type JournalRecord } from './servicenow-sync-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPEN_STATES = new Set(['new', 'in_progress', 'on_hold']);

const effect = (
  outcome: InboundEffect['outcome'],
  sysId: string,
  incident?: { readonly id: string; readonly number: string | null } | null,
): InboundEffect => ({
  outcome,
  dedupKey: sysId,
  incidentId: incident?.id ?? null,
  incidentNumber: incident?.number ?? null,
});

/** `YYYY-MM-DD HH:MM:SS`: compared as text, it orders by time. */
const GLIDE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** Our incident, with no link row yet: nothing held, so the record's fields are all newer. */
const unlinked = (incidentId: string): SyncLink => ({
  incidentId,
  sysId: null,
  number: null,
  modCount: null,
  updatedOn: null,
  status: 'pending',
  lastError: null,
  lastSyncedAt: null,
  writers: {},
});

/** An incident that no longer takes the move: the change is noted, not an error. */
function isInapplicable(e: unknown): boolean {
  return e instanceof IncidentError && e.code === IncidentErrorCode.IllegalTransition;
}

/**
 * Applies ServiceNow's changes to our incidents (the inbox handler of channel `servicenow`: webhooks
 * and reconciliation alike). An unknown record opens an incident (source servicenow) and links it;
 * a known one gets the fields the conflict policy gives ServiceNow, unless it is older than the
 * version we hold (sys_mod_count, then sys_updated_on), which never overwrites newer data; a
 * journal entry becomes a comment or a work note (never the other), unless it is our own entry
 * coming back. Runs in the inbox's transaction, under the record's lock and then the incident's
 * (the outbound consumer's), so our own write's echo waits for that write's version and is ignored.
 */
@Injectable()
export class ServiceNowSyncHandler implements OnModuleInit {
  constructor(
    private readonly handlers: InboundHandlers,
    private readonly incidents: IncidentCommands,
    private readonly queries: IncidentQueries,
    private readonly store: ServiceNowSyncStore,
    @Inject(SERVICENOW_SETTINGS) private readonly settings: ServiceNowSettingsSource,
  ) {}

  onModuleInit(): void {
    this.handlers.register({ channel: SERVICENOW_CHANNEL, handle: (e, m) => this.handle(e, m) });
  }

  async handle(event: InboundEvent, m: EntityManager): Promise<InboundEffect[]> {
    const parsed = parseServiceNowEvent(JSON.parse(event.rawBody.toString('utf8')));
    if ('errors' in parsed) {
      throw new Error(`The stored event is not a ServiceNow event: ${parsed.errors[0]?.message}`);
    }
    const { body } = parsed;
    const settings = await this.settings.read();
    if (body.event === 'journal.added') return [await this.journal(body.journal!, m)];
    const record = body.record as ServiceNowRecord;
    if (body.event === 'incident.deleted') return [effect('ignored', record.sys_id)];
    return [await this.record(record, body.event === 'incident.created', settings, m)];
  }

  private async record(
    record: ServiceNowRecord,
    created: boolean,
    settings: ServiceNowSettings,
    m: EntityManager,
  ): Promise<InboundEffect> {
    await this.store.lock(m, `record:${record.sys_id}`);
    let link = await this.store.linkOfRecord(m, record.sys_id);
    const correlated = typeof record['correlation_id'] === 'string' ? record['correlation_id'] : '';
    if (!link && UUID.test(correlated)) {
      // Our own record (created by the outbound consumer, maybe still storing its answer, or
      // whose answer was lost with its transaction): linked to our incident, never a second one.
      await this.store.lock(m, `incident:${correlated}`);
      const ours = await this.store.linkOfIncident(m, correlated);
      if (ours && (ours.sysId === null || ours.sysId === record.sys_id)) link = ours;
      else if (!ours && (await this.exists(correlated))) link = unlinked(correlated);
    }
    if (!link) return this.open(record, created, settings, m);
    await this.store.lock(m, `incident:${link.incidentId}`);
    link = (await this.store.linkOfIncident(m, link.incidentId)) ?? link;
    const current = await this.queries.get(link.incidentId);
    if (this.isStale(record, link)) return effect('unchanged', record.sys_id, current);
    const applied = await this.apply(current, record, link.writers, settings, m);
    await this.store.recordRecord(m, link.incidentId, record, applied.writers);
    if (applied.overruled.length) {
      // Fields we own differ there now: the reconciler writes ours back (a pending link).
      await this.store.markPending(
        m,
        link.incidentId,
        `ServiceNow changed ${applied.overruled.join(', ')}, which Nexecute owns: ours is written back`,
      );
    }
    if (!link.sysId) {
      await this.incidents.linkExternal(
        link.incidentId,
        { system: EXTERNAL_SYSTEM, ref: record.sys_id, number: record.number || null },
        serviceNowActor(),
        { within: m },
      );
    }
    return effect(applied.changed ? 'updated' : 'unchanged', record.sys_id, current);
  }

  private async exists(incidentId: string): Promise<boolean> {
    try {
      await this.queries.get(incidentId);
      return true;
    } catch (e) {
      if (e instanceof IncidentError && e.code === IncidentErrorCode.NotFound) return false;
      throw e;
    }
  }

  /** Older than (or the same version as) what we hold: a duplicate, a late webhook, our own echo. */
  private isStale(record: ServiceNowRecord, link: SyncLink): boolean {
    // An older sys_updated_on never overwrites newer data, whatever its sys_mod_count claims
    // (a replayed or forged event; a record restored from an older copy).
    if (
      link.updatedOn !== null &&
      GLIDE_TIME.test(record.sys_updated_on) &&
      record.sys_updated_on < link.updatedOn
    )
      return true;
    const modCount = Number.parseInt(record.sys_mod_count, 10);
    if (link.modCount !== null && Number.isFinite(modCount)) {
      if (modCount !== link.modCount) return modCount < link.modCount;
    }
    return link.updatedOn !== null && record.sys_updated_on <= link.updatedOn;
  }

  /** A record we do not know: a new incident if it was just created or is open; else ignored. */
  private async open(
    record: ServiceNowRecord,
    created: boolean,
    settings: ServiceNowSettings,
    m: EntityManager,
  ): Promise<InboundEffect> {
    const values = fromServiceNowRecord(record, settings.mapping);
    if (!created && !(values.state && OPEN_STATES.has(values.state))) {
      return effect('ignored', record.sys_id);
    }
    const actor = serviceNowActor();
    const view = await this.incidents.create(
      {
        title: values.title ?? (record.number || 'ServiceNow incident'),
        description: values.description ?? '',
        impact: values.impact ?? 3,
        urgency: values.urgency ?? 3,
        ...(values.category ? { category: values.category } : {}),
        ...(values.assignmentGroup ? { assignmentGroup: values.assignmentGroup } : {}),
        source: 'servicenow',
      },
      actor,
      { within: m },
    );
    await this.incidents.linkExternal(
      view.id,
      { system: EXTERNAL_SYSTEM, ref: record.sys_id, number: record.number || null },
      actor,
      { within: m },
    );
    const at = (parseServiceNowTime(record.sys_updated_on) ?? new Date()).toISOString();
    const writers: FieldWriters = Object.fromEntries(
      [...POLICY_BY_FIELD.keys()].map((f) => [f, { by: 'servicenow', at }]),
    );
    if (values.state && values.state !== 'new') await this.moveTo(view, values, record, m);
    await this.store.recordRecord(m, view.id, record, writers);
    return effect('opened', record.sys_id, view);
  }

  /** The record's fields that differ from ours and that the conflict policy gives ServiceNow. */
  private async apply(
    current: IncidentView,
    record: ServiceNowRecord,
    writers: FieldWriters,
    settings: ServiceNowSettings,
    m: EntityManager,
  ): Promise<{ changed: boolean; writers: FieldWriters; overruled: SyncedField[] }> {
    const theirs = fromServiceNowRecord(record, settings.mapping);
    const ours = ourValues(current);
    const theirsAt = parseServiceNowTime(record.sys_updated_on) ?? new Date();
    const theirsModCount = Number.parseInt(record.sys_mod_count, 10);
    const taken: SyncedField[] = [];
    const overruled: SyncedField[] = [];
    for (const [field, value] of Object.entries(theirs) as [SyncedField, unknown][]) {
      if (value === ours[field]) continue;
      const owner = POLICY_BY_FIELD.get(field)!.owner;
      if (inboundWins(owner, writers[field], theirsAt, theirsModCount)) taken.push(field);
      else if (owner === 'nexecute') overruled.push(field);
    }
    const edit: UpdateIncidentDto = {};
    for (const field of taken) {
      if (field === 'title') edit.title = theirs.title!;
      else if (field === 'description') edit.description = theirs.description!;
      else if (field === 'impact') edit.impact = theirs.impact!;
      else if (field === 'urgency') edit.urgency = theirs.urgency!;
      else if (field === 'category') edit.category = theirs.category ?? null;
      else if (field === 'assignmentGroup') edit.assignmentGroup = theirs.assignmentGroup ?? null;
    }
    const actor = serviceNowActor();
    let view = current;
    if (Object.keys(edit).length) view = await this.incidents.update(current.id, edit, undefined, actor, m);
    if (taken.includes('state') && theirs.state) view = await this.moveTo(view, theirs, record, m);
    const at = theirsAt.toISOString();
    return {
      changed: view.version !== current.version,
      writers: Object.fromEntries(taken.map((f) => [f, { by: 'servicenow', at }])),
      overruled,
    };
  }

  /**
   * Moves our incident to ServiceNow's state through the lifecycle's own moves (Closed from an
   * open incident resolves it first). A move the lifecycle refuses (a closed incident reopened
   * there) is left out: ours is final.
   */
  private async moveTo(
    current: IncidentView,
    theirs: Partial<OurValues>,
    record: ServiceNowRecord,
    m: EntityManager,
  ): Promise<IncidentView> {
    const actor = serviceNowActor();
    const to = theirs.state!;
    const from = current.state;
    const reason = (what: string) => ({ reason: `${what} in ServiceNow ${record.number}`.trim() });
    const resolution = {
      closeCode: theirs.closeCode ?? 'Solution provided',
      closeNotes: theirs.closeNotes ?? `Resolved in ServiceNow ${record.number}`.trim(),
    };
    try {
      if (to === from) return current;
      switch (to) {
        case 'in_progress':
          if (from === 'new') return await this.incidents.acknowledge(current.id, undefined, actor, m);
          if (from === 'on_hold')
            return await this.incidents.resume(current.id, reason('Resumed'), undefined, actor, m);
          if (from === 'resolved')
            return await this.incidents.reopen(current.id, reason('Reopened'), undefined, actor, m);
          return current;
        case 'on_hold':
          return await this.incidents.hold(current.id, reason('Put on hold'), undefined, actor, m);
        case 'resolved':
          return await this.incidents.resolve(current.id, resolution, undefined, actor, m);
        case 'closed': {
          const resolved =
            from === 'resolved'
              ? current
              : await this.incidents.resolve(current.id, resolution, undefined, actor, m);
          return await this.incidents.close(resolved.id, undefined, actor, m);
        }
        case 'canceled':
          return await this.incidents.cancel(current.id, reason('Canceled'), undefined, actor, m);
        default:
          return current; // back to New: our lifecycle has no such move
      }
    } catch (e) {
      if (!isInapplicable(e)) throw e;
      return current;
    }
  }

  /** A journal entry: a comment stays a comment, a work note a work note; our own echo is skipped. */
  private async journal(entry: JournalRecord, m: EntityManager): Promise<InboundEffect> {
    await this.store.lock(m, `record:${entry.element_id}`);
    const link = await this.store.linkOfRecord(m, entry.element_id);
    if (!link) return effect('ignored', entry.element_id);
    await this.store.lock(m, `incident:${link.incidentId}`);
    const incident = { id: link.incidentId, number: null };
    if (await this.store.journalLinkOfRecord(m, entry.sys_id)) {
      return effect('unchanged', entry.element_id, incident);
    }
    if (OUR_JOURNAL_PREFIX.test(entry.value)) {
      await this.store.claimOutboundJournal(m, link.incidentId, entry.element, entry.value, entry.sys_id);
      return effect('unchanged', entry.element_id, incident);
    }
    const kind = entry.element === 'work_notes' ? 'work_note' : 'comment';
    const body = entry.value.trim().slice(0, 20000) || '(empty)';
    const added = await this.incidents.comment(
      link.incidentId,
      { body, kind },
      serviceNowActor(entry.sys_created_by || undefined),
      m,
    );
    await this.store.addJournalLink(m, {
      incidentId: link.incidentId,
      entryId: added.id,
      journalSysId: entry.sys_id,
      element: entry.element,
      direction: 'inbound',
      value: entry.value,
    });
    return effect(kind === 'work_note' ? 'work_noted' : 'commented', entry.element_id, incident);
  }
}
