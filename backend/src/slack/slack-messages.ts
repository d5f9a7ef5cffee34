import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { RouteTarget, ThreadSettings } from './slack-routing';

/** An incident's card in one channel (slack_messages). */
export interface SlackCardRow {
  readonly incidentId: string;
  readonly channelId: string;
  readonly teamId: string | null;
  /** null until chat.postMessage answered. */
  readonly ts: string | null;
  /** A post was started at this time and its answer never recorded (see docs/slack.md). */
  readonly postingAt: Date | null;
  readonly ruleId: string | null;
  readonly internal: boolean;
  readonly thread: ThreadSettings;
  readonly renderedVersion: number | null;
  readonly final: boolean;
  readonly updates: number;
  readonly lastError: string | null;
}

interface CardSqlRow {
  incident_id: string;
  channel_id: string;
  team_id: string | null;
  ts: string | null;
  posting_at: Date | null;
  rule_id: string | null;
  internal: boolean;
  thread_comments: boolean;
  thread_work_notes: boolean;
  thread_state_changes: boolean;
  rendered_version: number | null;
  final: boolean;
  updates: number;
  last_error: string | null;
}

const CARD_COLUMNS = `incident_id, channel_id, team_id, ts, posting_at, rule_id, internal, thread_comments,
  thread_work_notes, thread_state_changes, rendered_version, final, updates, last_error`;

function cardOf(r: CardSqlRow): SlackCardRow {
  return {
    incidentId: r.incident_id,
    channelId: r.channel_id,
    teamId: r.team_id,
    ts: r.ts,
    postingAt: r.posting_at,
    ruleId: r.rule_id,
    internal: r.internal,
    thread: {
      comments: r.thread_comments,
      workNotes: r.thread_work_notes,
      stateChanges: r.thread_state_changes,
    },
    renderedVersion: r.rendered_version,
    final: r.final,
    updates: r.updates,
    lastError: r.last_error,
  };
}

/** The longest error text kept on a card row. */
const MAX_ERROR_LENGTH = 2000;

/** When the next message may go to a channel: the slot claimed, and how long until it. */
export interface PacingSlot {
  /** Slack's Retry-After holds the channel until then: do not send, come back. */
  readonly heldUntil: Date | null;
  /** Milliseconds to wait before sending (0: now). */
  readonly waitMs: number;
}

/**
 * Storage of the Slack notifications: the cards (slack_messages), thread replies
 * (slack_thread_replies) and the per-channel pacing (slack_channel_pacing). SQL only; the
 * decisions are SlackNotifier's.
 */
