// Incident list and search latency at 1,000,000 rows, through the real HTTP API.
//
// Creates a fresh database, starts the built backend on it (it runs its migrations), seeds
// BENCH_ROWS incidents with SQL (INSERT … SELECT … generate_series, 100k rows a statement;
// realistic states, priorities, assignees, groups, sources, two years of opened_at, searchable
// titles and descriptions), then for each list query shape:
//   - EXPLAIN (ANALYZE, BUFFERS) of the SQL the API is expected to run for it (written here after
//     docs/incidents.md and IncidentQueries.list(), not captured from the app: keyset ORDER BY
//     opened_at DESC, id DESC LIMIT 51, filters as TypeORM renders them), and which indexes the
//     plan uses;
//   - one client, BENCH_SEQUENTIAL requests in a row (the latency without queueing);
//   - autocannon, 50 connections, BENCH_SECONDS, with an incidents:read API key; the 400 distinct
//     deep pages run a second time as the console does, with a signed-in user's JWT, so the cost
//     of each way of authenticating shows side by side in the same run (issue 16);
// and prints a table with PASS/FAIL against p95 ≤ 25 ms (printed only; the exit code stays 0).
//
//   npm run build -w backend
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:incidents
//
// DATABASE_URL names a server and a database to connect to for administration; the bench
// creates `nx_bench_incidents` on that server (dropping a previous one) and drops it at the end.
// Without DATABASE_URL the app's embedded PostgreSQL is used, in a temporary folder that is
// deleted at the end (its default settings: 128 MB shared_buffers).
//
//   BENCH_ROWS=1000000    incidents to seed (use fewer while developing)
//   BENCH_SECONDS=10      autocannon duration per scenario
//   BENCH_SEQUENTIAL=100  one-client requests per scenario (0 skips them)
//   BENCH_KEEP=1          keep the database (or the embedded cluster's folder) afterwards
//   BENCH_REUSE=1         with DATABASE_URL: reuse a kept, seeded nx_bench_incidents (no re-seed)
//   BENCH_ONLY=text       run only the scenarios whose name contains this text (for profiling;
//                         BENCH_ONLY=distinct runs the API-key and the JWT deep pages alone)
//   BENCH_ROUNDS=1        run the HTTP scenarios this many times in turn (on a shared machine,
//                         alternating API key and JWT evens out load that comes and goes)
//   BENCH_DATABASE=name   the database to create on DATABASE_URL's server (nx_bench_incidents)
//   BENCH_APP_NODE_ARGS   extra node flags for the backend, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
// `pg` is the backend's dependency; resolve it from there rather than from the root.
const pg = createRequire(join(root, 'backend/package.json'))('pg');

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 100);
const KEEP = process.env.BENCH_KEEP === '1';
const REUSE = process.env.BENCH_REUSE === '1';
const ONLY = process.env.BENCH_ONLY ?? '';
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const DISTINCT_PAGES = 400;
const CONNECTIONS = 50;
const TARGET_P95_MS = 25;
const BATCH = 100_000;
const DB_NAME = process.env.BENCH_DATABASE ?? 'nx_bench_incidents';
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME))
  throw new Error(`BENCH_DATABASE must be a plain identifier: ${DB_NAME}`);
const ADMIN = { email: 'bench@nexecute.local', password: 'Bench passphrase for figures 9' };

