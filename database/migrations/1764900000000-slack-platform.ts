import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack workspaces installed through the OAuth v2 flow (docs/slack.md, "Install"): one row per
 * workspace, the bot token and (under token rotation) the refresh token as SecretBox tokens
 * (AES-256-GCM) bound to their row and column; the single-use `state` values of installs in
 * flight (only their SHA-256 is stored); and one row per Web API call, so the Integrations page
 * shows the same counts and errors whichever instance of the app answers it.
 */
export class SlackPlatform1764900000000 implements MigrationInterface {
  name = 'SlackPlatform1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_installations (
        team_id text PRIMARY KEY,
        team_name text,
        enterprise_id text,
        app_id text,
        bot_user_id text,
        bot_id text,
        scopes text[] NOT NULL DEFAULT '{}',
        -- SecretBox tokens, bound to this row and column (associated data).
        bot_token text NOT NULL,
        refresh_token text,
        -- NULL: the token does not expire (token rotation off).
        token_expires_at timestamptz,
        installed_by uuid REFERENCES users (id) ON DELETE SET NULL,
        installed_by_label text,
        installed_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE slack_oauth_states (
        -- hex SHA-256 of the state: a leaked table row cannot complete an install.
        state_hash text PRIMARY KEY,
        -- The admin who started the install: the callback is public, so it learns who from here.
        created_by uuid REFERENCES users (id) ON DELETE CASCADE,
        created_by_label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE slack_calls (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        -- NULL: before the workspace was known (oauth.v2.access of an install, the first auth.test).
        team_id text,
        method text NOT NULL,
        ok boolean NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        -- Slack's error code (invalid_blocks, ratelimited, …), http_<status>, or ours (timeout, network).
        error text
      )`);
    // Rows arrive in time order: BRIN is tiny and enough for the retention sweep and time windows.
    await q.query(`CREATE INDEX slack_calls_at ON slack_calls USING brin (at)`);
    await q.query(`CREATE INDEX slack_calls_errors ON slack_calls (at DESC) WHERE NOT ok`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE slack_calls`);
    await q.query(`DROP TABLE slack_oauth_states`);
    await q.query(`DROP TABLE slack_installations`);
  }
}
