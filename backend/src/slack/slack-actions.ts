import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { InboundEffect } from '../inbox/inbox-handlers';
import type { IncidentPageView, IncidentView } from '../incidents/dto/incident.view';
import { ListIncidentsQuery } from '../incidents/dto/list-incidents.query';
import { IncidentCommands } from '../incidents/incident-commands';
import { IncidentQueries } from '../incidents/incident-queries';
import { IncidentError, IncidentErrorCode } from '../incidents/incident.errors';
import { textReply } from './slack-commands';
import { SlackInboundReplies, type ReplyTarget } from './slack-inbound-replies';
import { incidentList, incidentSummary, LIST_LIMIT } from './slack-inbound-views';
import type { CreateSubmission, ResolveSubmission } from './slack-modals';
import { SlackUsers, type SlackPermission, type SlackUserMapping } from './slack-users';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUR_NUMBER = /^INC\d{7,}$/i;
const OPEN_STATES = ['new', 'in_progress', 'on_hold'] as const;

type Mapped = Extract<SlackUserMapping, { ok: true }>;

const effect = (
  outcome: InboundEffect['outcome'],
  incident?: Pick<IncidentView, 'id' | 'number'> | null,
): InboundEffect => ({
  outcome,
  incidentId: incident?.id ?? null,
  incidentNumber: incident?.number ?? null,
  dedupKey: null,
});

/** What we tell a person whose change the incident refused; null: not a refusal, rethrow. */
function refusalOf(e: unknown, what: string): string | null {
  if (!(e instanceof IncidentError)) return null;
  switch (e.code) {
    case IncidentErrorCode.NotFound:
      return `That incident no longer exists, so it cannot be ${what}.`;
    case IncidentErrorCode.IllegalTransition:
    case IncidentErrorCode.CloseFieldsRequired:
    case IncidentErrorCode.AssigneeUnknown:
    case IncidentErrorCode.StaleVersion:
      return `It cannot be ${what}: ${e.detail}`;
    default:
      return null;
  }
}

/**
 * What a person does to incidents from Slack, carried out from the inbox (so it is durable and
 * retried) after the request was acknowledged: the Slack user is mapped to a product user
 * (SlackUsers, roles as over REST) who becomes the actor of an IncidentCommands call; refusals and
 * answers go back to that person only. The cards in channels follow from the incident events (the
 * notifier's consumer); nothing here edits them.
 */