if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build -w backend` first.');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Seed vocabulary. Titles are "<service> <symptom>", so a service word ("payments") matches
// about 1 incident in 40; each description carries one of 9,000 error codes ("ERR4821"), so a
// code matches about 1 in 9,000.

const list = (text) => text.split(',').map((s) => s.trim());
const SERVICES = list(`
  Checkout API, Payments gateway, Login page, VPN concentrator, Email delivery, Printer fleet, Office wifi,
  SSO provider, Orders database, Kubernetes cluster, Internal DNS, Edge firewall, Nightly backup,
  Object storage, Billing service, Search index, Product catalog, Inventory sync, Shipping labels,
  Reporting warehouse, Analytics pipeline, CRM integration, ERP interface, Payroll run, Helpdesk portal,
  Intranet, Wiki, Jenkins agents, GitLab runners, Monitoring stack, Log ingestion, CDN, Load balancer,
  Redis cache, Message queue, Job scheduler, Mobile app, Public website, Telephony trunk, Badge readers`);
const SYMPTOMS = list(`
  returns 502, times out, is slow, is unreachable, shows intermittent errors, has high latency,
  certificate expired, disk full, memory leak, high CPU, login failures, data not syncing, jobs stuck,
  degraded performance, connection refused, outage in eu-west, outage in us-east, partial outage,
  elevated error rate, failing health checks, queue backlog, replication lag, DNS resolution failures,
  packet loss, crash loop`);
const VOCABULARY = `
  users customers report error since morning after deployment release rollback monitoring alert
  threshold dashboard spike requests failing gateway upstream service cluster node container restart
  memory processor disk network latency timeout retry connection pool exhausted certificate renewal
  configuration change window maintenance vendor escalated engineer investigating mitigation workaround
  impact region datacenter primary replica failover queue consumer producer backlog throughput
  authentication token expired session cookie browser mobile desktop printer driver firmware patch
  upgrade version database index query slow lock deadlock transaction storage volume snapshot backup
  restore firewall rule port blocked proxy route packet cable switch router wireless access badge
  invoice order shipment label warehouse export import schedule cron job batch nightly
  weekend holiday intermittent persistent degraded partial complete outage recovered stable`
  .trim()
  .split(/\s+/);
const GROUPS = list(`
  Network Operations, Database Administration, Service Desk, Platform Engineering, Site Reliability,
  Security Operations, Identity and Access, End User Computing, Payments Team, Checkout Team,
  Data Platform, Messaging, Storage, Cloud Infrastructure, Mobile Team, Web Team, ERP Support, Telephony,
  Facilities IT, Release Management`);
const CATEGORIES = list('network, database, software, hardware, access, inquiry, security, performance');
const CLOSE_NOTES = [
  'Restarted the affected service; monitoring is green.',
  'Rolled back the release that introduced the fault.',
  'Renewed the certificate and reloaded the proxies.',
  'Freed disk space and added an alert on usage.',
  'Vendor fixed the issue on their side.',
  'Caller confirmed it works again.',
  'Duplicate of an earlier incident.',
];
const FIRST_NAMES = list('Alice, Bob, Chloé, Dmitri, Esra, Farid, Grace, Hiro, Ines, Jonas');
const LAST_NAMES = list('Moreau, Okafor, Lindqvist, Nakamura, Silva');

// Close codes and resolution targets are not copied here: they come from the API
// (`GET /api/incidents/metadata`) and are passed in as $10 and $13.
//
// One statement seeds rows $1..$2 of $12. `r` draws each row's random numbers once (a CTE with
// volatile functions is materialised, so every later reference sees the same draw); the columns
// derived from them stay consistent (closed rows have close fields and a resolution after
// opening). Rows go in oldest first, as a live table fills: opened_at spreads evenly over the two
// years before $3 and numbers rise with it. Open (new 40 %, in_progress 30 %, on_hold 30 % of
// them): 90 % of a row's chance at a day old, fading over weeks, plus a 3.5 % stale backlog at
// any age, ~5 % in all; otherwise 3 % canceled, resolved when under a week old (auto-close) or
// for 7 %, else closed.
const SEED_SQL = `
WITH r AS (
  SELECT g, random() AS r_state, random() AS r_sub, random() AS r_age, random() AS r_src,
         random() AS r_who, random() AS r_grp, random() AS r_rep, random() AS r_ack, random() AS r_fix,
         random() AS r_close,
         (1 + floor(random() * 3))::smallint AS impact, (1 + floor(random() * 3))::smallint AS urgency,
         (($12::int - g + random()) / $12::int) * 730 AS age_days
  FROM generate_series($1::int, $2::int) g
), s AS (
  SELECT r.*,
    CASE WHEN r_state < 0.9 * exp(-age_days / 14) + 0.035
           THEN CASE WHEN r_sub < 0.4 THEN 'new' WHEN r_sub < 0.7 THEN 'in_progress' ELSE 'on_hold' END
         WHEN r_sub < 0.03 THEN 'canceled'
         WHEN age_days < 7 OR r_sub < 0.10 THEN 'resolved'
         ELSE 'closed' END AS state,
    CASE WHEN r_src < 0.30 THEN 'console' WHEN r_src < 0.45 THEN 'api' WHEN r_src < 0.70 THEN 'slack'
         WHEN r_src < 0.95 THEN 'servicenow' ELSE 'webhook' END AS source,
    ($13::int[])[(impact - 1) * 3 + urgency] AS sla_hours
  FROM r
), t AS (
  SELECT s.*, $3::timestamptz - age_days * interval '1 day' AS opened_at FROM s
), u AS (
  SELECT t.*,
    CASE WHEN state <> 'new' THEN t.opened_at + r_ack * interval '45 minutes' END AS acknowledged_at,
    CASE WHEN state IN ('resolved', 'closed')
         THEN least($3::timestamptz, t.opened_at + r_fix * 1.5 * sla_hours * interval '1 hour') END AS resolved_at
  FROM t
), v AS (
  SELECT u.*,
    CASE WHEN state = 'closed' THEN least($3::timestamptz, resolved_at + interval '3 days') END AS closed_at
  FROM u
)
INSERT INTO incidents (
  title, description, state, impact, urgency, category, assignee_id, assignment_group, reporter_id, source,
  close_code, close_notes, servicenow_sys_id, slack_channel, slack_ts, opened_at, acknowledged_at,
  resolved_at, closed_at, sla_due_at, version, created_at, updated_at)
