// Ingest throughput of POST /api/events against a bare handler, in one run, on one PostgreSQL.
//
//   npm run build -w backend && npm run bench:ingest
//
// What it does:
//   1. A PostgreSQL server: DATABASE_URL's (the bench creates and drops `nx_bench_ingest` on it),
//      or an embedded one (the app's own binaries) in a temporary folder.
//   2. The built app on it (worker on, as in production), signed in as the bootstrap admin; an
//      event source with a signing secret and a rate limit far above what the machine can send.
//      Beside it, bench/ingest/bare-handler.mjs: node:http + pg, the same signature check, the raw
//      body stored under a unique key (ON CONFLICT DO NOTHING); same database, same pool size.
//   3. autocannon from this process (the servers are child processes), BENCH_CONNECTIONS
//      connections, every request a distinct signed PagerDuty Events v2 trigger (its own dedup key
//      and body): bare handler, then the app, BENCH_ROUNDS times. The app's resident memory is
//      sampled during its load; after each app load, the time until the worker has processed
//      the backlog (no inbound event left `accepted`).
//   4. The duplicate case: one body, stored once, then resent for BENCH_DUP_SECONDS to each.
//   5. Statements per event: the app again, worker off, its database connections through
//      counting-proxy.mjs, which counts the protocol's Query and Execute messages of the request
//      path's pool (application_name nexecute-connect) during a distinct and a duplicate load;
//      the bare handler the same way, as a check of the method (it must show 1). Then the app
//      with its worker on processes the backlog those loads left, still through the proxy:
//      statements per processed event (all pools), for whoever tunes processing.
//   6. One table of figures against the targets (printed; the exit code is 0 unless the bench
//      itself fails).
//
// Options (environment):
//   BENCH_SECONDS=15          each distinct load
//   BENCH_DUP_SECONDS=8       each duplicate load
//   BENCH_COUNT_SECONDS=5     each load of the statement count
//   BENCH_CONNECTIONS=50
//   BENCH_ROUNDS=1            bare/app pairs of the distinct load
//   BENCH_WARMUP_SECONDS=3
//   BENCH_DRAIN_TIMEOUT=300   longest wait (s) for the worker to empty the backlog
//   BENCH_APP_NODE_ARGS       extra node flags for the app, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_APP_WORKER=off      the throughput loads with the app's worker off (no backlog figure)
//   BENCH_SKIP_COUNT=1        skip step 5
//   BENCH_SERVICENOW=0        skip the ServiceNow webhook loads (POST /api/webhooks/servicenow, signed
//                             business-rule bodies, beside the bare handler's same route)
//   BENCH_NOTIFY_VARIANT=0    skip the diagnostic row "bare handler + pg_notify" (the bare handler
//                             with graphile-worker's per-job NOTIFY added; see bare-handler.mjs)
import autocannon from 'autocannon';
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';
import { BARE_TABLE_SQL } from './bare-handler.mjs';
import { servicenowWebhookBody, signedHeaders, triggerBody } from './shared.mjs';
import { startBenchDatabase } from '../shared/bench-database.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const requireBackend = createRequire(join(root, 'backend/package.json'));
const pg = requireBackend('pg');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const DUP_SECONDS = Number(process.env.BENCH_DUP_SECONDS ?? 8);
const COUNT_SECONDS = Number(process.env.BENCH_COUNT_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const DRAIN_TIMEOUT_S = Number(process.env.BENCH_DRAIN_TIMEOUT ?? 300);
const APP_WORKER = process.env.BENCH_APP_WORKER !== 'off';
const SKIP_COUNT = process.env.BENCH_SKIP_COUNT === '1';
const NOTIFY_VARIANT = process.env.BENCH_NOTIFY_VARIANT !== '0';
const SERVICENOW = process.env.BENCH_SERVICENOW !== '0';
const SERVICENOW_PATH = '/api/webhooks/servicenow';
const APP_NODE_ARGS = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
const POOL_SIZE = 10; // the app's DATABASE_POOL_SIZE default; the bare handler gets the same
const RATE_LIMIT_PER_MINUTE = 1_000_000; // the API's maximum: 16,667 events/s, far above this machine
const DB_NAME = 'nx_bench_ingest';
const ADMIN = { email: 'bench@nexecute.local', password: 'Bench passphrase for figures 9' };
const SIGNING_SECRET = randomBytes(32).toString('base64url');
const TARGETS = { ratio: 0.5, p99: 50, statements: 3, rssMb: 400 };

if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build -w backend` first.');
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (text) => console.error(`[bench:ingest] ${text}`);

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set();
let slowQueries = 0;

/** A child that the bench ends at exit, whatever happens. */
function own(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stop(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function forkReady(script, env) {
  const child = own(
    fork(join(here, script), [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, message: m }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function startApp(databaseUrl, dir, { worker }) {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    JWT_SECRET: 'bench-ingest-jwt-secret-0123456789abcdef',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    COOKIE_SECURE: 'false',
    DELIVERY_WORKER_ENABLED: worker ? 'true' : 'false',
    // ServiceNow's webhook verifies with this secret. The connection points at the instance
    // simulator (a child process, no webhooks, no trickle), so the incidents the events loads open
    // are written to it by the outbound sync as in production, and do not fail and retry against
    // an unreachable instance during the later loads.
    SERVICENOW_WEBHOOK_SECRET: SIGNING_SECRET,
    ...simulator.env,
    // No scheduled reconciliation: its runs (5 s after start, then every 5 minutes) page through
    // every record the outbound sync wrote to the simulator, on the request path's pool, and so
    // landed inside whichever load was running then (hundreds of slow-query warnings).
    SERVICENOW_RECONCILE_INTERVAL_MS: '0',
  };
  const app = own(
    spawn(process.execPath, [...APP_NODE_ARGS, 'backend/dist/backend/src/main.js'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  // The app's slow-query warnings (long lines) are counted per load, not echoed.
  createInterface({ input: app.stdout }).on('line', (line) => {
    if (line.includes('"Slow query')) slowQueries++;
    else console.log(line);
  });
  const exited = new Promise((r) => app.once('exit', (code, signal) => r(signal ?? code)));
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(base, { timeoutMs: 120_000, exited });
  return { app, base };
}

/**
 * The ServiceNow instance simulator (backend/test/simulators/servicenow-simulator.main.ts) as a
 * child process: no webhooks, no trickle. It prints its settings as `SERVICENOW_*=value` lines.
 */
async function startSimulator() {
  const child = own(
    spawn(
      process.execPath,
      [
        '-r',
        './backend/test/support/register-typescript.cjs',
        'backend/test/simulators/servicenow-simulator.main.ts',
        '--port=0',
        '--incidents=0',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'development' } },
    ),
  );
  const env = await new Promise((resolve, reject) => {
    const found = {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^(SERVICENOW_[A-Z_]+)=(.*)$/.exec(line);
      if (match) found[match[1]] = match[2];
      if (found.SERVICENOW_WEBHOOK_SECRET !== undefined) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`the ServiceNow simulator exited (${code})`)));
  });
  delete env.SERVICENOW_WEBHOOK_SECRET; // the bench signs with its own
  return { child, env };
}

// ---------------------------------------------------------------------------------------------
// /proc figures (Linux)

function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
}

function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      // utime + stime, and cutime + cstime (children it has waited for: the postmaster's backends)
      own: (+f[11] + +f[12]) / 100,
      reaped: (+f[13] + +f[14]) / 100,
    };
  } catch {
    return null;
  }
}

/** Our PostgreSQL's postmaster, when it runs on this machine (the parent of our backend). */
let postmasterPid = null;

async function findPostmaster(client) {
  const backend = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  try {
    const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${backend}/status`, 'utf8'))[1]);
    return procStat(ppid)?.comm === 'postgres' ? ppid : null;
  } catch {
    return null; // another machine, or another PID namespace
  }
}

