import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every listening app instance when a user's or a session's access may have changed, so
 * long-lived connections (the /live socket) re-check it at once. Triggers, not application code:
 * whatever path revokes a session or changes a user (logout, refresh-token reuse, password
 * change, admin disable/reset/delete/role change, a manual UPDATE), the signal is sent, on
 * commit only. Payload: `{"user": "<id>"}`, plus `"session"` for a session row; a TRUNCATE says
 * `{"all": true}`. PostgreSQL folds identical payloads of one transaction into one notification.
 */
export class AuthAccessNotifications1764400000000 implements MigrationInterface {
  name = 'AuthAccessNotifications1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_auth_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed record;
      BEGIN
        IF TG_LEVEL = 'STATEMENT' THEN
          PERFORM pg_notify('auth_access_changed', '{"all":true}');
          RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
        IF TG_TABLE_NAME = 'users' THEN
          PERFORM pg_notify('auth_access_changed', json_build_object('user', changed.id)::text);
        ELSE
          PERFORM pg_notify('auth_access_changed',
            json_build_object('user', changed.user_id, 'session', changed.id)::text);
        END IF;
        RETURN NULL;
      END $$`);
    // Only what decides access: not last_login_at, name or updated_at, which change all the time.
    await q.query(`
      CREATE TRIGGER users_access_changed
        AFTER UPDATE OF status, role, must_change_password, sessions_valid_after ON users
        FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status
           OR OLD.role IS DISTINCT FROM NEW.role
           OR OLD.must_change_password IS DISTINCT FROM NEW.must_change_password
           OR OLD.sessions_valid_after IS DISTINCT FROM NEW.sessions_valid_after)
        EXECUTE FUNCTION notify_auth_access_changed()`);
    await q.query(`
      CREATE TRIGGER users_access_removed AFTER DELETE ON users
        FOR EACH ROW EXECUTE FUNCTION notify_auth_access_changed()`);
    // Not last_used_at: every refresh writes it.
    await q.query(`
      CREATE TRIGGER auth_sessions_access_changed
        AFTER UPDATE OF revoked_at, expires_at, user_id ON auth_sessions
        FOR EACH ROW
        WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
           OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
           OR OLD.user_id IS DISTINCT FROM NEW.user_id)
        EXECUTE FUNCTION notify_auth_access_changed()`);
    await q.query(`
      CREATE TRIGGER auth_sessions_access_removed AFTER DELETE ON auth_sessions
        FOR EACH ROW EXECUTE FUNCTION notify_auth_access_changed()`);
    for (const table of ['users', 'auth_sessions']) {
      await q.query(`
        CREATE TRIGGER ${table}_access_truncated AFTER TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_access_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['users', 'auth_sessions']) {
      await q.query(`DROP TRIGGER ${table}_access_truncated ON ${table}`);
    }
    await q.query('DROP TRIGGER auth_sessions_access_removed ON auth_sessions');
    await q.query('DROP TRIGGER auth_sessions_access_changed ON auth_sessions');
    await q.query('DROP TRIGGER users_access_removed ON users');
    await q.query('DROP TRIGGER users_access_changed ON users');
    await q.query('DROP FUNCTION notify_auth_access_changed()');
  }
}