@Injectable()
export class SlackMessages {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  /**
   * Serialises the work on one incident's card in one channel (post, update, replies) across
   * jobs, workers and instances, until `m`'s transaction ends.
   */
  async lockCard(m: EntityManager, incidentId: string, channelId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`slack-card:${incidentId}:${channelId}`]);
  }

  async card(m: EntityManager, incidentId: string, channelId: string): Promise<SlackCardRow | null> {
    const [row] = await m.query<CardSqlRow[]>(
      `SELECT ${CARD_COLUMNS} FROM slack_messages WHERE incident_id = $1 AND channel_id = $2`,
      [incidentId, channelId],
    );
    return row ? cardOf(row) : null;
  }

  async cardsOf(incidentId: string, m: EntityManager = this.dataSource.manager): Promise<SlackCardRow[]> {
    const rows = await m.query<CardSqlRow[]>(
      `SELECT ${CARD_COLUMNS} FROM slack_messages WHERE incident_id = $1 ORDER BY created_at, channel_id`,
      [incidentId],
    );
    return rows.map(cardOf);
  }

  /**
   * Records that a post is starting, committed at once (outside the card's transaction): should
   * the process die after Slack took the message and before its ts is stored, the next attempt
   * sees this and knows a card may already be in the channel.
   */
  async markPosting(target: RouteTarget, incidentId: string, teamId: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO slack_messages (incident_id, channel_id, team_id, posting_at, rule_id, internal, thread_comments,
                                   thread_work_notes, thread_state_changes)
       VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8)
       ON CONFLICT (incident_id, channel_id)
       DO UPDATE SET posting_at = now(), team_id = excluded.team_id, updated_at = now()`,
      [
        incidentId,
        target.channelId,
        teamId,
        target.ruleId,
        target.internal,
        target.thread.comments,
        target.thread.workNotes,
        target.thread.stateChanges,
      ],
    );
  }

  /** Slack refused the post (so nothing was posted): no longer in doubt. */
  async postRefused(incidentId: string, channelId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE slack_messages SET posting_at = NULL, last_error = $3, last_error_at = now(), updated_at = now()
        WHERE incident_id = $1 AND channel_id = $2 AND ts IS NULL`,
      [incidentId, channelId, error.slice(0, MAX_ERROR_LENGTH)],
    );
  }

  async posted(
    incidentId: string,
    channelId: string,
    ts: string,
    version: number,
    final: boolean,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE slack_messages
          SET ts = $3, posting_at = NULL, rendered_version = $4, final = $5, last_error = NULL, last_error_at = NULL,
              updated_at = now()
        WHERE incident_id = $1 AND channel_id = $2`,
      [incidentId, channelId, ts, version, final],
    );
  }

  async updated(m: EntityManager, incidentId: string, channelId: string, version: number, final: boolean) {
    await m.query(
      `UPDATE slack_messages
          SET rendered_version = $3, final = $4, updates = updates + 1, last_error = NULL, last_error_at = NULL,
              updated_at = now()
        WHERE incident_id = $1 AND channel_id = $2`,
      [incidentId, channelId, version, final],
    );
  }

  /** What the card's last attempt failed with (shown on the Integrations page and the card row). */
  async failed(incidentId: string, channelId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE slack_messages SET last_error = $3, last_error_at = now(), updated_at = now()
        WHERE incident_id = $1 AND channel_id = $2`,
      [incidentId, channelId, error.slice(0, MAX_ERROR_LENGTH)],
    );
  }

  /** The ts of the reply to `eventId` in this card's thread, if one was posted; and whether one was started. */
  async reply(
    m: EntityManager,
    incidentId: string,
    channelId: string,
    eventId: string,
  ): Promise<{ ts: string | null; postingAt: Date } | null> {
    const [row] = await m.query<{ ts: string | null; posting_at: Date }[]>(
      `SELECT ts, posting_at FROM slack_thread_replies WHERE incident_id = $1 AND channel_id = $2 AND event_id = $3`,
      [incidentId, channelId, eventId],
    );
    return row ? { ts: row.ts, postingAt: row.posting_at } : null;
  }

  /** As markPosting, for a thread reply (committed at once). */
  async markReplying(incidentId: string, channelId: string, eventId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO slack_thread_replies (incident_id, channel_id, event_id) VALUES ($1, $2, $3)
       ON CONFLICT (incident_id, channel_id, event_id) DO UPDATE SET posting_at = now()`,
      [incidentId, channelId, eventId],
    );
  }

  async replyRefused(incidentId: string, channelId: string, eventId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM slack_thread_replies WHERE incident_id = $1 AND channel_id = $2 AND event_id = $3 AND ts IS NULL`,
      [incidentId, channelId, eventId],
    );
  }

  async replied(incidentId: string, channelId: string, eventId: string, ts: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE slack_thread_replies SET ts = $4 WHERE incident_id = $1 AND channel_id = $2 AND event_id = $3`,
      [incidentId, channelId, eventId, ts],
    );
  }

  /**
   * Claims the channel's next send slot, shared by every instance: `intervalMs` after the last one
   * claimed (or now). A channel held by a 429 is not claimed: `heldUntil` says until when.
   */
  async claimSlot(channelId: string, intervalMs: number): Promise<PacingSlot> {
    const [held] = await this.dataSource.query<{ held_until: Date }[]>(
      `SELECT held_until FROM slack_channel_pacing WHERE channel_id = $1 AND held_until > now()`,
      [channelId],
    );
    if (held) return { heldUntil: held.held_until, waitMs: 0 };
    const [slot] = await this.dataSource.query<{ wait_ms: number }[]>(
      `INSERT INTO slack_channel_pacing AS p (channel_id, next_send_at)
       VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (channel_id) DO UPDATE
         SET next_send_at = greatest(p.next_send_at, now()) + $2 * interval '1 millisecond'
       RETURNING greatest(0, extract(epoch FROM (p.next_send_at - $2 * interval '1 millisecond' - now())) * 1000)::int
                 AS wait_ms`,
      [channelId, intervalMs],
    );
    return { heldUntil: null, waitMs: slot?.wait_ms ?? 0 };
  }

  /** A 429: no message goes to the channel, from any instance, for `retryAfterSeconds`. */
  async hold(channelId: string, retryAfterSeconds: number): Promise<Date> {
    const [row] = await this.dataSource.query<{ held_until: Date }[]>(
      `INSERT INTO slack_channel_pacing AS p (channel_id, next_send_at, held_until)
       VALUES ($1, now() + $2 * interval '1 second', now() + $2 * interval '1 second')
       ON CONFLICT (channel_id) DO UPDATE
         SET held_until = greatest(p.held_until, excluded.held_until),
             next_send_at = greatest(p.next_send_at, excluded.next_send_at)
       RETURNING held_until`,
      [channelId, retryAfterSeconds],
    );
    return row!.held_until;
  }
}
