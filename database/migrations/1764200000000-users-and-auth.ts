import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People, their sessions and refresh-token families, API keys, SSO identities, and the per-email
 * login failure counters behind lock-out. Secrets are never stored in the clear: refresh tokens
 * and API keys as SHA-256 digests, passwords as argon2id, provider tokens AES-256-GCM encrypted.
 */
export class UsersAndAuth1764200000000 implements MigrationInterface {
  name = 'UsersAndAuth1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email citext NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'responder', 'viewer')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        password_hash text,
        must_change_password boolean NOT NULL DEFAULT false,
        password_changed_at timestamptz,
        last_login_at timestamptz,
        -- Sessions started before this are dead: an admin's reset or disable ends them all at once.
        sessions_valid_after timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT users_email_key UNIQUE (email)
      )`);
    // Partial, case-insensitive search in the admin list ("ali" finds Alice and alice@x).
    await q.query(`CREATE INDEX users_name_trgm ON users USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX users_email_trgm ON users USING gin ((email::text) gin_trgm_ops)`);
    await q.query(
      `CREATE INDEX users_active_admins ON users (id) WHERE role = 'admin' AND status = 'active'`,
    );

    await q.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        method text NOT NULL CHECK (method IN ('password', 'sso')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text,
        ip inet,
        user_agent text
      )`);
    await q.query(`CREATE INDEX auth_sessions_user ON auth_sessions (user_id) WHERE revoked_at IS NULL`);

    // One row per refresh token ever issued; a session's rows form its rotation family.
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
        secret_hash bytea NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        consumed_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id)`);

    // Keyed by the email typed, known or not, so lock-out never reveals whether an account exists.
    await q.query(`
      CREATE TABLE login_failures (
        email citext PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0,
        last_failure_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz
      )`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        secret_hash bytea NOT NULL,
        scopes text[] NOT NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
      )`);

    await q.query(`
      CREATE TABLE federated_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        email citext,
        access_token_encrypted text,
        refresh_token_encrypted text,
        token_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT federated_identities_provider_subject_key UNIQUE (provider, subject)
      )`);
    await q.query(`CREATE INDEX federated_identities_user ON federated_identities (user_id)`);

    // The server half of an SSO round trip: single use, short-lived, PKCE verifier encrypted.
    await q.query(`
      CREATE TABLE sso_login_states (
        state_hash bytea PRIMARY KEY,
        provider text NOT NULL,
        code_verifier_encrypted text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sso_login_states');
    await q.query('DROP TABLE federated_identities');
    await q.query('DROP TABLE api_keys');
    await q.query('DROP TABLE login_failures');
    await q.query('DROP TABLE refresh_tokens');
    await q.query('DROP TABLE auth_sessions');
    await q.query('DROP TABLE users');
  }
}
