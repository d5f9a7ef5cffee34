// The baseline: what POST /api/events must do at the least, on Node's own http server with `pg`
// and no framework. Verifies the same signature over the raw bytes (same headers, same 300 s
// window, constant-time compare), parses the JSON, finds the source by routing_key, and stores the
// raw body under a unique (scope, idempotency key) with ON CONFLICT DO NOTHING, answering a
// duplicate with the first receipt's id: one statement, one round trip. It does not queue a job,
// validate the PagerDuty fields or log; those are what the app adds.
//
// NOTIFY=1 makes it a diagnostic variant, not the baseline: the same statement also calls
// pg_notify, as graphile-worker's add_job does for every job it adds (PostgreSQL serialises the
// commits of notifying transactions on one lock, so this shows what that costs by itself).
//
// Started by run.mjs (fork): DATABASE_URL, PORT, ROUTING_KEY, SIGNING_SECRET, SCOPE, POOL_SIZE,
// NOTIFY, APPLICATION_NAME.
import { createRequire } from 'node:module';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bodyDigestKey, SIGNATURE_HEADER, signatureValid, TIMESTAMP_HEADER } from './shared.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pg = createRequire(join(root, 'backend/package.json'))('pg');

export const BARE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS bench_bare_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    scope text NOT NULL,
    idempotency_key text NOT NULL,
    dedup_key text,
    raw_body bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bench_bare_events_idempotency UNIQUE (scope, idempotency_key)
  )`;

const RECEIVE_SQL = `
  WITH ins AS (
    INSERT INTO bench_bare_events (scope, idempotency_key, dedup_key, raw_body) VALUES ($1, $2, $3, $4)
    ON CONFLICT (scope, idempotency_key) DO NOTHING
    RETURNING id, dedup_key)
  SELECT id, dedup_key, false AS duplicate FROM ins
  /*NOTIFY*/
  UNION ALL
  SELECT id, dedup_key, true FROM bench_bare_events
   WHERE scope = $1 AND idempotency_key = $2 AND NOT EXISTS (SELECT 1 FROM ins)`;

/** The producers' endpoint and ServiceNow's webhook: the same work, each with its own body shape. */
const ROUTES = { '/api/events': 'events', '/api/webhooks/servicenow': 'servicenow' };

function problem(res, status, code) {
  res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status, code }));
}

function main() {
  const routingKey = process.env.ROUTING_KEY;
  const secret = process.env.SIGNING_SECRET;
  const scope = process.env.SCOPE ?? 'bare';
  const notify = process.env.NOTIFY === '1';
  const sql = notify
    ? RECEIVE_SQL.replace('/*NOTIFY*/', `WHERE pg_notify('bench_bare', '{"count":1}') IS NOT NULL`)
    : RECEIVE_SQL;
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.POOL_SIZE ?? 10),
    application_name: process.env.APPLICATION_NAME ?? 'bench-bare-handler',
  });

  const store = (res, idempotencyKey, dedupKey, raw) =>
    pool
      .query({ name: 'bare_receive', text: sql, values: [scope, idempotencyKey, dedupKey, raw] })
      .then(({ rows: [row] }) => {
        res.writeHead(202, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'success',
            message: 'Event processed',
            dedup_key: row.dedup_key,
            event_id: row.id,
            ...(row.duplicate ? { duplicate: true } : {}),
          }),
        );
      })
      .catch(() => problem(res, 503, 'DATABASE_UNAVAILABLE'));

  const server = http.createServer((req, res) => {
    const route = req.method === 'POST' ? ROUTES[req.url] : undefined;
    if (!route) {
      problem(res, 404, 'NOT_FOUND');
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let event;
      try {
        event = JSON.parse(raw.toString('utf8'));
      } catch {
        problem(res, 400, 'VALIDATION_FAILED');
        return;
      }
      if (typeof event !== 'object' || event === null) {
        problem(res, 400, 'VALIDATION_FAILED');
        return;
      }
      if (route === 'events' && event.routing_key !== routingKey) {
        problem(res, 401, 'EVENTS_SOURCE_UNKNOWN');
        return;
      }
      if (
        route === 'servicenow' &&
        (typeof event.event_id !== 'string' || typeof event.record?.sys_id !== 'string')
      ) {
        problem(res, 400, 'VALIDATION_FAILED');
        return;
      }
      if (!signatureValid(secret, req.headers[TIMESTAMP_HEADER], req.headers[SIGNATURE_HEADER], raw)) {
        problem(res, 401, 'SIGNATURE_INVALID');
        return;
      }
      if (route === 'servicenow') store(res, `event:${event.event_id}`, event.record.sys_id, raw);
      else store(res, bodyDigestKey(raw), typeof event.dedup_key === 'string' ? event.dedup_key : null, raw);
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
