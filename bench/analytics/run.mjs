// Analytics endpoints at 1,000,000 incidents over a year: answered from the analytics tables and
// views vs the same aggregation computed live, both through the real HTTP API at 50 connections,
// and the duration of a refresh (incremental tables + CONCURRENTLY refreshed views) after a day's
// worth of incident changes, with reads running during it.
//
// Needs a PostgreSQL server (DATABASE_URL) and the built backend:
//
//   npm run build -w backend
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:analytics
//
// The bench creates `nx_bench_analytics` on that server (dropping a previous one), seeds it with
// SQL (INSERT … SELECT … generate_series), runs the full rebuild (analytics_rebuild, every zone of
// ANALYTICS_TIME_ZONES' default), copies it to `nx_bench_analytics_live`, and starts the backend on
// each:
//   - "views": the app as shipped, reading the incremental tables and the materialized views;
//   - "live": the same build on the copy, where the facts table is replaced by a plain VIEW over
//     incidents with the same milestone rules (analytics_incident_facts_now), the source slots and
//     each materialized view by plain VIEWs of their own definitions, and no zone is built, so
//     every answer is the app's own per-incident SQL computed from the incidents on each request.
// Then "a day's worth of changes" (1/365 of the rows opened, as many acknowledged and resolved),
// marked dirty as the app's `analytics` consumer does, and the refresh the app runs, timed.
//
//   BENCH_ROWS=1000000   incidents (over the 365 days before now)
//   BENCH_SECONDS=10     autocannon duration per endpoint and mode
//   BENCH_KEEP=1         keep the database afterwards
//   BENCH_REUSE=1        reuse a kept, seeded database (no re-seed)
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const backendRequire = createRequire(join(root, 'backend/package.json'));
const pg = backendRequire('pg');

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KEEP = process.env.BENCH_KEEP === '1';
const REUSE = process.env.BENCH_REUSE === '1';
const CONNECTIONS = 50;
const BATCH = 100_000;
const DB_NAME = 'nx_bench_analytics';
const LIVE_DB = 'nx_bench_analytics_live';
const ADMIN = { email: 'bench@nexecute.local', password: 'Bench passphrase for figures 9' };
const TARGETS = { ratio: 100, p95Ms: 10, refreshS: 5 };

if (!process.env.DATABASE_URL) {
  console.error('Set DATABASE_URL to a PostgreSQL server (the bench creates its own database there).');
  process.exit(1);
}
if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build -w backend` first.');
  process.exit(1);
}
// The refresh the app runs, from the build: the same views in the same order.
const { ANALYTICS_VIEWS, APPLY_CHANGES_SQL, REBUILD_SQL } = backendRequire(
  './dist/backend/src/analytics/analytics-refresh.sql.js',
);
const { DEFAULT_ANALYTICS_TIME_ZONES } = backendRequire('./dist/backend/src/config/app-config.js');
const ZONES = [...DEFAULT_ANALYTICS_TIME_ZONES];

/**
 * One year of incidents, oldest first. Priority from impact × urgency (the database derives it),
 * each priority's resolution target for the SLA due time; open incidents mostly among the recent
 * ones; 3 % canceled; acknowledgements after an exponential wait (mean 12 min), resolutions after
 * an exponential one (mean 60 % of the target, so about 19 % breach).
 */
const SEED_SQL = `
WITH r AS (
  SELECT g, random() AS r_state, random() AS r_src, random() AS r_who, random() AS r_grp,
         -ln(1 - random()) AS e_ack, -ln(1 - random()) AS e_fix,
         (1 + floor(random() * 3))::smallint AS impact, (1 + floor(random() * 3))::smallint AS urgency,
         (($4::int - g + random()) / $4::int) * 365 AS age_days
    FROM generate_series($1::int, $2::int) g
), s AS (
  SELECT r.*, $3::timestamptz - age_days * interval '1 day' AS opened_at,
         CASE impact + urgency WHEN 2 THEN 4 WHEN 3 THEN 8 WHEN 4 THEN 24 WHEN 5 THEN 72 ELSE 168 END AS sla_hours,
         CASE WHEN r_state < 0.9 * exp(-age_days / 3) + 0.005
                THEN CASE WHEN r_src < 0.4 THEN 'new' WHEN r_src < 0.8 THEN 'in_progress' ELSE 'on_hold' END
              WHEN r_state > 0.97 THEN 'canceled'
              WHEN age_days < 7 THEN 'resolved' ELSE 'closed' END AS state
    FROM r
), t AS (
  SELECT s.*,
         CASE WHEN state <> 'new' THEN least($3::timestamptz, opened_at + e_ack * interval '12 minutes') END AS acknowledged_at,
         CASE WHEN state IN ('resolved', 'closed')
              THEN least($3::timestamptz, opened_at + e_ack * interval '12 minutes' + e_fix * 0.6 * sla_hours * interval '1 hour') END AS resolved_at
    FROM s
)
INSERT INTO incidents (title, state, impact, urgency, source, assignee_id, assignment_group, opened_at,
                       acknowledged_at, resolved_at, closed_at, sla_due_at, close_code, close_notes,
                       alert_count, version, created_at, updated_at)
