import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { consumerOf, DeliveryConsumers, type DeliveryContext } from '../deliveries/delivery-consumers';
import type { DeliveredEvent } from '../deliveries/domain-event';
import { PermanentDeliveryError } from '../deliveries/permanent-delivery-error';
import { IncidentCommands } from '../incidents/incident-commands';
import { IncidentQueries } from '../incidents/incident-queries';
import {
  INCIDENT_EVENTS,
  type IncidentCommentedV1,
  type IncidentWorkNotedV1,
} from '../incidents/incident.events';
import type { IncidentView } from '../incidents/dto/incident.view';
import { ServiceNowClient, type ServiceNowRecord } from './servicenow-client';
import { ServiceNowCallError } from './servicenow.errors';
import {
  authoredBody,
  CONFLICT_POLICY,
  closeCodeToServiceNow,
  outboundWins,
  ourValues,
  POLICY_BY_FIELD,
  toServiceNowFields,
  type FieldWriters,
  type SyncedField,
} from './servicenow-field-map';
import { isServiceNowActor, serviceNowActor } from './servicenow-sync-actor';
import {
  SERVICENOW_SETTINGS,
  type ServiceNowSettings,
  type ServiceNowSettingsSource,
} from './servicenow-sync-settings';
import { ServiceNowSyncStore, type SyncLink } from './servicenow-sync-store';

/** The delivery consumer's name (ledger rows, idempotency keys `servicenow:<eventId>`). */
export const SERVICENOW_CONSUMER = 'servicenow';

/** What the external reference on incidents calls us. */
export const EXTERNAL_SYSTEM = 'servicenow';

const ALL_FIELDS = CONFLICT_POLICY.map((p) => p.ours);

/** The ServiceNow error as the delivery ledger shows it. */
function describe(e: ServiceNowCallError): string {
  return `ServiceNow refused the change${e.status === null ? '' : ` (${e.status})`}: ${e.instanceMessage ?? e.message}`;
}

/**
 * Writes our incident changes to ServiceNow (the `servicenow` delivery consumer, docs/servicenow.md):
 * created → POST (impact and urgency, never priority) and the link; updated, state_changed and
 * assigned → PATCH only the changed fields the conflict policy lets us write (resolve always with
 * close_code and close_notes); commented → `comments`, work_noted → `work_notes`, authored and
 * linked so their echo is not added again. Changes ServiceNow made are never written back. Work
 * on one incident is serialised (an advisory lock held through the call), so an update that
 * arrives before its incident's creation finished waits for it rather than creating twice.
 */
@Injectable()
export class ServiceNowOutbound implements OnModuleInit {
  private readonly logger = new Logger(ServiceNowOutbound.name);

