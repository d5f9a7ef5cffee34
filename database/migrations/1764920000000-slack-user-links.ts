import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack users' emails as users.info last told us (slack/slack-users.ts): a cache with an expiry,
 * so a burst of clicks costs one users.info call per person, not one each. Only Slack's side is
 * cached: the product user behind the email (role, disabled) is read on every action.
 */
export class SlackUserLinks1764920000000 implements MigrationInterface {
  name = 'SlackUserLinks1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_user_links (
        team_id text NOT NULL CHECK (length(team_id) BETWEEN 1 AND 64),
        slack_user_id text NOT NULL CHECK (length(slack_user_id) BETWEEN 1 AND 64),
        -- null: Slack gave no email (a bot, or the users:read.email scope is missing)
        email text CHECK (length(email) BETWEEN 1 AND 320),
        fetched_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, slack_user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE slack_user_links`);
  }
}
