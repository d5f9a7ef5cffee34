import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack notifications (docs/slack.md, "Notifications"):
 * - `slack_routing_rules`: which channels an incident's card goes to (by priority, category,
 *   source; an empty list matches any), and what its thread gets. Every enabled rule that matches
 *   posts a card (fan-out); SLACK_DEFAULT_CHANNEL when none does.
 * - `slack_messages`: the one card per incident and channel (the primary key), its `ts` once
 *   posted, and the last version of the incident it shows.
 * - `slack_thread_replies`: one row per thread reply (a comment, a work note, a state change), so a
 *   retried delivery never replies twice.
 * - `slack_channel_pacing`: when the next message may go to a channel, shared by every instance
 *   (about one a second; a 429's Retry-After holds the channel that long).
 */
export class SlackNotifications1764910000000 implements MigrationInterface {
  name = 'SlackNotifications1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_routing_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        channel_id text NOT NULL CHECK (channel_id ~ '^[CGD][A-Z0-9]{2,}$'),
        -- Empty: any.
        priorities smallint[] NOT NULL DEFAULT '{}' CHECK (priorities <@ '{1,2,3,4,5}'::smallint[]),
        categories text[] NOT NULL DEFAULT '{}',
        sources text[] NOT NULL DEFAULT '{}',
        -- A channel of the people working incidents only: work notes may go there.
        internal boolean NOT NULL DEFAULT false,
        thread_comments boolean NOT NULL DEFAULT true,
        thread_work_notes boolean NOT NULL DEFAULT false,
        thread_state_changes boolean NOT NULL DEFAULT true,
        enabled boolean NOT NULL DEFAULT true,
        position integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT slack_routing_rules_work_notes_internal CHECK (NOT thread_work_notes OR internal)
      )`);
    await q.query(`CREATE INDEX slack_routing_rules_position ON slack_routing_rules (position, created_at)`);

    await q.query(`
      CREATE TABLE slack_messages (
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        channel_id text NOT NULL,
        team_id text,
        -- NULL until chat.postMessage answered (posting_at says when a post was started).
        ts text,
        posting_at timestamptz,
        -- What the thread gets, from the rule that routed the card here (or the default's).
        rule_id uuid REFERENCES slack_routing_rules (id) ON DELETE SET NULL,
        internal boolean NOT NULL DEFAULT false,
        thread_comments boolean NOT NULL DEFAULT true,
        thread_work_notes boolean NOT NULL DEFAULT false,
        thread_state_changes boolean NOT NULL DEFAULT true,
        -- The incident version the card shows (chat.postMessage or the last chat.update).
        rendered_version integer,
        -- The buttons are gone (resolved, closed, canceled).
        final boolean NOT NULL DEFAULT false,
        updates integer NOT NULL DEFAULT 0,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, channel_id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX slack_messages_ts ON slack_messages (channel_id, ts) WHERE ts IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE slack_thread_replies (
        incident_id uuid NOT NULL,
        channel_id text NOT NULL,
        -- The outbox event replied to.
        event_id uuid NOT NULL,
        ts text,
        posting_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, channel_id, event_id),
        FOREIGN KEY (incident_id, channel_id) REFERENCES slack_messages (incident_id, channel_id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE slack_channel_pacing (
        channel_id text PRIMARY KEY,
        next_send_at timestamptz NOT NULL,
        -- Set by a 429: Slack's Retry-After holds the channel until then.
        held_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE slack_channel_pacing`);
    await q.query(`DROP TABLE slack_thread_replies`);
    await q.query(`DROP TABLE slack_messages`);
    await q.query(`DROP TABLE slack_routing_rules`);
  }
}