  constructor(
    private readonly consumers: DeliveryConsumers,
    private readonly client: ServiceNowClient,
    private readonly store: ServiceNowSyncStore,
    private readonly incidents: IncidentCommands,
    private readonly queries: IncidentQueries,
    @Inject(SERVICENOW_SETTINGS) private readonly settings: ServiceNowSettingsSource,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      consumerOf(INCIDENT_EVENTS, {
        name: SERVICENOW_CONSUMER,
        events: {
          'incident.created': [1],
          'incident.updated': [1],
          'incident.state_changed': [1],
          'incident.assigned': [1],
          'incident.commented': [1],
          'incident.work_noted': [1],
        },
        maxAttempts: 12,
        handle: async (event, context) => {
          if (isServiceNowActor(event.actor)) return; // echo suppression
          const settings = await this.settings.read();
          if (!settings.instanceUrl || !settings.enabled) return;
          await this.guarded(event.aggregateId, () => {
            switch (event.type) {
              case 'incident.created':
                return this.push(event, settings, event.payload.incident, [], context);
              case 'incident.commented':
              case 'incident.work_noted':
                return this.journal(event, event.payload, settings, context);
              default:
                return this.push(
                  event,
                  settings,
                  event.payload.incident,
                  Object.keys(event.payload.changes),
                  context,
                );
            }
          });
        },
      }),
    );
  }

  /**
   * Writes the incident's current fields (a pending or failed link the reconciler retries): POST
   * when it has no record yet, else PATCH of every field we may write.
   */
  async resync(incidentId: string): Promise<void> {
    const settings = await this.settings.read();
    if (!settings.instanceUrl || !settings.enabled) return;
    const view = await this.queries.get(incidentId);
    await this.guarded(incidentId, () =>
      this.push(
        { occurredAt: new Date().toISOString(), aggregateVersion: view.version },
        settings,
        view,
        ALL_FIELDS,
        { idempotencyKey: `resync:${incidentId}`, attempt: 2 },
      ),
    );
  }

  /** Records the failure on the link; a permanent refusal ends the delivery (dead, in the ledger). */
  private async guarded(incidentId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      const message =
        e instanceof ServiceNowCallError ? describe(e) : e instanceof Error ? e.message : String(e);
      const permanent = e instanceof ServiceNowCallError && e.kind === 'permanent';
      await this.store
        .recordFailure(incidentId, 'failed', message, !permanent)
        .catch((recordError: unknown) =>
          this.logger.warn(`Could not record a sync failure: ${String(recordError)}`),
        );
      if (permanent) throw new PermanentDeliveryError(message, { cause: e });
      if (e instanceof ServiceNowCallError && e.kind === 'not_configured') return;
      throw e;
    }
  }

  private async push(
    event: Pick<DeliveredEvent, 'occurredAt' | 'aggregateVersion'>,
    settings: ServiceNowSettings,
    view: IncidentView,
    changed: readonly string[],
    context: DeliveryContext,
  ): Promise<void> {
    await this.store.dataSource.transaction(async (m) => {
      await this.store.lock(m, `incident:${view.id}`);
      const link = await this.linked(m, view, settings, event, context);
      if (link.created) return; // the POST wrote every field as it is now
      const oursAt = new Date(event.occurredAt);
      const fields = this.fieldsToWrite(changed, link.link.writers, oursAt, event.aggregateVersion);
      if (!fields.length) return;
      const choices = fields.includes('closeCode') ? await this.client.closeCodes() : [];
      const body = toServiceNowFields(ourValues(view), fields, settings.mapping, (c) =>
        closeCodeToServiceNow(c, settings.mapping, choices),
      );
      if (!Object.keys(body).length) return;
      const record = await this.client.updateIncident(link.link.sysId!, body);
      await this.store.recordRecord(
        m,
        view.id,
        record,
        this.writtenBy(fields, oursAt, event.aggregateVersion, record),
        true,
      );
    });
  }

  /**
   * Of the changed fields, those we write: mapped, allowed by the conflict policy; resolving
   * always carries close code and notes.
   */
  private fieldsToWrite(
    changed: readonly string[],
    writers: FieldWriters,
    oursAt: Date,
    version: number,
  ): SyncedField[] {
    const wanted = new Set(changed.filter((f): f is SyncedField => POLICY_BY_FIELD.has(f as SyncedField)));
    if (wanted.has('state') || wanted.has('closeCode') || wanted.has('closeNotes')) {
      wanted.add('closeCode').add('closeNotes');
    }
    // Impact and urgency make the priority together: written as a pair.
    if (wanted.has('impact') || wanted.has('urgency')) wanted.add('impact').add('urgency');
    return [...wanted].filter((f) =>
      outboundWins(POLICY_BY_FIELD.get(f)!.owner, writers[f], oursAt, version),
    );
  }

  /** Our fields as written at `at` by incident `version`, into the record version of `answer`. */
  private writtenBy(
    fields: readonly SyncedField[],
    at: Date,
    version: number,
    answer: ServiceNowRecord,
  ): FieldWriters {
    const modCount = Number.parseInt(answer.sys_mod_count, 10);
    const writer = {
      by: 'nexecute' as const,
      at: at.toISOString(),
      version,
      ...(Number.isFinite(modCount) ? { modCount } : {}),
    };
    return Object.fromEntries(fields.map((f) => [f, writer]));
  }

  /**
   * The incident's record: the linked one, or one created now (POST, then the link and the
   * incident's external reference). A retry first looks for a record an earlier attempt created
   * (correlation_id is our incident id), so a lost answer never creates a second one.
   */
  private async linked(
    m: EntityManager,
    view: IncidentView,
    settings: ServiceNowSettings,
    event: Pick<DeliveredEvent, 'occurredAt' | 'aggregateVersion'>,
    context: DeliveryContext,
  ): Promise<{ link: SyncLink; created: boolean }> {
    const existing = await this.store.linkOfIncident(m, view.id);
    if (existing?.sysId) return { link: existing, created: false };
    await this.store.ensureLink(m, view.id);
    let record: ServiceNowRecord | undefined;
    if (existing || context.attempt > 1) {
      record = (await this.client.listIncidents(`correlation_id=${view.id}`, { limit: 1 })).records[0];
    }
    if (!record) {
      const choices = view.closeCode ? await this.client.closeCodes() : [];
      const fields = toServiceNowFields(ourValues(view), ALL_FIELDS, settings.mapping, (c) =>
        closeCodeToServiceNow(c, settings.mapping, choices),
      );
      if (view.state === 'new' || !fields['close_code']) {
        delete fields['close_code'];
        delete fields['close_notes'];
      }
      record = await this.client.createIncident({
        ...fields,
        correlation_id: view.id,
        correlation_display: `Nexecute ${view.number}`,
      });
    }
    const writers = this.writtenBy(ALL_FIELDS, new Date(event.occurredAt), event.aggregateVersion, record);
    await this.store.recordRecord(m, view.id, record, writers, true);
    await this.incidents.linkExternal(
      view.id,
      { system: EXTERNAL_SYSTEM, ref: record.sys_id, number: record.number || null },
      serviceNowActor(),
      { within: m },
    );
    return { link: (await this.store.linkOfIncident(m, view.id))!, created: true };
  }

  /** A comment or work note, into the matching journal field with its author. */
  private async journal(
    event: DeliveredEvent,
    note: IncidentCommentedV1 | IncidentWorkNotedV1,
    settings: ServiceNowSettings,
    context: DeliveryContext,
  ): Promise<void> {
    const element = note.kind === 'work_note' ? 'work_notes' : 'comments';
    const value = authoredBody(event.actor.label ?? 'Nexecute', note.body);
    await this.store.dataSource.transaction(async (m) => {
      await this.store.lock(m, `incident:${event.aggregateId}`);
      if (await this.store.journalLinkOfEntry(m, note.entryId)) return; // written by an earlier attempt
      const view = await this.queries.get(event.aggregateId);
      const { link } = await this.linked(m, view, settings, event, context);
      await this.store.addJournalLink(m, {
        incidentId: view.id,
        entryId: note.entryId,
        journalSysId: null,
        element,
        direction: 'outbound',
        value,
      });
      const record = await this.client.updateIncident(link.sysId!, { [element]: value });
      await this.store.recordRecord(m, view.id, record, {}, true);
      // The PATCH answer does not name the journal row: find it, so its echo is known by sys_id.
      const entries = await this.client.listJournal(link.sysId!).catch(() => []);
      const mine = entries.filter((e) => e.element === element && e.value === value).at(-1);
      if (mine) await this.store.claimOutboundJournal(m, view.id, element, value, mine.sys_id);
    });
  }
}