/**
 * CPU seconds of PostgreSQL: the postmaster, its live children and the children it has reaped
 * (ended connections), so a window's figure counts backends that exited in it. When the server
 * is not found on this machine, every live `postgres` process here (an estimate).
 */
function postgresCpu() {
  if (postmasterPid) {
    const main = procStat(postmasterPid);
    let kids = [];
    try {
      kids = readFileSync(`/proc/${postmasterPid}/task/${postmasterPid}/children`, 'utf8')
        .split(' ')
        .filter(Boolean);
    } catch {
      // gone
    }
    return (main?.own ?? 0) + (main?.reaped ?? 0) + kids.reduce((sum, k) => sum + (procStat(k)?.own ?? 0), 0);
  }
  let sum = 0;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = procStat(p);
    if (s?.comm === 'postgres') sum += s.own;
  }
  return sum;
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusy() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

/** CPU seconds so far: the server under load, PostgreSQL, this process, the machine. */
function cpuSeconds(pid) {
  const own = process.cpuUsage();
  return {
    server: procStat(pid)?.own ?? NaN,
    postgres: postgresCpu(),
    loadGenerator: (own.user + own.system) / 1e6,
    machine: machineBusy(),
  };
}

/**
 * What the server's database connections wait on, sampled every 100 ms from pg_stat_activity
 * (active backends of its application_name): "CPU" when they wait on nothing.
 */
