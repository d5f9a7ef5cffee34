import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestActor } from '../common/auth/principal';
import { InboundHandlers, type InboundEffect, type InboundEvent } from '../inbox/inbox-handlers';
import { IncidentCommands } from '../incidents/incident-commands';
import { IncidentError, IncidentErrorCode } from '../incidents/incident.errors';
import type { IncidentView } from '../incidents/dto/incident.view';
import { parseAlertmanagerNotification, type AlertmanagerAlert } from './alertmanager-notification';
import { ALERTMANAGER_CHANNEL, PAGERDUTY_CHANNEL } from './event-intake';
import { parsePagerDutyEvent, type EventAction, type PagerDutyEvent } from './pagerduty-event';
import { DEFAULT_SEVERITY_MAPPING, severityOfLabel, type Severity } from './severity-mapping';
import { SourceDirectory, type KnownSource } from './source-directory';

/** One alert as grouping sees it, whichever format it came in. */
interface Alert {
  readonly dedupKey: string;
  readonly action: EventAction;
  readonly summary: string;
  readonly severity: Severity;
  /** When it happened (the producer's time when it gives one, else when we received it). */
  readonly at: Date;
  /** Which firing this is, when the format says (Alertmanager's startsAt). */
  readonly occurrence: string | null;
  readonly description: string;
}

type Settings = Pick<
  KnownSource,
  'defaultAssignmentGroup' | 'defaultCategory' | 'severityMapping' | 'resolveCloseCode'
>;

const DEFAULT_SETTINGS: Settings = {
  defaultAssignmentGroup: null,
  defaultCategory: null,
  severityMapping: DEFAULT_SEVERITY_MAPPING,
  resolveCloseCode: 'Resolved by caller',
};

const TITLE_MAX = 200;
const DETAILS_MAX = 8000;

function title(summary: string): string {
  const flat = summary.replace(/\s+/g, ' ').trim() || 'Alert';
  return flat.length <= TITLE_MAX ? flat : `${flat.slice(0, TITLE_MAX - 1)}…`;
}

function details(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return text.length <= DETAILS_MAX ? text : `${text.slice(0, DETAILS_MAX)}…`;
}