SELECT
  ($5::text[])[1 + floor(random() * cardinality($5::text[]))::int] || ' ' ||
    ($6::text[])[1 + floor(random() * cardinality($6::text[]))::int],
  (SELECT string_agg(($7::text[])[1 + floor(random() * cardinality($7::text[]))::int], ' ')
     FROM generate_series(1, 12 + v.g % 13)) ||
    '. Error code ERR' || (1000 + floor(random() * 9000))::int || '.',
  state, impact, urgency,
  ($9::text[])[1 + floor(random() * cardinality($9::text[]))::int],
  CASE WHEN (state = 'new' AND r_who < 0.6) OR r_who < 0.04 THEN NULL
       ELSE ($4::uuid[])[1 + floor(random() * cardinality($4::uuid[]))::int] END,
  CASE WHEN r_grp < 0.03 THEN NULL ELSE ($8::text[])[1 + floor(random() * cardinality($8::text[]))::int] END,
  CASE WHEN r_rep < 0.3 THEN NULL ELSE ($4::uuid[])[1 + floor(random() * cardinality($4::uuid[]))::int] END,
  source,
  CASE WHEN state IN ('resolved', 'closed')
       THEN ($10::text[])[1 + floor(random() * cardinality($10::text[]))::int] END,
  CASE WHEN state IN ('resolved', 'closed')
       THEN ($11::text[])[1 + floor(random() * cardinality($11::text[]))::int] END,
  CASE WHEN source = 'servicenow' THEN md5('sys_id ' || g) END,
  CASE WHEN source = 'slack' THEN 'C0BENCH' || lpad((g % 40)::text, 2, '0') END,
  CASE WHEN source = 'slack' THEN extract(epoch FROM opened_at)::bigint || '.' || lpad((g % 1000000)::text, 6, '0') END,
  opened_at, acknowledged_at, resolved_at, closed_at,
  opened_at + sla_hours * interval '1 hour',
  CASE state WHEN 'new' THEN 1 WHEN 'closed' THEN 4 + floor(r_close * 4)::int ELSE 2 + floor(r_close * 3)::int END,
  opened_at,
  coalesce(closed_at, resolved_at, acknowledged_at, opened_at)