function waitSampler(db, applicationName) {
  const seen = new Map();
  let samples = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    db.query(
      `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n
         FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' GROUP BY 1`,
      [applicationName],
    )
      .then(({ rows }) => {
        for (const { w, n } of rows) {
          seen.set(w, (seen.get(w) ?? 0) + n);
          samples += n;
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 100);
  return () => {
    clearInterval(timer);
    return [...seen]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([w, n]) => `${w} ${Math.round((100 * n) / Math.max(1, samples))} %`)
      .join(', ');
  };
}

// ---------------------------------------------------------------------------------------------
// Load

let nextEvent = 0;
const runId = randomBytes(4).toString('hex');

/**
 * autocannon against one server. `body(n)` gives the n-th request's body (distinct: a new one
 * each time; duplicate: always the same), signed when it is sent. Exact latency percentiles from
 * every response; status counts; CPU by process; the server's RSS every 250 ms.
 */
function load(base, { seconds, body, pid, waits, path = '/api/events' }) {
  const times = [];
  let sent = 0;
  const stopWaits = waits ? waitSampler(waits.db, waits.applicationName) : () => '';
  const statuses = new Map();
  let peakRss = rssMb(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 250);
  const cpuBefore = cpuSeconds(pid);
  const slowBefore = slowQueries;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path,
            setupRequest: (req) => {
              const raw = body(nextEvent++);
              sent++;
              return { ...req, body: raw, headers: signedHeaders(SIGNING_SECRET, raw) };
            },
          },
        ],
      },
      (err, result) => {
        clearInterval(sampler);
        const waitsSeen = stopWaits();
        if (err) return reject(err);
        const cpuAfter = cpuSeconds(pid);
        times.sort((a, b) => a - b);
        const at = (q) =>
          times.length ? times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] : NaN;
        const accepted = statuses.get(202) ?? 0;
        resolve({
          seconds: result.duration,
          sent,
          accepted,
          rate: accepted / result.duration,
          p50: at(0.5),
          p99: at(0.99),
          max: times.at(-1) ?? NaN,
          other: [...statuses].filter(([s]) => s !== 202).map(([s, n]) => `${n}×${s}`),
          errors: result.errors + result.timeouts,
          peakRss,
          endRss: rssMb(pid),
          waits: waitsSeen,
          slowQueries: slowQueries - slowBefore,
          cpu: {
            server: cpuAfter.server - cpuBefore.server,
            postgres: cpuAfter.postgres - cpuBefore.postgres,
            loadGenerator: cpuAfter.loadGenerator - cpuBefore.loadGenerator,
            machine: cpuAfter.machine - cpuBefore.machine,
          },
        });
      },
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      times.push(responseTime);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });
}

