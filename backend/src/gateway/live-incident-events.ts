import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IncidentView } from '../incidents/dto/incident.view';
import { IncidentQueries } from '../incidents/incident-queries';
import type { IncidentEventType } from '../incidents/incident.events';
import type { LiveIncidentEvent } from './live-protocol';

/**
 * The wire type of each incident domain event. Every type of the catalogue must be here
 * (`satisfies`): a new incident event does not compile until someone decides how it goes out.
 */
export const WIRE_TYPE_OF = {
  'incident.created': 'incident.created',
  'incident.updated': 'incident.updated',
  'incident.state_changed': 'incident.updated',
  'incident.assigned': 'incident.updated',
  'incident.alert_grouped': 'incident.updated',
  'incident.commented': 'incident.commented',
  'incident.work_noted': 'incident.commented',
  'incident.sla_warning': 'incident.sla_warning',
} as const satisfies Record<IncidentEventType, LiveIncidentEvent['type']>;

/** Domain change names that are not IncidentView field names. */
const VIEW_FIELD_OF: Readonly<Record<string, string>> = { assigneeId: 'assignee' };

/**
 * One read of the events named by a batch of notifications. Only what the wire needs: the
 * changed field names (not their values), and the payload only of the types whose wire form is
 * built from it (comments, SLA warnings). Times as `Date#toISOString()` text.
 */
const EVENTS_SQL = `
  SELECT e.id, e.type, e.aggregate_id, e.aggregate_version, e.actor_type, e.actor_id, e.actor_label,
         to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
         CASE WHEN e.type IN ('incident.commented', 'incident.work_noted', 'incident.sla_warning')
              THEN e.payload END AS payload,
         CASE WHEN jsonb_typeof(e.payload -> 'changes') = 'object'
              THEN ARRAY(SELECT jsonb_object_keys(e.payload -> 'changes')) END AS changed
    FROM outbox_events e
   WHERE e.id = ANY($1::uuid[]) AND e.aggregate_type = 'incident'`;

interface EventRow {
  readonly id: string;
  readonly type: string;
  readonly aggregate_id: string;
  readonly aggregate_version: number;
  readonly actor_type: string;
  readonly actor_id: string | null;
  readonly actor_label: string | null;
  readonly at: string;
  readonly payload: Record<string, unknown> | null;
  readonly changed: string[] | null;
}

const isIncidentEventType = (type: string): type is IncidentEventType => Object.hasOwn(WIRE_TYPE_OF, type);

/**
 * Turns committed outbox events into /live incident events: one query for the events and one
 * (through Incidents' exported IncidentQueries) for the current views of the incidents they
 * touch, however many events the batch holds. A view is read after commit, so it is at the
 * event's version or newer; clients keep the highest version they saw.
 */
@Injectable()
export class LiveIncidentEvents {
  private readonly logger = new Logger(LiveIncidentEvents.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly incidents: IncidentQueries,
  ) {}

  /** The wire events of these outbox ids, in the ids' order (commit order); other types are skipped. */
  async read(eventIds: readonly string[]): Promise<LiveIncidentEvent[]> {
    const rows = await this.dataSource.query<EventRow[]>(EVENTS_SQL, [eventIds]);
    const byId = new Map(rows.filter((r) => isIncidentEventType(r.type)).map((r) => [r.id, r]));
    const ordered = eventIds.flatMap((id) => byId.get(id) ?? []);
    const needViews = [
      ...new Set(
        ordered
          .filter(
            (r) =>
              WIRE_TYPE_OF[r.type as IncidentEventType] === 'incident.created' ||
              WIRE_TYPE_OF[r.type as IncidentEventType] === 'incident.updated',
          )
          .map((r) => r.aggregate_id),
      ),
    ];
    const views = await this.viewsOf(needViews);
    return ordered.flatMap((row) => {
      const event = this.toWire(row, views);
      return event ? [event] : [];
    });
  }

  private async viewsOf(ids: readonly string[]): Promise<Map<string, IncidentView>> {
    if (ids.length === 0) return new Map();
    // viewsOf reads only the ids of the rows it is given (its parameter's type is Incidents'
    // entity, which other modules do not import).
    const stubs = ids.map((id) => ({ id })) as unknown as Parameters<IncidentQueries['viewsOf']>[0];
    try {
      const views = await this.incidents.viewsOf(stubs);
      return new Map(views.map((v) => [v.id, v]));
    } catch (e) {
      // An incident deleted since (viewsOf refuses a missing one): read the rest one by one.
      this.logger.debug(`Reading views one by one: ${e instanceof Error ? e.message : String(e)}`);
      const found = new Map<string, IncidentView>();
      for (const stub of stubs) {
        const [view] = await this.incidents.viewsOf([stub]).catch(() => []);
        if (view) found.set(view.id, view);
      }
      return found;
    }
  }

  private toWire(row: EventRow, views: ReadonlyMap<string, IncidentView>): LiveIncidentEvent | undefined {
    const type = row.type as IncidentEventType;
    const base = {
      v: 1 as const,
      id: row.id,
      at: row.at,
      incidentId: row.aggregate_id,
      actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    };
    switch (WIRE_TYPE_OF[type]) {
      case 'incident.created': {
        const incident = views.get(row.aggregate_id);
        return incident && { ...base, type: 'incident.created', version: row.aggregate_version, incident };
      }
      case 'incident.updated': {
        const incident = views.get(row.aggregate_id);
        return (
          incident && {
            ...base,
            type: 'incident.updated',
            version: row.aggregate_version,
            changed: changedFields(row.changed ?? []),
            incident,
          }
        );
      }
      case 'incident.commented': {
        const payload = row.payload as { entryId: string; kind: 'comment' | 'work_note'; body: string };
        return {
          ...base,
          type: 'incident.commented',
          entry: {
            id: payload.entryId,
            kind: payload.kind,
            body: payload.body,
            // A user by id and email; another actor (API key, Slack, ServiceNow, system) by its label.
            author: { id: row.actor_id ?? row.actor_type, name: row.actor_label },
            at: row.at,
          },
        };
      }
      case 'incident.sla_warning': {
        const payload = row.payload as { threshold: 50 | 75 | 90; dueAt: string };
        return { ...base, type: 'incident.sla_warning', threshold: payload.threshold, dueAt: payload.dueAt };
      }
    }
  }
}

/** The IncidentView fields a domain change names (impact or urgency also moves the priority). */
export function changedFields(changes: readonly string[]): string[] {
  const fields = new Set(changes.map((c) => VIEW_FIELD_OF[c] ?? c));
  if (fields.has('impact') || fields.has('urgency')) fields.add('priority');
  return [...fields];
}
