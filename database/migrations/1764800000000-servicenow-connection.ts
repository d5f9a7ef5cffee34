import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ServiceNow connection (docs/servicenow.md, "Connection"): one row, settings plus the OAuth
 * tokens every instance of the app shares, secrets as SecretBox tokens (AES-256-GCM); and one row
 * per HTTP call to the instance, so the Integrations page shows the same latency and error figures
 * whichever instance answers it. Call rows are kept SERVICENOW_CALL_RETENTION_DAYS.
 */
export class ServiceNowConnection1764800000000 implements MigrationInterface {
  name = 'ServiceNowConnection1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE servicenow_connection (
        -- A singleton: the app talks to one instance.
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        -- Console-managed settings; NULL instance_url: not configured (or set by the environment).
        instance_url text,
        grant_type text NOT NULL DEFAULT 'password' CHECK (grant_type IN ('password', 'client_credentials')),
        client_id text,
        username text,
        -- SecretBox tokens, bound to this row and column (associated data).
        client_secret text,
        password text,
        webhook_secret text,
        default_assignment_group text,
        -- Our values → ServiceNow's; NULL: the defaults in servicenow-mapping.ts.
        mapping jsonb,
        enabled boolean NOT NULL DEFAULT true,
        -- OAuth tokens, shared by every instance of the app (SecretBox tokens too).
        access_token text,
        access_token_obtained_at timestamptz,
        access_token_expires_at timestamptz,
        refresh_token text,
        refresh_token_expires_at timestamptz,
        -- Which settings the tokens were obtained with: a change of instance, client or user drops them.
        token_owner text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
        updated_by_label text
      )`);
    await q.query(`INSERT INTO servicenow_connection (id) VALUES (1)`);

    await q.query(`
      CREATE TABLE servicenow_calls (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        -- token, incident.list, incident.get, incident.create, incident.update, journal.list, choice.list
        operation text NOT NULL,
        -- The instance's HTTP status; NULL: no answer (timeout, network, circuit open).
        status integer,
        ok boolean NOT NULL,
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        error text
      )`);
    // Rows arrive in time order: BRIN is tiny and enough for the retention sweep and time windows.
    await q.query(`CREATE INDEX servicenow_calls_at ON servicenow_calls USING brin (at)`);
    await q.query(`CREATE INDEX servicenow_calls_errors ON servicenow_calls (at DESC) WHERE NOT ok`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE servicenow_calls`);
    await q.query(`DROP TABLE servicenow_connection`);
  }
}
