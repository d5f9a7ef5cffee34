import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { IncidentSource } from '../incidents/incident-state';
import type { CreateSlackRoutingRuleDto, UpdateSlackRoutingRuleDto } from './dto/slack-routing-rule.dto';
import type { SlackRoutingRuleListView, SlackRoutingRuleView } from './dto/slack-routing-rule.view';
import { SlackNotifyError, SlackNotifyErrorCode } from './slack-notify.errors';
import type { RoutingRule } from './slack-routing';

interface RuleRow {
  id: string;
  name: string;
  channel_id: string;
  priorities: number[];
  categories: string[];
  sources: IncidentSource[];
  internal: boolean;
  thread_comments: boolean;
  thread_work_notes: boolean;
  thread_state_changes: boolean;
  enabled: boolean;
  position: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT_RULES = `
  SELECT id, name, channel_id, priorities::int[] AS priorities, categories, sources, internal, thread_comments,
         thread_work_notes, thread_state_changes, enabled, position, created_at, updated_at
    FROM slack_routing_rules`;

const ORDER = `ORDER BY position, created_at, id`;

function viewOf(r: RuleRow): SlackRoutingRuleView {
  return {
    id: r.id,
    name: r.name,
    channelId: r.channel_id,
    priorities: r.priorities,
    categories: r.categories,
    sources: r.sources,
    internal: r.internal,
    threadComments: r.thread_comments,
    threadWorkNotes: r.thread_work_notes,
    threadStateChanges: r.thread_state_changes,
    enabled: r.enabled,
    position: r.position,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function ruleOf(r: RuleRow): RoutingRule {
  return {
    id: r.id,
    name: r.name,
    channelId: r.channel_id,
    priorities: r.priorities,
    categories: r.categories,
    sources: r.sources,
    internal: r.internal,
    thread: {
      comments: r.thread_comments,
      workNotes: r.thread_work_notes,
      stateChanges: r.thread_state_changes,
    },
    enabled: r.enabled,
    position: r.position,
  };
}

/** An audit row's picture of a rule (its times left out: they say nothing an admin changed). */
function auditable(v: SlackRoutingRuleView): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...v };
  delete rest['createdAt'];
  delete rest['updatedAt'];
  return rest;
}

/**
 * The Slack routing rules (docs/slack.md, "Notifications"): admins edit them through
 * `/api/integrations/slack/routes`, every change audited (`integration.updated`) in its
 * transaction; SlackNotifier reads them for every card it posts.
 */
@Injectable()
export class SlackRoutingRules {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** SLACK_DEFAULT_CHANNEL: the card's channel when no rule matches. */
  get defaultChannel(): string | null {
    return this.config.slack.defaultChannel;
  }

  /** Every rule, in order, for the router. */
  async rules(): Promise<RoutingRule[]> {
    const rows = await this.dataSource.query<RuleRow[]>(`${SELECT_RULES} ${ORDER}`);
    return rows.map(ruleOf);
  }

  async list(): Promise<SlackRoutingRuleListView> {
    const rows = await this.dataSource.query<RuleRow[]>(`${SELECT_RULES} ${ORDER}`);
    return { items: rows.map(viewOf), defaultChannel: this.defaultChannel };
  }

  async get(id: string, m: EntityManager = this.dataSource.manager): Promise<SlackRoutingRuleView> {
    const [row] = await m.query<RuleRow[]>(`${SELECT_RULES} WHERE id = $1`, [id]);
    if (!row)
      throw new SlackNotifyError(SlackNotifyErrorCode.RouteNotFound, `No Slack routing rule with id ${id}`);
    return viewOf(row);
  }

  async create(dto: CreateSlackRoutingRuleDto, actor: RequestActor): Promise<SlackRoutingRuleView> {
    const internal = dto.internal ?? false;
    const workNotes = dto.threadWorkNotes ?? false;
    this.assertWorkNotes(internal, workNotes);
    return this.uow.run(async (m) => {
      // Appended last; the lock keeps two concurrent creates from taking one position.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('slack-routing-rules'))`);
      const [row] = await m.query<{ id: string }[]>(
        `INSERT INTO slack_routing_rules
           (name, channel_id, priorities, categories, sources, internal, thread_comments, thread_work_notes,
            thread_state_changes, enabled, position)
         VALUES ($1, $2, $3::smallint[], $4::text[], $5::text[], $6, $7, $8, $9, $10,
                 (SELECT coalesce(max(position) + 1, 0) FROM slack_routing_rules))
         RETURNING id`,
        [
          dto.name,
          dto.channelId,
          dto.priorities ?? [],
          dto.categories ?? [],
          dto.sources ?? [],
          internal,
          dto.threadComments ?? true,
          workNotes,
          dto.threadStateChanges ?? true,
          dto.enabled ?? true,
        ],
      );
      const created = await this.get(row!.id, m);
      await this.record(m, actor, created, null, auditable(created), 'created');
      return created;
    });
  }