async function post(base, path, body, headers = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** One signed request and one with a wrong signature: the server checks what the load sends. */
async function check(name, base, routingKey) {
  const raw = triggerBody(routingKey, runId, nextEvent++);
  const ok = await post(base, '/api/events', raw, signedHeaders(SIGNING_SECRET, raw));
  if (ok.status !== 202)
    throw new Error(`${name}: a signed event got HTTP ${ok.status} ${JSON.stringify(ok.body)}`);
  const bad = await post(base, '/api/events', raw, signedHeaders('not the secret', raw));
  if (bad.status !== 401) throw new Error(`${name}: a wrongly signed event got HTTP ${bad.status}`);
  const again = await post(base, '/api/events', raw, signedHeaders(SIGNING_SECRET, raw));
  if (again.status !== 202 || again.body.event_id !== ok.body.event_id || again.body.duplicate !== true) {
    throw new Error(`${name}: a resent body was not answered as a duplicate: ${JSON.stringify(again.body)}`);
  }
}

/** Seconds until no inbound event is `accepted` (the worker has processed the backlog), or null. */
async function drain(db, backlogAtStart) {
  const started = performance.now();
  let left = backlogAtStart;
  while (left > 0) {
    if (performance.now() - started > DRAIN_TIMEOUT_S * 1000) return { seconds: null, left };
    await sleep(250);
    left = (await db.query(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'accepted'`)).rows[0]
      .n;
  }
  return { seconds: (performance.now() - started) / 1000, left: 0 };
}

/**
 * Waits until the worker has no job it could run now (the outbound syncs to the simulator that the
 * processed events queued, among others), so the next load does not run beside leftover work.
 * Returns the seconds waited, or null at the timeout.
 */
async function settle(db) {
  const started = performance.now();
  for (;;) {
    const { n } = (
      await db.query(
        `SELECT count(*)::int AS n FROM graphile_worker.jobs
          WHERE run_at <= now() + interval '1 second' AND attempts < max_attempts`,
      )
    ).rows[0];
    if (n === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > DRAIN_TIMEOUT_S * 1000) {
      log(`the worker still had ${n} runnable jobs after ${DRAIN_TIMEOUT_S} s; going on`);
      return null;
    }
    await sleep(250);
  }
}

const countAccepted = async (db) =>
  (await db.query(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'accepted'`)).rows[0].n;

// ---------------------------------------------------------------------------------------------
// Database

/** DATABASE_URL's server with a fresh DB_NAME, or an embedded server in `dir`. */
function startDatabase(dir) {
  return startBenchDatabase(DB_NAME, dir);
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

function median(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function loadRow(name, r) {
  return {
    load: name,
    'events/s': fmt(r.rate),
    'p50 ms': fmt(r.p50, 1),
    'p99 ms': fmt(r.p99, 1),
    'max ms': fmt(r.max, 0),
    '202s': fmt(r.accepted),
    'other answers': [...r.other, ...(r.errors ? [`${r.errors} errors`] : [])].join(', ') || 'none',
    'server RSS peak MB': fmt(r.peakRss),
  };
}

/** Where the time went: CPU per event by process, what the server's DB connections waited on. */
function diagnosisRow(name, r) {
  return {
    load: name,
    'server CPU ms/event': fmt((r.cpu.server * 1000) / Math.max(1, r.accepted), 3),
    'PostgreSQL CPU ms/event': fmt((r.cpu.postgres * 1000) / Math.max(1, r.accepted), 3),
    'DB connections (active) wait on': r.waits || '–',
    'slow-query warnings': r.slowQueries,
    'rest of machine CPU %': fmt(
      (100 * (r.cpu.machine - r.cpu.server - r.cpu.postgres - r.cpu.loadGenerator)) /
        (r.seconds * cpus().length),
    ),
  };
}

/** Statements per request sent of one application_name during a load, less the pool's idle rate. */
function perEvent(snapshot, idle, app, sent, seconds, idleSeconds) {
  const c = snapshot.byApp[app] ?? { queries: 0, executes: 0, bySql: [] };
  const i = idle?.byApp[app] ?? { queries: 0, executes: 0 };
  const statements = c.queries + c.executes;
  const background = ((i.queries + i.executes) / idleSeconds) * seconds;
  return {
    statements,
    background,
    perEvent: (statements - background) / Math.max(1, sent),
    top: [...c.bySql].sort((a, b) => b[1] - a[1]).slice(0, 8),
  };
}

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'nexecute-bench-ingest-'));
if (process.getuid?.() === 0) chmodSync(dir, 0o755); // PostgreSQL runs as 'postgres' when we are root
let database;
let db;
let simulator;
let exitCode = 0;
try {
  simulator = await startSimulator();
  database = await startDatabase(dir);
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  await db.query(BARE_TABLE_SQL);
  postmasterPid = await findPostmaster(db);
  const server = (
    await db.query(`SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb,
                           current_setting('synchronous_commit') AS sc, current_setting('max_connections') AS mc`)
  ).rows[0];
  log(
    `PostgreSQL ${server.v} (${database.kind}), shared_buffers ${server.sb}, synchronous_commit ${server.sc}`,
  );

  // -- The app, worker on, and its event source. ----------------------------------------------
  let { app, base } = await startApp(database.url, dir, { worker: APP_WORKER });
  const login = await post(base, '/api/auth/login', { ...ADMIN, tokenDelivery: 'body' });
  if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${JSON.stringify(login.body)}`);
  const bearer = { authorization: `Bearer ${login.body.accessToken}` };
  const created = await post(
    base,
    '/api/event-sources',
    { name: 'bench ingest', signingSecret: SIGNING_SECRET, rateLimitPerMinute: RATE_LIMIT_PER_MINUTE },
    bearer,
  );
  if (created.status !== 201) {
    throw new Error(`POST /api/event-sources: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  }
  const routingKey = created.body.integrationKey;
  const source = created.body.source;
  log(`event source ${source.id}: signed ${source.signed}, ${source.rateLimitPerMinute} events/min`);

  // -- The bare handler, on the same database. -------------------------------------------------
  const barePort = await freePort();
  const bareEnv = {
    DATABASE_URL: database.url,
    PORT: String(barePort),
    ROUTING_KEY: routingKey,
    SIGNING_SECRET,
    SCOPE: `source:${source.id}`,
    POOL_SIZE: String(POOL_SIZE),
  };
  const bare = (await forkReady('bare-handler.mjs', bareEnv)).child;
  const bareBase = `http://127.0.0.1:${barePort}`;
  let notifying = null;
  if (NOTIFY_VARIANT) {
    const port = await freePort();
    const env = { ...bareEnv, PORT: String(port), NOTIFY: '1', APPLICATION_NAME: 'bench-bare-notify' };
    notifying = { child: (await forkReady('bare-handler.mjs', env)).child, base: `http://127.0.0.1:${port}` };
    await check('bare handler + pg_notify', notifying.base, routingKey);
  }

  await check('bare handler', bareBase, routingKey);
  await check('app', base, routingKey);
  const bareWaits = { db, applicationName: 'bench-bare-handler' };
  const appWaits = { db, applicationName: 'nexecute-connect' };

  const distinct = (n) => triggerBody(routingKey, runId, n);
  const results = { bare: [], app: [], notify: [], drains: [], snBare: [], snApp: [], snDrains: [] };

  log(`warm-up: ${WARMUP_SECONDS} s each`);
  await load(bareBase, { seconds: WARMUP_SECONDS, body: distinct, pid: bare.pid });
  await load(base, { seconds: WARMUP_SECONDS, body: distinct, pid: app.pid });
  if (APP_WORKER) {
    await drain(db, await countAccepted(db));
    await settle(db);
  }

  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}: bare handler, distinct events, ${SECONDS} s`);
    results.bare.push(
      await load(bareBase, { seconds: SECONDS, body: distinct, pid: bare.pid, waits: bareWaits }),
    );
    if (notifying) {
      log(`round ${round}/${ROUNDS}: bare handler + pg_notify, distinct events, ${SECONDS} s`);
      const waits = { db, applicationName: 'bench-bare-notify' };
      results.notify.push(
        await load(notifying.base, { seconds: SECONDS, body: distinct, pid: notifying.child.pid, waits }),
      );
    }
    log(`round ${round}/${ROUNDS}: app, distinct events, ${SECONDS} s`);
    const r = await load(base, { seconds: SECONDS, body: distinct, pid: app.pid, waits: appWaits });
    results.app.push(r);
    if (APP_WORKER) {
      const backlog = await countAccepted(db);
      log(`backlog left by the load: ${backlog} events accepted, not yet processed; waiting for the worker`);
      const before = cpuSeconds(app.pid);
      const d = await drain(db, backlog);
      const after = cpuSeconds(app.pid);
      const cpu = { app: after.server - before.server, postgres: after.postgres - before.postgres };
      const settled = await settle(db);
      if (settled)
        log(`then ${settled.toFixed(1)} s until the worker's other jobs (outbound syncs) were done`);
      results.drains.push({ accepted: r.accepted, backlog, cpu, ...d });
    }
  }

  // -- ServiceNow's webhook: the same inbox behind another endpoint. ----------------------------
  if (SERVICENOW) {
    const snBody = (n) => servicenowWebhookBody(runId, n);
    const probe = snBody(nextEvent++);
    const probed = await post(base, SERVICENOW_PATH, probe, signedHeaders(SIGNING_SECRET, probe));
    if (probed.status !== 202) {
      throw new Error(
        `app ${SERVICENOW_PATH}: a signed webhook got HTTP ${probed.status} ${JSON.stringify(probed.body)}`,
      );
    }
    await load(base, { seconds: WARMUP_SECONDS, body: snBody, pid: app.pid, path: SERVICENOW_PATH });
    if (APP_WORKER) {
      await drain(db, await countAccepted(db));
      await settle(db);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}: bare handler, ServiceNow webhooks, ${SECONDS} s`);
      results.snBare.push(
        await load(bareBase, {
          seconds: SECONDS,
          body: snBody,
          pid: bare.pid,
          waits: bareWaits,
          path: SERVICENOW_PATH,
        }),
      );
      log(`round ${round}/${ROUNDS}: app, ServiceNow webhooks, ${SECONDS} s`);
      const r = await load(base, {
        seconds: SECONDS,
        body: snBody,
        pid: app.pid,
        waits: appWaits,
        path: SERVICENOW_PATH,
      });
      results.snApp.push(r);
      if (APP_WORKER) {
        const backlog = await countAccepted(db);
        log(`backlog left by the webhook load: ${backlog}; waiting for the worker`);
        results.snDrains.push({ accepted: r.accepted, backlog, ...(await drain(db, backlog)) });
        await settle(db);
      }
    }
  }

  // -- Duplicates: one body, stored once, resent. ----------------------------------------------
  const dupBody = triggerBody(routingKey, `${runId}-dup`, 0);
  for (const b of [bareBase, base]) {
    const first = await post(b, '/api/events', dupBody, signedHeaders(SIGNING_SECRET, dupBody));
    if (first.status !== 202) throw new Error(`duplicate prime: HTTP ${first.status}`);
  }
  if (APP_WORKER) {
    await drain(db, await countAccepted(db));
    await settle(db);
  }
  log(`duplicates: ${DUP_SECONDS} s each`);
  const bareDup = await load(bareBase, {
    seconds: DUP_SECONDS,
    body: () => dupBody,
    pid: bare.pid,
    waits: bareWaits,
  });
  const appDup = await load(base, {
    seconds: DUP_SECONDS,
    body: () => dupBody,
    pid: app.pid,
    waits: appWaits,
  });
  const dupRows = (
    await db.query(
      `SELECT count(*) FILTER (WHERE status = 'duplicate')::int AS duplicates,
              count(*) FILTER (WHERE status <> 'duplicate')::int AS firsts,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM inbound_events`,
    )
  ).rows[0];
  const appRssAfter = rssMb(app.pid);
  await stop(app);
  await stop(bare);
  await stop(notifying?.child);

  // -- Statements per event, through the counting proxy. ---------------------------------------
  let counts = null;
  if (!SKIP_COUNT) {
    const target = new URL(database.url);
    const { child: proxy, message } = await forkReady('counting-proxy.mjs', {
      TARGET_HOST: target.hostname,
      TARGET_PORT: target.port || '5432',
    });
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(message.port);
    const ask = (m) =>
      new Promise((resolve) => {
        proxy.once('message', resolve);
        proxy.send(m);
      });
    log('statement count: the app (worker off) and the bare handler through the counting proxy');
    ({ app, base } = await startApp(viaProxy.toString(), dir, { worker: false }));
    const countedBare = (
      await forkReady('bare-handler.mjs', { ...bareEnv, DATABASE_URL: viaProxy.toString() })
    ).child;
    await check('app via proxy', base, routingKey);
    await check('bare handler via proxy', bareBase, routingKey);
    await load(base, { seconds: 1, body: distinct, pid: app.pid }); // every pool connection open and prepared

    const idleSeconds = 3;
    await sleep(1000); // autocannon ends with requests still in flight: let them finish first
    await ask('reset');
    await sleep(idleSeconds * 1000);
    const idle = await ask('snapshot');
    // Counted from the reset to a second after the load, when the requests autocannon left in
    // flight have finished too; so the events are the requests sent, not the answers received.
    const measure = async (b, pid, body, applicationName) => {
      await ask('reset');
      const r = await load(b, { seconds: COUNT_SECONDS, body, pid, waits: { db, applicationName } });
      await sleep(1000);
      return { r, snapshot: await ask('snapshot') };
    };
    const appDistinct = await measure(base, app.pid, distinct, 'nexecute-connect');
    const appDuplicate = await measure(base, app.pid, () => dupBody, 'nexecute-connect');
    const bareDistinct = await measure(bareBase, countedBare.pid, distinct, 'bench-bare-handler');
    const bareDuplicate = await measure(bareBase, countedBare.pid, () => dupBody, 'bench-bare-handler');
    const of = (m, name) => perEvent(m.snapshot, idle, name, m.r.sent, m.r.seconds + 1, idleSeconds);
    counts = {
      idle,
      idleSeconds,
      appDistinct: { ...of(appDistinct, 'nexecute-connect'), r: appDistinct.r },
      appDuplicate: { ...of(appDuplicate, 'nexecute-connect'), r: appDuplicate.r },
      bareDistinct: { ...of(bareDistinct, 'bench-bare-handler'), r: bareDistinct.r },
      bareDuplicate: { ...of(bareDuplicate, 'bench-bare-handler'), r: bareDuplicate.r },
      idleTop: (idle.byApp['nexecute-connect']?.bySql ?? []).sort((a, b) => b[1] - a[1]).slice(0, 4),
      otherPools: Object.entries(appDistinct.snapshot.byApp)
        .filter(([name]) => name !== 'nexecute-connect' && name !== 'bench-bare-handler')
        .map(([name, c]) => `${name} ${c.queries + c.executes}`),
    };
    await stop(app);
    await stop(countedBare);

    // Processing: the backlog the counted loads left (the worker was off), drained by the app with
    // its worker on, still through the proxy: statements of every pool per processed event.
    const backlog = await countAccepted(db);
    if (backlog > 0) {
      log(`statement count: processing the ${backlog} events the counted loads left (worker on)`);
      await ask('reset');
      ({ app, base } = await startApp(viaProxy.toString(), dir, { worker: true }));
      const d = await drain(db, backlog);
      const snapshot = await ask('snapshot');
      const processed = backlog - d.left;
      const all = Object.entries(snapshot.byApp).flatMap(([pool, c]) =>
        c.bySql.map(([sql, n]) => [`${pool}: ${sql}`, n]),
      );
      const total = all.reduce((sum, [, n]) => sum + n, 0);
      counts.processing = {
        processed,
        seconds: d.seconds,
        perEvent: total / Math.max(1, processed),
        top: all.sort((a, b) => b[1] - a[1]).slice(0, 12),
      };
      await stop(app);
    }
    await stop(proxy);
  }

  // -- Report ----------------------------------------------------------------------------------
  const bareRate = median(results.bare.map((r) => r.rate));
  const appRate = median(results.app.map((r) => r.rate));
  const appP50 = median(results.app.map((r) => r.p50));
  const appP99 = median(results.app.map((r) => r.p99));
  const appPeakRss = Math.max(...results.app.map((r) => r.peakRss), appDup.peakRss);
  const ratio = appRate / bareRate;

  console.log(
    `\nbench/ingest: signed PagerDuty Events v2 triggers, ${CONNECTIONS} connections, ${SECONDS} s per distinct load, ` +
      `${ROUNDS} round(s), ${DUP_SECONDS} s per duplicate load; node ${process.version}, ${cpus().length} cores ` +
      `shared by app, bare handler, PostgreSQL ${server.v} (${database.kind}, shared_buffers ${server.sb}) and autocannon; ` +
      `app worker ${APP_WORKER ? 'on' : 'off'}, pools of ${POOL_SIZE}.\n`,
  );
  const loads = [
    ...results.bare.map((r, i) => [`bare handler, distinct #${i + 1}`, r]),
    ...results.notify.map((r, i) => [`(diagnostic) bare + pg_notify, distinct #${i + 1}`, r]),
    ...results.app.map((r, i) => [`app POST /api/events, distinct #${i + 1}`, r]),
    ['bare handler, duplicate', bareDup],
    ['app POST /api/events, duplicate', appDup],
    ...results.snBare.map((r, i) => [`bare handler, ServiceNow webhook #${i + 1}`, r]),
    ...results.snApp.map((r, i) => [`app POST ${SERVICENOW_PATH} #${i + 1}`, r]),
  ];
  console.table(loads.map(([name, r]) => loadRow(name, r)));
  console.log(
    '\nWhere the time went (CPU from /proc; waits sampled every 100 ms from pg_stat_activity; ' +
      '"rest of machine" is CPU used by processes outside this bench, i.e. noise):',
  );
  console.table(loads.map(([name, r]) => diagnosisRow(name, r)));

  if (results.drains.length) {
    console.log(
      '\nBacklog the distinct load left for the worker (inbound events still `accepted` when the load ended):',
    );
    console.table(
      results.drains.map((d, i) => ({
        round: i + 1,
        'accepted (202)': fmt(d.accepted),
        'backlog at end': fmt(d.backlog),
        'processed during load': fmt(d.accepted - d.backlog),
        'drain s': d.seconds === null ? `> ${DRAIN_TIMEOUT_S} (${d.left} left)` : fmt(d.seconds, 1),
        'drain events/s': d.seconds ? fmt(d.backlog / d.seconds) : '–',
        'app CPU ms/event': fmt((d.cpu.app * 1000) / Math.max(1, d.backlog - d.left), 2),
        'PostgreSQL CPU ms/event': fmt((d.cpu.postgres * 1000) / Math.max(1, d.backlog - d.left), 2),
      })),
    );
  }
  console.log(
    `\nInbox after the duplicate loads: ${fmt(dupRows.firsts)} first receipts, ${fmt(dupRows.duplicates)} duplicate receipts ` +
      `logged, ${fmt(dupRows.failed)} failed. App RSS after the loads: ${fmt(appRssAfter)} MB.`,
  );

  if (counts) {
    console.log(
      `\nStatements per event on the request path: Query ('Q') + Execute ('E') protocol messages counted by a proxy ` +
        `between the pool and PostgreSQL (bench/ingest/counting-proxy.mjs), ${COUNT_SECONDS} s at ${CONNECTIONS} connections, ` +
        `app worker off; the pool's idle rate over ${counts.idleSeconds} s is subtracted. Other pools during the app's load: ` +
        `${counts.otherPools.join(', ') || 'none'}.`,
    );
    console.table(
      ['appDistinct', 'appDuplicate', 'bareDistinct', 'bareDuplicate'].map((k) => ({
        load: {
          appDistinct: 'app, distinct',
          appDuplicate: 'app, duplicate',
          bareDistinct: 'bare, distinct',
          bareDuplicate: 'bare, duplicate',
        }[k],
        'requests sent': fmt(counts[k].r.sent),
        '202s': fmt(counts[k].r.accepted),
        statements: fmt(counts[k].statements),
        'idle rate share': fmt(counts[k].background, 1),
        'per event': fmt(counts[k].perEvent, 2),
        'events/s (via proxy)': fmt(counts[k].r.rate),
        'DB connections wait on': counts[k].r.waits || '–',
        'rest of machine CPU %': diagnosisRow('', counts[k].r)['rest of machine CPU %'],
      })),
    );
    console.log(`  app's pool while idle (${counts.idleSeconds} s), statements by SQL`);
    for (const [sql, n] of counts.idleTop) console.log(`    ${String(n).padStart(7)} in all  ${sql}`);
    if (!counts.idleTop.length) console.log('          none');
    for (const k of ['appDistinct', 'appDuplicate']) {
      console.log(`  ${k === 'appDistinct' ? 'app, distinct' : 'app, duplicate'}: statements by SQL`);
      for (const [sql, n] of counts[k].top) {
        console.log(`    ${fmt(n / Math.max(1, counts[k].r.sent), 3).padStart(7)} /event  ${sql}`);
      }
    }
  }

  if (counts?.processing) {
    const p = counts.processing;
    console.log(
      `\nProcessing (not the request path): ${fmt(p.processed)} events processed by the worker through the proxy ` +
        `in ${fmt(p.seconds, 1)} s (app start-up included), ${fmt(p.perEvent, 1)} statements per processed event, ` +
        `all pools (start-up's included); the most frequent:`,
    );
    for (const [sql, n] of p.top) {
      console.log(`    ${fmt(n / Math.max(1, p.processed), 2).padStart(7)} /event  ${sql.slice(0, 150)}`);
    }
  }

  const perEventApp = counts?.appDistinct.perEvent ?? NaN;
  console.log('\nTargets:');
  console.table([
    {
      figure: 'app rate / bare rate (distinct)',
      measured: `${fmt(appRate)} / ${fmt(bareRate)} events/s = ${fmt(ratio * 100, 1)} %`,
      target: '≥ 50 %',
      verdict: verdict(ratio >= TARGETS.ratio),
    },
    { figure: 'app p50 (distinct)', measured: `${fmt(appP50, 1)} ms`, target: '–', verdict: '' },
    {
      figure: 'app p99 (distinct)',
      measured: `${fmt(appP99, 1)} ms`,
      target: `≤ ${TARGETS.p99} ms`,
      verdict: verdict(appP99 <= TARGETS.p99),
    },
    {
      figure: 'SQL statements per event, request path',
      measured: counts
        ? `${fmt(perEventApp, 2)} (duplicate: ${fmt(counts.appDuplicate.perEvent, 2)})`
        : 'skipped',
      target: `≤ ${TARGETS.statements}`,
      verdict: counts ? verdict(perEventApp <= TARGETS.statements) : '',
    },
    {
      figure: 'app resident memory, peak during load',
      measured: `${fmt(appPeakRss)} MB`,
      target: `≤ ${TARGETS.rssMb} MB`,
      verdict: verdict(appPeakRss <= TARGETS.rssMb),
    },
    {
      figure: 'worker: backlog drain',
      measured: results.drains.length
        ? results.drains
            .map((d) =>
              d.seconds === null
                ? `> ${DRAIN_TIMEOUT_S} s`
                : `${fmt(d.backlog)} events in ${fmt(d.seconds, 1)} s`,
            )
            .join('; ')
        : 'worker off',
      target: '(reported)',
      verdict: '',
    },
    ...(results.snApp.length
      ? (() => {
          const snBare = median(results.snBare.map((r) => r.rate));
          const snApp = median(results.snApp.map((r) => r.rate));
          const snP99 = median(results.snApp.map((r) => r.p99));
          return [
            {
              figure: 'ServiceNow webhook: app rate / bare rate',
              measured: `${fmt(snApp)} / ${fmt(snBare)} webhooks/s = ${fmt((snApp / snBare) * 100, 1)} %`,
              target: '≥ 50 %',
              verdict: verdict(snApp / snBare >= TARGETS.ratio),
            },
            {
              figure: 'ServiceNow webhook: app p99',
              measured: `${fmt(snP99, 1)} ms (p50 ${fmt(median(results.snApp.map((r) => r.p50)), 1)} ms)`,
              target: `≤ ${TARGETS.p99} ms`,
              verdict: verdict(snP99 <= TARGETS.p99),
            },
            {
              figure: 'ServiceNow webhook: backlog drain',
              measured: results.snDrains.length
                ? results.snDrains
                    .map((d) =>
                      d.seconds === null
                        ? `> ${DRAIN_TIMEOUT_S} s`
                        : `${fmt(d.backlog)} webhooks in ${fmt(d.seconds, 1)} s`,
                    )
                    .join('; ')
                : 'worker off',
              target: '(reported)',
              verdict: '',
            },
          ];
        })()
      : []),
  ]);
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await db?.end().catch(() => undefined);
  for (const child of [...children]) await stop(child);
  await database?.stop().catch((e) => console.error(e));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