@Injectable()
export class SlackIncidentActions {
  constructor(
    private readonly commands: IncidentCommands,
    private readonly queries: IncidentQueries,
    private readonly users: SlackUsers,
    private readonly replies: SlackInboundReplies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Our incident by id, our number, or the ServiceNow twin's number; null when none. */
  async find(reference: string): Promise<IncidentView | null> {
    if (UUID.test(reference) || OUR_NUMBER.test(reference)) {
      try {
        return await this.queries.get(reference);
      } catch (e) {
        if (!(e instanceof IncidentError && e.code === IncidentErrorCode.NotFound)) throw e;
        if (UUID.test(reference)) return null;
      }
    }
    const query = Object.assign(new ListIncidentsQuery(), { q: reference, limit: 20 });
    const page = JSON.parse((await this.queries.list(query, ANONYMOUS)).toString('utf8')) as IncidentPageView;
    const wanted = reference.toUpperCase();
    return (
      page.items.find((i) => i.number.toUpperCase() === wanted) ??
      page.items.find((i) => i.externalNumber?.toUpperCase() === wanted) ??
      null
    );
  }

  acknowledge(
    who: ReplyTarget,
    reference: string,
    m: EntityManager,
    confirm = false,
  ): Promise<InboundEffect> {
    return this.change(who, reference, 'acknowledged', confirm, (incident, as) =>
      this.commands.acknowledge(incident.id, undefined, as.actor, m),
    );
  }

  assignToMe(who: ReplyTarget, reference: string, m: EntityManager): Promise<InboundEffect> {
    return this.change(who, reference, 'assigned', false, (incident, as) =>
      this.commands.assign(incident.id, { assigneeId: as.userId }, undefined, as.actor, m),
    );
  }

  resolve(who: ReplyTarget, submission: ResolveSubmission, m: EntityManager): Promise<InboundEffect> {
    return this.change(who, submission.incidentId, 'resolved', false, (incident, as) =>
      this.commands.resolve(
        incident.id,
        { closeCode: submission.closeCode, closeNotes: submission.closeNotes },
        undefined,
        as.actor,
        m,
      ),
    );
  }

  async create(who: ReplyTarget, submission: CreateSubmission, m: EntityManager): Promise<InboundEffect> {
    const as = await this.mapped(who, 'write');
    if (!as) return effect('refused');
    const incident = await this.commands.create(
      {
        title: submission.title,
        description: submission.description,
        impact: submission.impact,
        urgency: submission.urgency,
        source: 'slack',
      },
      as.actor,
      { within: m },
    );
    await this.replies.ephemeral(who, incidentSummary(incident, this.config.publicUrl));
    return effect('opened', incident);
  }

  async show(who: ReplyTarget, reference: string): Promise<InboundEffect> {
    if (!(await this.mapped(who, 'read'))) return effect('refused');
    const incident = await this.find(reference);
    if (!incident) {
      await this.replies.ephemeral(who, textReply(`No incident ${reference}.`));
      return effect('ignored');
    }
    await this.replies.ephemeral(who, incidentSummary(incident, this.config.publicUrl));
    return effect('answered', incident);
  }

  async list(who: ReplyTarget, mine: boolean): Promise<InboundEffect> {
    const as = await this.mapped(who, 'read');
    if (!as) return effect('refused');
    const query = Object.assign(new ListIncidentsQuery(), {
      state: [...OPEN_STATES],
      sort: 'priority',
      limit: LIST_LIMIT,
      ...(mine ? { assigneeId: 'me' } : {}),
    });
    const page = JSON.parse((await this.queries.list(query, as.actor)).toString('utf8')) as IncidentPageView;
    const heading = mine ? 'Open incidents assigned to you' : 'Open incidents';
    await this.replies.ephemeral(
      who,
      incidentList(page.items, page.nextCursor !== null, heading, this.config.publicUrl),
    );
    return effect('answered');
  }

  /** An @mention: the summary of the incident it names, or help, in the mention's thread. */
  async answerMention(
    teamId: string | null,
    channel: string,
    threadTs: string,
    reference: string | null,
  ): Promise<InboundEffect> {
    if (!reference) {
      await this.replies.inThread(
        teamId,
        channel,
        threadTs,
        textReply(
          'Mention me with an incident number (e.g. INC0001234) for its summary, or use /incident help for what I can do.',
        ),
      );
      return effect('answered');
    }
    const incident = await this.find(reference);
    await this.replies.inThread(
      teamId,
      channel,
      threadTs,
      incident
        ? incidentSummary(incident, this.config.publicUrl)
        : textReply(`I know no incident ${reference}.`),
    );
    return effect(incident ? 'answered' : 'ignored', incident);
  }

  /** Maps the person; when they may not, tells them why (ephemerally) and answers null. */
  private async mapped(who: ReplyTarget, permission: SlackPermission): Promise<Mapped | null> {
    const mapping = await this.users.map(who.teamId, who.userId, permission);
    if (mapping.ok) return mapping;
    await this.replies.ephemeral(who, textReply(mapping.reason));
    return null;
  }

  private async change(
    who: ReplyTarget,
    reference: string,
    what: string,
    confirm: boolean,
    run: (incident: IncidentView, as: Mapped) => Promise<IncidentView>,
  ): Promise<InboundEffect> {
    const as = await this.mapped(who, 'write');
    if (!as) return effect('refused');
    const incident = await this.find(reference);
    if (!incident) {
      await this.replies.ephemeral(who, textReply(`No incident ${reference}: nothing was ${what}.`));
      return effect('ignored');
    }
    try {
      const changed = await run(incident, as);
      if (confirm) await this.replies.ephemeral(who, textReply(`${changed.number} ${what}.`));
      return effect(what, changed);
    } catch (e) {
      const refusal = refusalOf(e, what);
      if (refusal === null) throw e;
      await this.replies.ephemeral(who, textReply(`${incident.number}: ${refusal}`));
      return effect('refused', incident);
    }
  }
}

/** Lists read on nobody's behalf (`me` is not used): every role reads every incident. */
const ANONYMOUS = { principal: null, ip: null, userAgent: null, requestId: null } as const;