  async update(
    id: string,
    dto: UpdateSlackRoutingRuleDto,
    actor: RequestActor,
  ): Promise<SlackRoutingRuleView> {
    return this.uow.run(async (m) => {
      await m.query(`SELECT 1 FROM slack_routing_rules WHERE id = $1 FOR UPDATE`, [id]);
      const before = await this.get(id, m);
      const next = {
        name: dto.name ?? before.name,
        channelId: dto.channelId ?? before.channelId,
        priorities: dto.priorities ?? before.priorities,
        categories: dto.categories ?? before.categories,
        sources: dto.sources ?? before.sources,
        internal: dto.internal ?? before.internal,
        threadComments: dto.threadComments ?? before.threadComments,
        // Unmarking a channel internal stops its work notes, unless the request asks for both (refused).
        threadWorkNotes: dto.threadWorkNotes ?? (dto.internal === false ? false : before.threadWorkNotes),
        threadStateChanges: dto.threadStateChanges ?? before.threadStateChanges,
        enabled: dto.enabled ?? before.enabled,
      };
      this.assertWorkNotes(next.internal, next.threadWorkNotes);
      await m.query(
        `UPDATE slack_routing_rules
            SET name = $2, channel_id = $3, priorities = $4::smallint[], categories = $5::text[], sources = $6::text[],
                internal = $7, thread_comments = $8, thread_work_notes = $9, thread_state_changes = $10, enabled = $11,
                updated_at = now()
          WHERE id = $1`,
        [
          id,
          next.name,
          next.channelId,
          next.priorities,
          next.categories,
          next.sources,
          next.internal,
          next.threadComments,
          next.threadWorkNotes,
          next.threadStateChanges,
          next.enabled,
        ],
      );
      const after = await this.get(id, m);
      await this.record(m, actor, after, auditable(before), auditable(after), 'updated');
      return after;
    });
  }

  async remove(id: string, actor: RequestActor): Promise<void> {
    await this.uow.run(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('slack-routing-rules'))`);
      const before = await this.get(id, m);
      await m.query(`DELETE FROM slack_routing_rules WHERE id = $1`, [id]);
      // Positions stay 0…n-1, so the console's order is the stored one.
      await m.query(`
        UPDATE slack_routing_rules r SET position = o.n - 1
          FROM (SELECT id, row_number() OVER (ORDER BY position, created_at, id) AS n FROM slack_routing_rules) o
         WHERE r.id = o.id AND r.position <> o.n - 1`);
      await this.record(m, actor, before, auditable(before), null, 'deleted');
    });
  }

  /** The rules in the order of `ids`, which must name every rule once. */
  async reorder(ids: readonly string[], actor: RequestActor): Promise<SlackRoutingRuleListView> {
    await this.uow.run(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('slack-routing-rules'))`);
      const current = await m.query<{ id: string }[]>(`SELECT id FROM slack_routing_rules ${ORDER}`);
      const known = new Set(current.map((r) => r.id));
      if (ids.length !== known.size || !ids.every((id) => known.has(id))) {
        throw new SlackNotifyError(
          SlackNotifyErrorCode.RouteOrderMismatch,
          `The order must name each of the ${known.size} rules exactly once (reload and try again)`,
          { expected: current.map((r) => r.id) },
        );
      }
      await m.query(
        `UPDATE slack_routing_rules r SET position = o.n - 1, updated_at = now()
           FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n)
          WHERE r.id = o.id AND r.position <> o.n - 1`,
        [ids],
      );
      await this.audit.record(
        {
          action: 'integration.updated',
          context: actor,
          target: { type: 'integration', id: 'slack', label: 'Slack routing rules' },
          before: { order: current.map((r) => r.id) },
          after: { order: [...ids] },
          details: { integration: 'slack', change: 'routes_reordered' },
        },
        m,
      );
    });
    return this.list();
  }

  private assertWorkNotes(internal: boolean, workNotes: boolean): void {
    if (workNotes && !internal) {
      throw new SlackNotifyError(
        SlackNotifyErrorCode.RouteWorkNotesNeedInternal,
        'Work notes go only to channels marked internal: set internal, or leave threadWorkNotes off',
      );
    }
  }

  private record(
    m: EntityManager,
    actor: RequestActor,
    rule: SlackRoutingRuleView,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    change: 'created' | 'updated' | 'deleted',
  ): Promise<void> {
    return this.audit.record(
      {
        action: 'integration.updated',
        context: actor,
        target: { type: 'slack_route', id: rule.id, label: rule.name },
        before,
        after,
        details: { integration: 'slack', change: `route_${change}` },
      },
      m,
    );
  }
}