FROM v`;

// ---------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secondsSince = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Creates DB_NAME (nx_bench_incidents) on DATABASE_URL's server; returns its URL and whether it is reused. */
async function prepareDatabase(serverUrl) {
  const maintenanceUrl =
    new URL(serverUrl).pathname === `/${DB_NAME}` ? withDatabase(serverUrl, 'postgres') : serverUrl;
  const admin = await connect(maintenanceUrl);
  try {
    const exists =
      (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount > 0;
    if (REUSE && exists) return { url: withDatabase(serverUrl, DB_NAME), maintenanceUrl, reused: true };
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    return { url: withDatabase(serverUrl, DB_NAME), maintenanceUrl, reused: false };
  } finally {
    await admin.end();
  }
}

async function dropDatabase(maintenanceUrl) {
  const admin = await connect(maintenanceUrl);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Seeds users and incidents. The secondary indexes are dropped during the load and rebuilt from
 * their own definitions afterwards (faster than maintaining eleven indexes row by row, and GIN
 * indexes come out without a pending list); then VACUUM ANALYZE, as a settled table would be.
 */
async function seed(db, now, rules) {
  const started = performance.now();
  await db.query('SELECT setseed(0.42)');
  const users = await db.query(
    `INSERT INTO users (email, name, role)
     SELECT 'responder' || g || '@bench.nexecute.local', ($1::text[])[1 + g % 10] || ' ' || ($2::text[])[1 + g / 10], 'responder'
     FROM generate_series(0, 49) g RETURNING id`,
    [FIRST_NAMES, LAST_NAMES],
  );
  const userIds = users.rows.map((r) => r.id);

  const indexes = (
    await db.query(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
       WHERE i.indrelid = 'incidents'::regclass
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    )
  ).rows;
  for (const { name } of indexes) await db.query(`DROP INDEX ${name}`);

  const insertStarted = performance.now();
  for (let lo = 1; lo <= ROWS; lo += BATCH) {
    const hi = Math.min(ROWS, lo + BATCH - 1);
    await db.query(SEED_SQL, [
      lo,
      hi,
      now,
      userIds,
      SERVICES,
      SYMPTOMS,
      VOCABULARY,
      GROUPS,
      CATEGORIES,
      rules.closeCodes,
      CLOSE_NOTES,
      ROWS,
      rules.slaHoursByImpactAndUrgency,
    ]);
    process.stdout.write(`\r  inserted ${hi.toLocaleString('en')} / ${ROWS.toLocaleString('en')} rows`);
  }
  const insertSeconds = secondsSince(insertStarted);
  process.stdout.write('\n');

  const indexStarted = performance.now();
  await db.query(`SET maintenance_work_mem = '256MB'`);
  for (const { def } of indexes) await db.query(def);
  const indexSeconds = secondsSince(indexStarted);

  const vacuumStarted = performance.now();
  await db.query('VACUUM (ANALYZE) incidents');
  await db.query('ANALYZE users');
  const vacuumSeconds = secondsSince(vacuumStarted);

  console.log(
    `Seeded ${ROWS.toLocaleString('en')} incidents in ${secondsSince(started)} s ` +
      `(INSERT ${insertSeconds} s, ${indexes.length} secondary indexes rebuilt in ${indexSeconds} s, ` +
      `VACUUM ANALYZE ${vacuumSeconds} s)`,
  );
}

async function printSizes(db) {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n,
            pg_size_pretty(pg_table_size('incidents')) AS heap,
            pg_size_pretty(pg_indexes_size('incidents')) AS indexes,
            pg_size_pretty(pg_total_relation_size('incidents')) AS total
     FROM incidents`,
  );
  const s = rows[0];
  console.log(
    `incidents: ${s.n.toLocaleString('en')} rows; table ${s.heap} (with TOAST), indexes ${s.indexes}, total ${s.total}`,
  );
  const per = await db.query(
    `SELECT c.relname AS index, pg_size_pretty(pg_relation_size(c.oid)) AS size
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'incidents'::regclass ORDER BY pg_relation_size(c.oid) DESC`,
  );
  console.log(`  ${per.rows.map((r) => `${r.index} ${r.size}`).join(', ')}`);
  const byState = await db.query(
    `SELECT state, count(*)::int AS n FROM incidents GROUP BY 1 ORDER BY 2 DESC`,
  );
  console.log(`  states: ${byState.rows.map((r) => `${r.state} ${r.n.toLocaleString('en')}`).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// The SQL the API is expected to run for a list page, after docs/incidents.md and
// IncidentQueries.list(): the incident's columns and its cursor key, keyset order on
// (opened_at, id), one row more than the page to know whether there is a next one; IN lists
// spelled out as TypeORM renders `IN (:...values)`; q is full text, or a trigram ILIKE on the
// number when it looks like one. The page's people and delivery counts are two more queries by
// id (not shown; with no outbox rows seeded the second costs nothing here).

const LIST_SQL = (where) => `
SELECT i.id, i.number, i.title, i.description, i.state, i.impact, i.urgency, i.priority, i.category,
       i.assignee_id, i.assignment_group, i.reporter_id, i.source, i.close_code, i.close_notes,
       i.servicenow_sys_id, i.slack_channel, i.slack_ts, i.opened_at, i.acknowledged_at, i.resolved_at,
       i.closed_at, i.sla_due_at, i.version, i.created_at, i.updated_at, i.opened_at::text AS cursor_key
FROM incidents i
WHERE ${where}
ORDER BY i.opened_at DESC, i.id DESC
LIMIT 51`;

const FULL_TEXT = `i.search_vector @@ websearch_to_tsquery('english', $1)`;
const NUMBER_LIKE = 'i.number ILIKE $1';
const AFTER = '(i.opened_at, i.id) < (CAST($1 AS timestamptz), CAST($2 AS uuid))';

async function explain(db, sql, params) {
  await db.query(sql, params); // warm the cache the way the load will find it
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const text = lines.join('\n');
  const used = [
    ...new Set(
      [
        ...text.matchAll(/(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g),
      ].map((m) => `${m[2]} (${m[1]})`),
    ),
  ].filter((s) => s.startsWith('incidents_'));
  const seqScan = /Seq Scan on incidents\b/.test(text);
  const sort = /Sort Method: (.+)/.exec(text)?.[1];
  const execMs = Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1]);
  return { lines, used, seqScan, sort, execMs };
}

function printPlan(name, plan) {
  console.log(`\n── ${name}: SQL ${plan.execMs.toFixed(2)} ms`);
  const end = plan.lines.findIndex((l) => /^(Planning|Execution)/.test(l));
  const body = end < 0 ? plan.lines : plan.lines.slice(0, end);
  for (const line of body.slice(0, 14)) console.log(`   ${line}`);
  if (body.length > 14) console.log(`   … ${body.length - 14} more plan lines`);
  console.log(
    `   ⇒ ${
      plan.seqScan
        ? 'Seq Scan on incidents (no index)'
        : plan.used.length
          ? `index use: ${plan.used.join(', ')}`
          : 'no incidents index in the plan'
    }${plan.sort ? `; sort: ${plan.sort}` : '; no sort (index order)'}`,
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function request(base, path, { method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * The incident rules the seed follows, as the API serves them: its close codes, and the
 * resolution target (hours) of the priority each impact × urgency gives, indexed
 * (impact - 1) * 3 + urgency as the seed SQL reads them.
 */
async function incidentRules(base, accessToken) {
  const res = await request(base, '/api/incidents/metadata', {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (res.status !== 200) throw new Error(`GET /api/incidents/metadata: HTTP ${res.status}`);
  const { closeCodes, priorityMatrix, slaTargets } = res.body;
  const hours = new Map(slaTargets.map((t) => [t.priority, t.resolutionHours]));
  const slaHoursByImpactAndUrgency = [];
  for (const { impact, urgency, priority } of priorityMatrix) {
    slaHoursByImpactAndUrgency[(impact - 1) * 3 + urgency - 1] = hours.get(priority);
  }
  return { closeCodes, slaHoursByImpactAndUrgency };
}

/** One client, n requests in a row (or as many as fit in 10 s, for a slow query). */
async function sequential(url, headers, n) {
  const ms = [];
  const started = performance.now();
  for (let i = 0; i < n && performance.now() - started < 10_000; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    ms.push(performance.now() - t0);
  }
  return percentiles(ms);
}

function percentiles(ms) {
  if (ms.length === 0) return { p50: NaN, p95: NaN, p99: NaN };
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/**
 * CPU seconds used so far, from /proc (Linux): the backend process, every PostgreSQL process
 * on this machine, and this process (the load generator). Null where /proc is unreadable.
 */
function cpuSeconds(appPid) {
  const ticks = 100; // USER_HZ
  const of = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return {
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        s: (Number(fields[11]) + Number(fields[12])) / ticks,
      };
    } catch {
      return null;
    }
  };
  const app = of(appPid);
  if (!app) return null;
  let postgres = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const p = of(pid);
    if (p?.comm === 'postgres') postgres += p.s;
  }
  const own = process.cpuUsage();
  return { app: app.s, postgres, loadGenerator: (own.user + own.system) / 1e6 };
}

/**
 * Index and sequential scans of auth_sessions so far: what checking a JWT's session reads (the
 * user row is read too, but so is every page's people, so users tells nothing). From
 * PostgreSQL's statistics of this database only: unlike throughput on a shared machine, reads
 * per request do not depend on what else runs. Backends publish their counts when idle, up to
 * ~10 s later, so this waits until the figure holds still.
 */
async function sessionReads(db) {
  const read = async () => {
    await db.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await db.query(
      `SELECT coalesce(sum(coalesce(idx_scan, 0) + coalesce(seq_scan, 0)), 0)::bigint AS n
         FROM pg_stat_user_tables WHERE relname = 'auth_sessions'`,
    );
    return Number(rows[0].n);
  };
  let last = await read();
  const deadline = Date.now() + 15_000;
  for (let still = 0; still < 6 && Date.now() < deadline;) {
    await sleep(500);
    const now = await read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** autocannon at 50 connections; percentiles from every response time it reports (exact, not binned). */
function load(url, headers, paths) {
  const times = [];
  let next = 0;
  // With paths, each request takes the next one in turn, so no two requests in flight are alike.
  const requests = paths
    ? [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }]
    : undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: SECONDS, headers, timeout: 30, requests },
      (err, result) => (err ? reject(err) : resolve({ result, ...percentiles(times) })),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}

// ---------------------------------------------------------------------------------------------

const embedded = !process.env.DATABASE_URL;
const database = embedded ? null : await prepareDatabase(process.env.DATABASE_URL);
const dir = mkdtempSync(join(tmpdir(), 'nexecute-bench-incidents-'));
if (process.getuid?.() === 0) chmodSync(dir, 0o755); // PostgreSQL runs as 'postgres' when we are root
const dataDir = join(dir, 'postgres');
const dbPort = embedded ? await freePort() : 0;

const port = await freePort();
const env = {
  ...process.env,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  LOGIN_RATE_LIMIT_PER_IP: '100000',
  LOGIN_RATE_LIMIT_PER_ACCOUNT: '100000',
};
if (embedded) {
  delete env.DATABASE_URL;
  env.EMBEDDED_POSTGRES_DIR = dataDir;
  env.EMBEDDED_POSTGRES_PORT = String(dbPort);
} else {
  env.DATABASE_URL = database.url;
}

const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
const app = spawn(process.execPath, [...nodeArgs, 'backend/dist/backend/src/main.js'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
// The app's slow-query warnings (one long line each) are counted per scenario, not echoed.
let slowQueries = 0;
createInterface({ input: app.stdout }).on('line', (line) => {
  if (line.includes('"Slow query')) slowQueries++;
  else console.log(line);
});
const exited = new Promise((r) => app.once('exit', (code, signal) => r(signal ?? code)));
const base = `http://127.0.0.1:${port}`;
let db;
try {
  await waitUntilReady(base, { timeoutMs: 120_000, exited });
  const dbUrl = embedded
    ? (() => {
        const { user, password } = JSON.parse(readFileSync(`${dataDir}.credentials.json`, 'utf8'));
        return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${dbPort}/nexecute`;
      })()
    : database.url;
  db = await connect(dbUrl);
  const server = (
    await db.query(`SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb`)
  ).rows[0];
  console.log(
    `\nPostgreSQL ${server.v} (${embedded ? 'embedded' : 'DATABASE_URL'}, shared_buffers ${server.sb}), ` +
      `database ${embedded ? 'nexecute (temporary cluster)' : DB_NAME}`,
  );

  // Sign in, and an API key so the load does not depend on a token's lifetime.
  const login = await request(base, '/api/auth/login', {
    method: 'POST',
    body: { ...ADMIN, tokenDelivery: 'body' },
  });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${JSON.stringify(login.body)}`);
  const created = await request(base, '/api/api-keys', {
    method: 'POST',
    body: { name: 'bench incidents', scopes: ['incidents:read'] },
    headers: { authorization: `Bearer ${login.body.accessToken}` },
  });
  if (created.status !== 201 && created.status !== 200) {
    throw new Error(`POST /api/api-keys: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  }
  const apiKeyHeaders = { 'x-api-key': created.body.key };
  const headers = apiKeyHeaders;
  const rules = await incidentRules(base, login.body.accessToken);

  const already = (await db.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n;
  const now = new Date();
  if (database?.reused && already > 0) {
    console.log(`Reusing ${already.toLocaleString('en')} seeded incidents (BENCH_REUSE=1)`);
  } else {
    if (already > 0) throw new Error(`the fresh database already holds ${already} incidents`);
    console.log(`Seeding ${ROWS.toLocaleString('en')} incidents…`);
    await seed(db, now, rules);
  }
  await printSizes(db);

  // Values for the filters, taken from the data so every filter finds rows.
  const pick = async (sql) => (await db.query(sql)).rows[0];
  const { newest } = await pick(`SELECT max(opened_at) AS newest FROM incidents`);
  const monthsBefore = (m) => new Date(newest.getTime() - m * 30 * 86_400_000);
  const assignee = await pick(
    `SELECT assignee_id AS id, count(*)::int AS n FROM incidents WHERE assignee_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  const group = 'Network Operations';
  const commonWord = 'payments'; // a title word, ~1 incident in 40
  const rareWord = (await pick(`SELECT substring(description FROM 'ERR[0-9]+') AS w FROM incidents LIMIT 1`))
    .w;
  const partialNumber = ROWS >= 20_000 ? '12345' : '1234';
  const windowFrom = monthsBefore(13).toISOString();
  const windowTo = monthsBefore(12).toISOString();
  const deepTo = monthsBefore(18).toISOString();

  const probe = await request(base, '/api/incidents?limit=1', { headers });
  const apiReady = probe.status === 200;
  if (!apiReady) {
    console.log(
      `\nGET /api/incidents answers HTTP ${probe.status}: the list API is not there yet, so only the SQL plans are shown.`,
    );
  }

  // The deep cursor: follow nextCursor four pages of 200 from openedTo = 18 months ago (≈ 75 % of
  // the way down the default order), then ask for the next page without the filter (the cursor is
  // a keyset position). If the API binds its cursors to the filters, keep the filter.
  let deep = { path: null, openedAt: null, id: null, note: '' };
  const distinctPaths = [];
  if (apiReady) {
    let path = `/api/incidents?openedTo=${encodeURIComponent(deepTo)}&limit=200`;
    let page;
    for (let i = 0; i < 4; i++) {
      page = await request(base, path, { headers });
      if (page.status !== 200 || !page.body.nextCursor) {
        throw new Error(`${path}: HTTP ${page.status}, nextCursor ${page.body?.nextCursor}`);
      }
      path = `/api/incidents?openedTo=${encodeURIComponent(deepTo)}&limit=200&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    const last = page.body.items.at(-1);
    const cursor = encodeURIComponent(page.body.nextCursor);
    const unfiltered = await request(base, `/api/incidents?cursor=${cursor}`, { headers });
    deep =
      unfiltered.status === 200 && unfiltered.body.items[0]?.openedAt <= last.openedAt
        ? { path: `/api/incidents?cursor=${cursor}`, openedAt: last.openedAt, id: last.id, note: '' }
        : {
            path: `/api/incidents?openedTo=${encodeURIComponent(deepTo)}&cursor=${cursor}`,
            openedAt: last.openedAt,
            id: last.id,
            note: ` (the API refused the cursor without its filter: HTTP ${unfiltered.status})`,
          };
    // DISTINCT_PAGES consecutive pages from there, for the scenario where no request is shared.
    let at = deep.path;
    while (distinctPaths.length < DISTINCT_PAGES) {
      const page = await request(base, at, { headers });
      if (page.status !== 200 || !page.body.nextCursor) break;
      distinctPaths.push(at);
      const withoutCursor = at.replace(/([?&])cursor=[^&]*/, '$1').replace(/[?&]$/, '');
      at = `${withoutCursor}${withoutCursor.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
  } else {
    const row = await pick(
      `SELECT opened_at, id FROM incidents WHERE opened_at <= '${deepTo}' ORDER BY opened_at DESC, id DESC OFFSET 799 LIMIT 1`,
    );
    deep = { path: null, openedAt: row.opened_at, id: row.id, note: '' };
  }
  const { position } = await pick(
    `SELECT count(*)::int AS position FROM incidents WHERE (opened_at, id) >= ('${new Date(deep.openedAt).toISOString()}', '${deep.id}')`,
  );

  const scenarios = [
    { name: 'first page, default sort', path: '/api/incidents', where: 'TRUE', params: [] },
    {
      name: 'state=new,in_progress',
      path: '/api/incidents?state=new,in_progress',
      where: 'i.state IN ($1, $2)',
      params: ['new', 'in_progress'],
    },
    { name: 'priority=1', path: '/api/incidents?priority=1', where: 'i.priority IN ($1)', params: [1] },
    {
      name: 'assigneeId=<user>',
      path: `/api/incidents?assigneeId=${assignee.id}`,
      where: 'i.assignee_id = $1',
      params: [assignee.id],
    },
    {
      name: `assignmentGroup=${group}`,
      path: `/api/incidents?assignmentGroup=${encodeURIComponent(group)}`,
      where: 'i.assignment_group = $1',
      params: [group],
    },
    { name: 'source=slack', path: '/api/incidents?source=slack', where: 'i.source = $1', params: ['slack'] },
    {
      name: 'openedFrom/openedTo, one month',
      path: `/api/incidents?openedFrom=${encodeURIComponent(windowFrom)}&openedTo=${encodeURIComponent(windowTo)}`,
      where: 'i.opened_at >= $1 AND i.opened_at < $2',
      params: [windowFrom, windowTo],
    },
    {
      name: `q=${commonWord} (common word)`,
      path: `/api/incidents?q=${commonWord}`,
      where: FULL_TEXT,
      params: [commonWord],
    },
    {
      name: `q=${rareWord} (rare word)`,
      path: `/api/incidents?q=${rareWord}`,
      where: FULL_TEXT,
      params: [rareWord],
    },
    {
      name: `q=${partialNumber} (partial number)`,
      path: `/api/incidents?q=${partialNumber}`,
      where: NUMBER_LIKE,
      params: [`%${partialNumber}%`],
    },
    {
      name: `deep cursor page (row ${position.toLocaleString('en')})`,
      path: deep.path,
      where: deep.note ? `i.opened_at < $3 AND ${AFTER}` : AFTER,
      params: deep.note ? [deep.openedAt, deep.id, deepTo] : [deep.openedAt, deep.id],
    },
    {
      // Not one of the issue's target shapes: the same deep pages, but every request in flight
      // different, so identical requests never share a read (IncidentQueries.list).
      name: `${distinctPaths.length} distinct deep pages, none shared`,
      path: distinctPaths[0] ?? deep.path,
      paths: distinctPaths.length ? distinctPaths : undefined,
      where: deep.note ? `i.opened_at < $3 AND ${AFTER}` : AFTER,
      params: deep.note ? [deep.openedAt, deep.id, deepTo] : [deep.openedAt, deep.id],
    },
    {
      // The same pages as a console user asks for them: a Bearer JWT, whose user and session
      // the guard checks (AuthService.principalFor, answered from the principal cache while the
      // access-change listener listens), instead of an API key's one prepared read.
      name: `${distinctPaths.length} distinct deep pages, none shared, console user JWT`,
      auth: 'jwt',
      path: distinctPaths[0] ?? deep.path,
      paths: distinctPaths.length ? distinctPaths : undefined,
      where: deep.note ? `i.opened_at < $3 AND ${AFTER}` : AFTER,
      params: deep.note ? [deep.openedAt, deep.id, deepTo] : [deep.openedAt, deep.id],
    },
  ].filter((s) => s.name.includes(ONLY));

  console.log(
    `\nEXPLAIN (ANALYZE, BUFFERS) of the SQL the API is expected to run (written after docs/incidents.md and ` +
      `IncidentQueries.list(), not captured from the app), after one warm-up execution:`,
  );
  console.log(LIST_SQL('<filter>'));
  for (const s of scenarios) {
    s.plan = await explain(db, LIST_SQL(s.where), s.params);
    printPlan(`${s.name}   WHERE ${s.where}`, s.plan);
  }
  if (deep.note) console.log(`\nDeep cursor${deep.note}`);

  const rows = [];
  // A fresh sign-in for the JWT scenario: seeding may have outlived the first token (15 min).
  let jwtHeaders;
  if (apiReady && scenarios.some((s) => s.auth === 'jwt')) {
    const again = await request(base, '/api/auth/login', {
      method: 'POST',
      body: { ...ADMIN, tokenDelivery: 'body' },
    });
    if (again.status !== 200) throw new Error(`login: HTTP ${again.status} ${JSON.stringify(again.body)}`);
    jwtHeaders = { authorization: `Bearer ${again.body.accessToken}` };
  }
  if (apiReady) {
    console.log(
      `\nHTTP: ${SEQUENTIAL} sequential requests (one client; at most 10 s), then autocannon ${CONNECTIONS} connections × ${SECONDS} s, ` +
        `X-Api-Key with incidents:read (a Bearer JWT where the scenario says so); backend, PostgreSQL and ` +
        `load generator share the machine.`,
    );
    const runs = [];
    for (let round = 1; round <= ROUNDS; round++) for (const s of scenarios) runs.push({ s, round });
    for (const { s, round } of runs) {
      const name = ROUNDS > 1 ? `${s.name} [round ${round}]` : s.name;
      const url = `${base}${s.path}`;
      const headers = s.auth === 'jwt' ? jwtHeaders : apiKeyHeaders;
      const first = await request(base, s.path, { headers });
      if (first.status !== 200)
        throw new Error(`${s.path}: HTTP ${first.status} ${JSON.stringify(first.body)}`);
      const one = SEQUENTIAL > 0 ? await sequential(url, headers, SEQUENTIAL) : { p50: NaN, p95: NaN };
      const readsBefore = s.paths ? await sessionReads(db) : NaN;
      const slowBefore = slowQueries;
      const cpuBefore = cpuSeconds(app.pid);
      const { result, p50, p95, p99 } = await load(url, headers, s.paths);
      const cpuAfter = cpuSeconds(app.pid);
      const bad = result.non2xx + result.errors + result.timeouts;
      // CPU milliseconds per request, by process: what bounds throughput on a shared machine.
      const perRequest = (k) =>
        cpuBefore && cpuAfter
          ? ((cpuAfter[k] - cpuBefore[k]) * 1000) / Math.max(1, result.requests.total)
          : NaN;
      const slow = slowQueries - slowBefore;
      // Only for the distinct pages (each wait costs ~10 s): the API key's scenario reads none.
      const sessionReadsPerRequest = s.paths
        ? (((await sessionReads(db)) - readsBefore) / Math.max(1, result.requests.total)).toFixed(2)
        : '-';
      console.log(
        `  ${name}: ${Math.round(result.requests.average)} req/s, p95 ${p95.toFixed(1)} ms` +
          (slow ? `, ${slow} slow-query warnings from the app` : '') +
          (bad
            ? `, ${result.non2xx} non-2xx ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`
            : ''),
      );
      rows.push({
        scenario: name,
        auth: s.auth ?? (s.paths ? 'api-key distinct' : 'api-key'),
        items: `${first.body.items.length}${first.body.nextCursor ? '+' : ''}`,
        'req/s': Math.round(result.requests.average),
        p50_ms: p50.toFixed(1),
        p95_ms: p95.toFixed(1),
        p99_ms: p99.toFixed(1),
        'non2xx/err': bad,
        'session reads/req': sessionReadsPerRequest,
        '1-client p50': one.p50.toFixed(1),
        '1-client p95': one.p95.toFixed(1),
        sql_ms: s.plan.execMs.toFixed(1),
        'cpu ms/req app': perRequest('app').toFixed(2),
        pg: perRequest('postgres').toFixed(2),
        loadgen: perRequest('loadGenerator').toFixed(2),
        plan: s.plan.seqScan ? 'SEQ SCAN' : s.plan.used.map((u) => u.split(' ')[0]).join('+') || '-',
        verdict: p95 <= TARGET_P95_MS && bad === 0 ? 'PASS' : 'FAIL',
      });
      await sleep(500);
    }
  }

  console.log(
    `\n${ROWS.toLocaleString('en')} incidents; target p95 ≤ ${TARGET_P95_MS} ms at ${CONNECTIONS} connections. ` +
      `p50/p95/p99 from every response time autocannon reported; "items" = first page size, "+" = has nextCursor; ` +
      `sql_ms = EXPLAIN ANALYZE execution time of the expected SQL; "cpu ms/req" = CPU time per request under load of ` +
      `the backend process, all PostgreSQL processes and this load generator (from /proc); "session reads/req" = ` +
      `index and sequential scans of auth_sessions in this database per request (pg_stat_user_tables). With ${CONNECTIONS} connections always busy, ` +
      `the mean latency is ${CONNECTIONS} / throughput, so p95 ≤ ${TARGET_P95_MS} ms needs well over ` +
      `${(CONNECTIONS / (TARGET_P95_MS / 1000)).toLocaleString('en')} req/s.\n`,
  );
  if (apiReady) {
    console.table(rows);
    // The mean rate over the rounds of each way of authenticating the same pages.
    const rate = (auth) => {
      const of = rows.filter((r) => r.auth === auth);
      return of.length ? of.reduce((sum, r) => sum + r['req/s'], 0) / of.length : NaN;
    };
    const byKey = rate('api-key distinct');
    const byJwt = rate('jwt');
    if (byKey && byJwt) {
      console.log(
        `Distinct deep pages${ROUNDS > 1 ? `, mean of ${ROUNDS} rounds` : ''}: console user JWT ` +
          `${Math.round(byJwt)} req/s, API key ${Math.round(byKey)} req/s (JWT at ` +
          `${((100 * byJwt) / byKey).toFixed(1)} % of the API key's rate; ` +
          `AUTH_PRINCIPAL_CACHE_TTL_MS=${process.env.AUTH_PRINCIPAL_CACHE_TTL_MS ?? 'default'})\n`,
      );
    }
    for (const r of rows) {
      console.log(
        `${r.verdict}  ${r.scenario}: p95 ${r.p95_ms} ms at ${CONNECTIONS} connections` +
          (r['non2xx/err'] ? ` (${r['non2xx/err']} non-2xx/errors)` : ''),
      );
    }
  } else {
    console.table(
      scenarios.map((s) => ({
        scenario: s.name,
        sql_ms: s.plan.execMs.toFixed(2),
        index: s.plan.seqScan ? 'SEQ SCAN' : s.plan.used.join(', '),
        sort: s.plan.sort ?? '-',
      })),
    );
    console.log('No HTTP figures: GET /api/incidents is not available in this build.');
  }
} finally {
  await db?.end();
  app.kill('SIGTERM');
  await exited;
  if (KEEP) {
    console.log(
      embedded
        ? `Kept the embedded cluster in ${dataDir} (BENCH_KEEP=1)`
        : `Kept database ${DB_NAME} (BENCH_KEEP=1)`,
    );
    if (!embedded) rmSync(dir, { recursive: true, force: true });
  } else {
    if (!embedded && !database.reused) await dropDatabase(database.maintenanceUrl);
    else if (!embedded && database.reused) console.log(`Kept database ${DB_NAME} (reused)`);
    rmSync(dir, { recursive: true, force: true });
  }
}