SELECT 'Bench incident ' || g, state, impact, urgency,
       CASE WHEN r_src < 0.30 THEN 'console' WHEN r_src < 0.45 THEN 'api' WHEN r_src < 0.70 THEN 'slack'
            WHEN r_src < 0.90 THEN 'servicenow' ELSE 'webhook' END,
       CASE WHEN state = 'new' AND r_who < 0.6 THEN NULL ELSE ($5::uuid[])[1 + floor(r_who * cardinality($5::uuid[]))::int] END,
       CASE WHEN r_grp < 0.05 THEN NULL ELSE 'Group ' || (1 + floor(r_grp * 20))::int END,
       opened_at, acknowledged_at, resolved_at,
       CASE WHEN state = 'closed' THEN least($3::timestamptz, resolved_at + interval '3 days') END,
       opened_at + sla_hours * interval '1 hour',
       CASE WHEN resolved_at IS NOT NULL THEN 'Solution provided' END,
       CASE WHEN resolved_at IS NOT NULL THEN 'Fixed' END,
       CASE WHEN r_src >= 0.90 THEN 1 + floor(e_fix * 3)::int ELSE 0 END,
       2, opened_at, coalesce(resolved_at, acknowledged_at, opened_at)
  FROM t`;

const secondsSince = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

function withDatabase(url, name, user) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  if (user) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function request(base, path, { method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

function percentiles(ms) {
  if (ms.length === 0) return { p50: NaN, p95: NaN, p99: NaN };
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** One client, requests in a row (at most `n`, or as many as fit in 10 s): latency without queueing. */
async function sequential(base, paths, headers, n = 20) {
  const ms = [];
  const started = performance.now();
  for (let i = 0; i < n && performance.now() - started < 10_000; i++) {
    const t0 = performance.now();
    const res = await fetch(base + paths[i % paths.length], { headers });
    await res.arrayBuffer();
    if (res.status === 200) ms.push(performance.now() - t0);
  }
  return { n: ms.length, ...percentiles(ms) };
}

/**
 * autocannon at 50 connections over `paths` in turn; exact percentiles of every response time, and
 * how many distinct requests were made (a path sent twice in one refresh is answered from the
 * app's per-refresh answers the second time).
 */
function load(base, paths, headers, seconds = SECONDS) {
  const times = [];
  let sent = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        headers,
        timeout: 60,
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[sent++ % paths.length] }) }],
      },
      (err, result) =>
        err
          ? reject(err)
          : resolve({ result, distinct: Math.min(sent, paths.length), ...percentiles(times) }),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status === 200) times.push(responseTime);
    });
  });
}

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * Distinct requests of one endpoint's kind: the same question over other ranges (shifted back day
 * by day, a little longer or shorter), other priorities and, for hours, other zones, so that no
 * two requests of a load share an answer while there are variants left. The backlog has only its
 * 6 priority filters.
 */
function variants(path, count = 20_000) {
  const url = new URL(path, 'http://bench');
  if (url.pathname.endsWith('/backlog')) {
    return ['', '1', '2', '3', '4', '5'].map((p) => (p ? `${url.pathname}?priority=${p}` : url.pathname));
  }
  const bucket = url.pathname.endsWith('/summary') ? 'summary' : (url.searchParams.get('bucket') ?? 'day');
  const from = url.searchParams.get('from');
  const baseDays = from
    ? Math.round((Date.now() - Date.parse(from)) / 86_400_000) + 1
    : { summary: 7, day: 30, week: 84, hour: 2 }[bucket];
  const shifts = bucket === 'hour' ? 5 : 270;
  const lengths = bucket === 'hour' ? 2 : 13;
  const zones = bucket === 'hour' ? ZONES : [url.searchParams.get('tz') ?? 'UTC'];
  const out = [];
  for (const zone of zones)
    for (let extra = 0; extra < lengths; extra++)
      for (let priority = 0; priority <= 5; priority++)
        for (let shift = 0; shift < shifts; shift++) {
          if (out.length >= count) return out;
          const days = bucket === 'hour' ? 1 + extra : Math.max(1, baseDays - 6 + extra);
          const to = Date.now() - shift * 86_400_000;
          const q = new URLSearchParams(url.searchParams);
          q.set('from', isoDay(to - (days - 1) * 86_400_000));
          q.set('to', isoDay(to));
          q.set('tz', zone);
          if (priority) q.set('priority', String(priority));
          else q.delete('priority');
          out.push(`${url.pathname}?${q}`);
        }
  return out;
}

function startApp(databaseUrl, port, label, extraEnv = {}) {
  const app = spawn(process.execPath, ['backend/dist/backend/src/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      LOCAL_SECRETS_FILE: join(
        mkdtempSync(join(tmpdir(), `nexecute-bench-analytics-${label}-`)),
        'secrets.json',
      ),
      JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdefghijklmnop',
      ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 7).toString('base64')}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOGIN_RATE_LIMIT_PER_IP: '100000',
      ANALYTICS_REFRESH_INTERVAL_MS: '0',
      ANALYTICS_SLA_SCAN_INTERVAL_MS: '0',
      // Live aggregation scans the whole table: give it the time it needs.
      DATABASE_STATEMENT_TIMEOUT_MS: '120000',
      DATABASE_CONNECT_TIMEOUT_MS: '60000',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => app.once('exit', (code, signal) => r(signal ?? code)));
  return { app, exited, base: `http://127.0.0.1:${port}` };
}