function lines(entries: ReadonlyArray<readonly [string, string | undefined | null]>): string {
  return entries
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

/** An incident is gone or no longer takes the action: the event is noted, not an error. */
function isInapplicable(e: unknown): e is IncidentError {
  return (
    e instanceof IncidentError &&
    (e.code === IncidentErrorCode.IllegalTransition || e.code === IncidentErrorCode.NotFound)
  );
}

const groupIncident = (g: {
  incident_id: string;
  incident_number: string;
}): Pick<IncidentView, 'id' | 'number'> => ({
  id: g.incident_id,
  number: g.incident_number,
});

const effect = (
  outcome: InboundEffect['outcome'],
  dedupKey: string,
  incident?: Pick<IncidentView, 'id' | 'number'> | null,
): InboundEffect => ({
  outcome,
  dedupKey,
  incidentId: incident?.id ?? null,
  incidentNumber: incident?.number ?? null,
});

/**
 * Turns producers' alerts into incidents (the inbox handler of the pagerduty and alertmanager
 * channels): a trigger opens an incident, or adds to the open one its dedup key already has;
 * acknowledge and resolve act on that incident; an action on a key with no open incident is
 * noted as ignored, as PagerDuty does. Runs in the inbox's transaction, so an event's effects
 * commit exactly once, and holds a lock per dedup key so two triggers never open two incidents.
 */
@Injectable()
export class AlertGrouping implements OnModuleInit {
  constructor(
    private readonly handlers: InboundHandlers,
    private readonly incidents: IncidentCommands,
    private readonly directory: SourceDirectory,
  ) {}

  onModuleInit(): void {
    this.handlers.register({ channel: PAGERDUTY_CHANNEL, handle: (e, m) => this.pagerDuty(e, m) });
    this.handlers.register({ channel: ALERTMANAGER_CHANNEL, handle: (e, m) => this.alertmanager(e, m) });
  }

  private async pagerDuty(event: InboundEvent, m: EntityManager): Promise<InboundEffect[]> {
    const parsed = parsePagerDutyEvent(JSON.parse(event.rawBody.toString('utf8')));
    if ('errors' in parsed)
      throw new Error(`The stored event is not a valid PagerDuty event: ${parsed.errors[0]?.message}`);
    const settings = await this.settingsOf(event);
    return [await this.apply(event, settings, this.alertOf(parsed.event, event), m)];
  }

  private async alertmanager(event: InboundEvent, m: EntityManager): Promise<InboundEffect[]> {
    const parsed = parseAlertmanagerNotification(JSON.parse(event.rawBody.toString('utf8')));
    if ('errors' in parsed)
      throw new Error(
        `The stored event is not a valid Alertmanager notification: ${parsed.errors[0]?.message}`,
      );
    const settings = await this.settingsOf(event);
    const effects: InboundEffect[] = [];
    for (const alert of parsed.notification.alerts) {
      effects.push(
        await this.apply(
          event,
          settings,
          this.alertOfAlertmanager(alert, parsed.notification.externalURL, event),
          m,
        ),
      );
    }
    return effects;
  }

  private async apply(
    event: InboundEvent,
    settings: Settings,
    alert: Alert,
    m: EntityManager,
  ): Promise<InboundEffect> {
    const actor: RequestActor = {
      principal: null,
      ip: null,
      userAgent: null,
      requestId: null,
      service: { id: event.sourceId, label: event.sourceLabel },
    };
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`alert:${event.scope}|${alert.dedupKey}`]);
    const [group] = await m.query<
      { incident_id: string; incident_number: string; occurrence: string | null }[]
    >(
      'SELECT incident_id, incident_number, occurrence FROM alert_groups WHERE scope = $1 AND dedup_key = $2',
      [event.scope, alert.dedupKey],
    );
    if (alert.action === 'trigger') {
      if (group) {
        try {
          if (alert.occurrence !== null && alert.occurrence === group.occurrence) {
            // The same firing notified again (a repeat, or the group changed): nothing new.
            return effect('unchanged', alert.dedupKey, groupIncident(group));
          }
          const grouped = await this.incidents.recordAlert(
            group.incident_id,
            { summary: alert.summary, at: alert.at },
            actor,
            m,
          );
          await this.remember(m, event.scope, alert, grouped);
          return effect('grouped', alert.dedupKey, grouped);
        } catch (e) {
          if (!isInapplicable(e)) throw e; // resolved, closed or gone: this trigger opens the next one
        }
      }
      const mapped = settings.severityMapping[alert.severity] ?? DEFAULT_SEVERITY_MAPPING[alert.severity];
      const opened = await this.incidents.create(
        {
          title: title(alert.summary),
          description: alert.description,
          impact: mapped.impact,
          urgency: mapped.urgency,
          ...(settings.defaultCategory ? { category: settings.defaultCategory } : {}),
          ...(settings.defaultAssignmentGroup ? { assignmentGroup: settings.defaultAssignmentGroup } : {}),
          source: 'webhook',
        },
        actor,
        { within: m, alertAt: alert.at },
      );
      await this.remember(m, event.scope, alert, opened);
      return effect('opened', alert.dedupKey, opened);
    }
    if (!group) return effect('ignored', alert.dedupKey);
    try {
      const changed =
        alert.action === 'acknowledge'
          ? await this.incidents.acknowledge(group.incident_id, undefined, actor, m)
          : await this.incidents.resolve(
              group.incident_id,
              {
                closeCode: settings.resolveCloseCode,
                closeNotes: `Resolved by ${event.sourceLabel}: ${alert.summary}`.slice(0, 4000),
              },
              undefined,
              actor,
              m,
            );
      return effect(alert.action === 'acknowledge' ? 'acknowledged' : 'resolved', alert.dedupKey, changed);
    } catch (e) {
      if (!isInapplicable(e)) throw e;
      return effect('ignored', alert.dedupKey, groupIncident(group));
    }
  }

  private async remember(
    m: EntityManager,
    scope: string,
    alert: Alert,
    incident: IncidentView,
  ): Promise<void> {
    await m.query(
      `INSERT INTO alert_groups (scope, dedup_key, incident_id, incident_number, occurrence) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, dedup_key) DO UPDATE
         SET incident_id = EXCLUDED.incident_id, incident_number = EXCLUDED.incident_number,
             occurrence = EXCLUDED.occurrence, updated_at = now()`,
      [scope, alert.dedupKey, incident.id, incident.number, alert.occurrence],
    );
  }

  /** The source's settings as they are now; an API key's events (or a deleted source's) get the defaults. */
  private async settingsOf(event: InboundEvent): Promise<Settings> {
    return (event.sourceId && (await this.directory.byId(event.sourceId))) || DEFAULT_SETTINGS;
  }

  private alertOf(e: PagerDutyEvent, event: InboundEvent): Alert {
    const p = e.payload;
    const summary = p?.summary || `${e.action} ${event.dedupKey}`;
    const at = p?.timestamp ? new Date(p.timestamp) : event.receivedAt;
    const description = [
      summary.length > TITLE_MAX ? summary : null,
      lines([
        ['Source', p?.source],
        ['Severity', p?.severity],
        ['Component', p?.component],
        ['Group', p?.group],
        ['Class', p?.class],
        ['Dedup key', event.dedupKey],
        [
          'Reported by',
          e.client ? `${e.client}${e.clientUrl ? ` (${e.clientUrl})` : ''}` : event.sourceLabel,
        ],
      ]),
      p?.customDetails !== undefined ? `Details:\n${details(p.customDetails)}` : null,
      e.links.length
        ? `Links:\n${e.links.map((l) => `- ${l.text ? `${l.text}: ` : ''}${l.href}`).join('\n')}`
        : null,
    ]
      .filter(Boolean)
      .join('\n\n');
    return {
      dedupKey: event.dedupKey ?? '',
      action: e.action,
      summary,
      severity: p?.severity ?? 'warning',
      at: Number.isNaN(at.getTime()) ? event.receivedAt : at,
      occurrence: null,
      description,
    };
  }

  private alertOfAlertmanager(
    a: AlertmanagerAlert,
    externalURL: string | undefined,
    event: InboundEvent,
  ): Alert {
    const name = a.labels['alertname'];
    const summary =
      a.annotations['summary'] || a.annotations['description'] || name || `Alert ${a.fingerprint}`;
    const startsAt = a.startsAt ? new Date(a.startsAt) : event.receivedAt;
    const description = [
      a.annotations['description'] && a.annotations['description'] !== summary
        ? a.annotations['description']
        : null,
      lines([
        ['Alert', name],
        ['Severity label', a.labels['severity']],
        ['Started', a.startsAt],
        ['Fingerprint', a.fingerprint],
        ['Source', a.generatorURL],
        ['Alertmanager', externalURL],
      ]),
      `Labels:\n${Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}`,
    ]
      .filter(Boolean)
      .join('\n\n');
    return {
      dedupKey: a.fingerprint,
      action: a.status === 'firing' ? 'trigger' : 'resolve',
      summary,
      severity: severityOfLabel(a.labels['severity']),
      at: Number.isNaN(startsAt.getTime()) ? event.receivedAt : startsAt,
      occurrence: a.startsAt ?? null,
      description: details(description).slice(0, 20000),
    };
  }
}