async function apiKeyOf(base) {
  const login = await request(base, '/api/auth/login', {
    method: 'POST',
    body: { ...ADMIN, tokenDelivery: 'body' },
  });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${JSON.stringify(login.body)}`);
  const created = await request(base, '/api/api-keys', {
    method: 'POST',
    body: { name: `bench analytics ${Date.now()}`, scopes: ['incidents:read'] },
    headers: { authorization: `Bearer ${login.body.accessToken}` },
  });
  if (created.status !== 201) throw new Error(`api key: HTTP ${created.status}`);
  return { 'x-api-key': created.body.key };
}

/**
 * The refresh AnalyticsRefresher runs (one repeatable-read transaction under the advisory lock:
 * the incremental step, then CONCURRENTLY), recorded the same way; with each step's time.
 */
async function refresh(db) {
  const t0 = performance.now();
  const steps = [];
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  const { rows } = await db.query(
    `SELECT pg_try_advisory_xact_lock(hashtext('nexecute:analytics-refresh')) AS acquired, now() AS at`,
  );
  if (!rows[0].acquired) throw new Error('refresh lock held');
  await db.query('SET LOCAL jit = off');
  let t = performance.now();
  const changed = (await db.query(APPLY_CHANGES_SQL)).rows[0].changed;
  steps.push(`apply_changes ${(performance.now() - t).toFixed(0)} ms (${changed} facts rows)`);
  for (const view of ANALYTICS_VIEWS) {
    t = performance.now();
    await db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
    steps.push(`${view} ${(performance.now() - t).toFixed(0)} ms`);
  }
  const ms = Math.round(performance.now() - t0);
  refresh.steps = steps;
  await db.query(
    `INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES ($1, $2, 'manual')`,
    [rows[0].at, ms],
  );
  await db.query('COMMIT');
  return ms;
}

const serverUrl = process.env.DATABASE_URL;
const maintenanceUrl = withDatabase(serverUrl, 'postgres');
const admin = await connect(maintenanceUrl);
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount > 0;
const reuse = REUSE && exists;
if (!reuse) {
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
}

const dbUrl = withDatabase(serverUrl, DB_NAME);
let viewsApp = startApp(dbUrl, await freePort(), 'views');
let liveApp;
let db;
try {
  await waitUntilReady(viewsApp.base, { timeoutMs: 120_000, exited: viewsApp.exited });
  db = await connect(dbUrl);
  const server = (
    await db.query(`SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb`)
  ).rows[0];
  console.log(`PostgreSQL ${server.v} (shared_buffers ${server.sb}), database ${DB_NAME}`);
  const already = (await db.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n;
  if (reuse && already > 0) {
    console.log(`Reusing ${already.toLocaleString('en')} incidents (BENCH_REUSE=1)`);
  } else {
    const started = performance.now();
    await db.query('SELECT setseed(0.42)');
    const users = await db.query(
      `INSERT INTO users (email, name, role) SELECT 'responder' || g || '@bench.nexecute.local', 'Responder ' || g, 'responder'
         FROM generate_series(1, 50) g RETURNING id`,
    );
    const indexes = (
      await db.query(`SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
                        FROM pg_index i WHERE i.indrelid = 'incidents'::regclass
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`)
    ).rows;
    for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);
    const now = new Date();
    for (let lo = 1; lo <= ROWS; lo += BATCH) {
      const hi = Math.min(ROWS, lo + BATCH - 1);
      await db.query(SEED_SQL, [lo, hi, now, ROWS, users.rows.map((r) => r.id)]);
      process.stdout.write(`\r  inserted ${hi.toLocaleString('en')} / ${ROWS.toLocaleString('en')}`);
    }
    process.stdout.write('\n');
    await db.query(`SET maintenance_work_mem = '256MB'`);
    for (const { def } of indexes) await db.query(def);
    await db.query('VACUUM (ANALYZE) incidents');
    console.log(`Seeded ${ROWS.toLocaleString('en')} incidents in ${secondsSince(started)} s`);
  }
  const states = await db.query(`SELECT state, count(*)::int AS n FROM incidents GROUP BY 1 ORDER BY 2 DESC`);
  console.log(`  states: ${states.rows.map((r) => `${r.state} ${r.n.toLocaleString('en')}`).join(', ')}`);

  // The full rebuild after seeding (what a repair would run): facts, every configured zone's
  // buckets, the views. A reused database was rebuilt and refreshed by the run that kept it.
  let t0 = performance.now();
  if (!(reuse && already > 0)) {
    await db.query(`SET statement_timeout = 0`);
    await db.query(REBUILD_SQL, [ZONES]);
    await db.query(
      `INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES (now(), 0, 'manual')`,
    );
    console.log(`Full rebuild (analytics_rebuild, ${ZONES.length} zones): ${secondsSince(t0)} s`);
  }
  await db.query('VACUUM (ANALYZE)');
  const sizes = await db.query(
    `SELECT c.relname AS v, c.relkind AS kind, pg_size_pretty(pg_total_relation_size(c.oid)) AS size,
            (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || c.relname, false, true, '')))[1]::text AS n
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname LIKE 'analytics\\_%' AND c.relkind IN ('r', 'm') ORDER BY 1`,
  );
  for (const r of sizes.rows)
    console.log(
      `  ${r.v} (${r.kind === 'm' ? 'materialized view' : 'table'}): ${Number(r.n).toLocaleString('en')} rows, ${r.size}`,
    );

  // The live copy: the same data, everything computed from the incidents on each request.
  const definitions = [];
  for (const view of ANALYTICS_VIEWS) {
    const { rows } = await db.query(`SELECT definition FROM pg_matviews WHERE matviewname = $1`, [view]);
    definitions.push([view, rows[0].definition]);
  }
  await db.end();
  db = undefined;
  viewsApp.app.kill('SIGTERM');
  await viewsApp.exited;
  t0 = performance.now();
  await admin.query(`DROP DATABASE IF EXISTS ${LIVE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${LIVE_DB} TEMPLATE ${DB_NAME}`);
  const live = await connect(withDatabase(serverUrl, LIVE_DB));
  for (const [view] of [...definitions].reverse()) await live.query(`DROP MATERIALIZED VIEW ${view}`);
  await live.query(`DELETE FROM analytics_zones`);
  await live.query(`DROP TABLE analytics_source_counts`);
  await live.query(`DROP TABLE analytics_incident_facts`);
  await live.query(`CREATE VIEW analytics_incident_facts AS SELECT * FROM analytics_incident_facts_now`);
  await live.query(`
    CREATE VIEW analytics_source_counts AS
    SELECT date_bin('15 minutes', opened_at, timestamptz '2000-01-01 00:00:00+00') AS slot, source, priority,
           count(*)::int AS opened, sum(alert_count)::bigint AS alerts
      FROM analytics_incident_facts GROUP BY 1, 2, 3`);
  for (const [view, definition] of definitions) await live.query(`CREATE VIEW ${view} AS ${definition}`);
  await live.query('ANALYZE');
  await live.end();
  console.log(`Live copy made in ${secondsSince(t0)} s`);
  viewsApp = startApp(dbUrl, await freePort(), 'views');
  // No zone configured: nothing to backfill, every series from the (live) facts.
  liveApp = startApp(withDatabase(serverUrl, LIVE_DB), await freePort(), 'live', {
    ANALYTICS_TIME_ZONES: '',
  });
  await waitUntilReady(viewsApp.base, { timeoutMs: 120_000, exited: viewsApp.exited });
  await waitUntilReady(liveApp.base, { timeoutMs: 120_000, exited: liveApp.exited });
  db = await connect(dbUrl);

  const headers = await apiKeyOf(viewsApp.base);
  const liveHeaders = await apiKeyOf(liveApp.base);
  const endpoints = [
    ['summary (7 days)', '/api/analytics/summary'],
    ['response-times (30 days, day, UTC)', '/api/analytics/response-times'],
    [
      'response-times (90 days, week, Europe/Paris, P1)',
      '/api/analytics/response-times?bucket=week&tz=Europe/Paris&priority=1&from=' +
        new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10),
    ],
    [
      'response-times (7 days, hour, America/New_York)',
      '/api/analytics/response-times?bucket=hour&tz=America/New_York&from=' +
        new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10),
    ],
    ['sla (30 days, day)', '/api/analytics/sla'],
    ['sources (30 days, day)', '/api/analytics/sources'],
    ['backlog', '/api/analytics/backlog'],
    ['response-times (30 days, day, America/New_York)', '/api/analytics/response-times?tz=America/New_York'],
    [
      'response-times (84 days, week, Australia/Sydney)',
      '/api/analytics/response-times?bucket=week&tz=Australia/Sydney',
    ],
    [
      'response-times (2 days, hour, America/New_York)',
      '/api/analytics/response-times?bucket=hour&tz=America/New_York',
    ],
    ['sla (30 days, day, Asia/Kolkata)', '/api/analytics/sla?tz=Asia/Kolkata'],
    ['sources (30 days, day, Europe/Berlin)', '/api/analytics/sources?tz=Europe/Berlin'],
    [
      'response-times (30 days, day, Europe/Paris: not configured)',
      '/api/analytics/response-times?tz=Europe/Paris',
    ],
  ];
  // Check both apps answer the same figures before timing them.
  for (const [, path] of endpoints) {
    const [a, b] = [
      await request(viewsApp.base, path, { headers }),
      await request(liveApp.base, path, { headers: liveHeaders }),
    ];
    if (a.status !== 200 || b.status !== 200) throw new Error(`${path}: HTTP ${a.status} / ${b.status}`);
    // Means may differ in the last digits (parallel sums add in another order): compare to 9 digits.
    const rounded = (body) =>
      JSON.stringify(body, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v));
    if (rounded(a.body) !== rounded(b.body))
      console.log(`  note: ${path} answers differently from the views and live`);
  }
  // One client first (no queue), then the loads: views, then live last, since a live load leaves
  // a queue of slow requests behind it that would delay whatever comes next.
  const results = endpoints.map(([name, path]) => ({ name, path }));
  // Both apps get distinct requests (the live one would otherwise answer its own repeats from its
  // per-refresh answers); the views app also gets the same request over and over, which is what a
  // room of consoles on the default dashboard sends, and is answered from those shared answers.
  // A load stops sending after its duration, but the requests it left queued still run: each
  // load starts only once neither database is running a query (or after 3 minutes).
  const quiet = async () => {
    const started = performance.now();
    while (performance.now() - started < 180_000) {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname IN ($1, $2) AND state = 'active' AND backend_type = 'client backend'`,
        [DB_NAME, LIVE_DB],
      );
      if (rows[0].n === 0) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  for (const r of results) r.variants = variants(r.path);
  for (const r of results) r.oneViews = await sequential(viewsApp.base, r.variants, headers);
  for (const r of results) r.oneLive = await sequential(liveApp.base, r.variants, liveHeaders, 3);
  for (const r of results) {
    await quiet();
    r.same = await load(viewsApp.base, [r.path], headers);
  }
  for (const r of results) {
    await quiet();
    r.views = await load(viewsApp.base, r.variants, headers);
  }
  for (const r of results) {
    await quiet();
    r.live = await load(liveApp.base, r.variants, liveHeaders);
  }
  for (const r of results) {
    r.one = { views: r.oneViews, live: r.oneLive };
    const f = (x) =>
      `${x.result.requests.average.toFixed(0).padStart(6)} req/s p50 ${x.p50.toFixed(1).padStart(7)} p95 ${x.p95.toFixed(1).padStart(7)} ms` +
      (x.result.non2xx ? ` (${x.result.non2xx} non-2xx)` : '') +
      (x.result.timeouts ? ` (${x.result.timeouts} timeouts)` : '');
    console.log(
      `${r.name}\n  50 conn: views, same request ${f(r.same)}\n           views, distinct    ${f(r.views)} (${r.views.distinct} distinct)\n` +
        `           live, distinct     ${f(r.live)} (${r.live.distinct} distinct)\n` +
        `  one client: views p50 ${r.oneViews.p50.toFixed(1)} p95 ${r.oneViews.p95.toFixed(1)} ms (${r.oneViews.n}), ` +
        `live p50 ${r.oneLive.p50.toFixed(1)} ms (${r.oneLive.n})`,
    );
  }
  // Let the live app's queue drain before the refresh.
  await quiet();

  // A day's worth of changes (a year's rows / 365 of each): incidents opened, open ones
  // acknowledged, acknowledged ones resolved, each bumping version and updated_at as
  // IncidentCommands does and marked in analytics_dirty_incidents as the `analytics` consumer does.
  const perDay = Math.round(ROWS / 365);
  t0 = performance.now();
  await db.query('BEGIN');
  await db.query(
    `WITH opened AS (
       INSERT INTO incidents (title, state, impact, urgency, source, opened_at, sla_due_at, version, updated_at)
       SELECT 'Bench change ' || g, 'new', 2, 2, 'console', now() - random() * interval '1 day',
              now() + interval '24 hours', 1, now()
         FROM generate_series(1, $1::int) g RETURNING id)
     INSERT INTO analytics_dirty_incidents (incident_id) SELECT id FROM opened`,
    [perDay],
  );
  await db.query(
    `WITH acked AS (
       UPDATE incidents SET state = 'in_progress', acknowledged_at = now(), version = version + 1, updated_at = now()
        WHERE id IN (SELECT id FROM incidents WHERE state = 'new' AND title NOT LIKE 'Bench change%' LIMIT $1)
       RETURNING id)
     INSERT INTO analytics_dirty_incidents (incident_id) SELECT id FROM acked`,
    [perDay],
  );
  await db.query(
    `WITH resolved AS (
       UPDATE incidents SET state = 'resolved', resolved_at = now(), close_code = 'Solution provided',
              close_notes = 'Fixed', version = version + 1, updated_at = now()
        WHERE id IN (SELECT id FROM incidents WHERE state IN ('in_progress', 'on_hold') AND acknowledged_at < now() LIMIT $1)
       RETURNING id)
     INSERT INTO analytics_dirty_incidents (incident_id) SELECT id FROM resolved`,
    [perDay],
  );
  await db.query('COMMIT');
  const marked = (await db.query('SELECT count(*)::int AS n FROM analytics_dirty_incidents')).rows[0].n;
  console.log(
    `\nA day's worth of changes: ${marked.toLocaleString('en')} incidents marked (${secondsSince(t0)} s)`,
  );
  const refreshDb = await connect(dbUrl);
  // Reads during it: a UTC day series and a non-UTC one (both from the bucket tables).
  const during = load(viewsApp.base, variants('/api/analytics/response-times'), headers, 8);
  const duringZone = load(
    viewsApp.base,
    variants('/api/analytics/response-times?tz=America/New_York'),
    headers,
    8,
  );
  await new Promise((r) => setTimeout(r, 1000));
  t0 = performance.now();
  const refreshMs = await refresh(refreshDb);
  const busySteps = refresh.steps;
  const refreshStepsOf = () => busySteps.join(', ');
  const refreshEnded = performance.now();
  const [readsDuring, readsDuringZone] = [await during, await duringZone];
  // A second refresh with nothing changed: the floor (the views alone).
  const idleMs = await refresh(refreshDb);
  const idleSteps = refresh.steps;
  await refreshDb.end();
  const fmt = (r) =>
    `${r.result.requests.total} answered, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, ` +
    `p99 ${r.p99.toFixed(1)} ms, max ${r.result.latency.max} ms, ${r.result.non2xx} non-2xx`;
  console.log(
    `Refresh after them (incremental tables + ${ANALYTICS_VIEWS.length} views CONCURRENTLY): ${(refreshMs / 1000).toFixed(2)} s ` +
      `(target ≤ ${TARGETS.refreshS} s: ${refreshMs / 1000 <= TARGETS.refreshS ? 'PASS' : 'FAIL'}); ended ${((refreshEnded - t0) / 1000).toFixed(2)} s after it began\n` +
      `  steps: ${refreshStepsOf(refreshMs)}\n` +
      `  reads during it (8 s, 50 conn each), UTC days: ${fmt(readsDuring)}\n` +
      `  reads during it, America/New_York days: ${fmt(readsDuringZone)}\n` +
      `Refresh with nothing changed: ${(idleMs / 1000).toFixed(2)} s (${idleSteps.join(', ')})`,
  );
  void t0;

  console.log(
    `\n| endpoint | 50 conn: same request p95 ms | distinct: views p95 ms | live p95 ms | ratio (p50) | views req/s | live req/s | one client: views p50 / p95 ms | live p50 ms | ratio (p50) | p95 ≤ ${TARGETS.p95Ms} ms | ratio ≥ ${TARGETS.ratio}× |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const { name, same, views, live, one } of results) {
    const ratio = live.p50 / views.p50;
    const oneRatio = one.live.p50 / one.views.p50;
    console.log(
      `| ${name} | ${same.p95.toFixed(1)} | ${views.p95.toFixed(1)} | ${Number.isNaN(live.p95) ? 'none answered' : live.p95.toFixed(0)} | ${Number.isNaN(ratio) ? '—' : ratio.toFixed(0) + '×'} | ` +
        `${views.result.requests.average.toFixed(0)} | ${live.result.requests.average.toFixed(1)} | ` +
        `${one.views.p50.toFixed(1)} / ${one.views.p95.toFixed(1)} | ${one.live.p50.toFixed(0)} | ${oneRatio.toFixed(0)}× | ` +
        `${views.p95 <= TARGETS.p95Ms ? 'PASS' : 'FAIL'} | ${ratio >= TARGETS.ratio || oneRatio >= TARGETS.ratio ? 'PASS' : 'FAIL'} |`,
    );
  }
} finally {
  await db?.end().catch(() => undefined);
  viewsApp.app.kill('SIGTERM');
  liveApp?.app.kill('SIGTERM');
  await Promise.all([viewsApp.exited, liveApp?.exited]);
  await admin.query(`DROP DATABASE IF EXISTS ${LIVE_DB} WITH (FORCE)`);
  if (!KEEP) await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end();
}
