// Sync lag between ServiceNow and us, both ways (issue 13, "Bench"):
//
//   npm run build -w backend && npm run bench:servicenow-sync
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:servicenow-sync
//
// What it does:
//   1. A fresh database: DATABASE_URL's server (the bench creates and drops `nx_bench_sn_sync`),
//      or the app's embedded PostgreSQL in a temporary folder.
//   2. The ServiceNow instance simulator in this process (backend/test/simulators/), its business
//      rule sending every change (ours included, as the rule in docs/servicenow.md does) to the
//      app's POST /api/webhooks/servicenow; the built app (`NODE_ENV=production`, worker on) as a
//      child process, connected to the simulator through the SERVICENOW_* variables. The bench
//      waits for the first import (of nothing) to finish.
//   3. There → here: BENCH_CHANGES changes made on the simulator as ServiceNow people make them,
//      as fast as it takes them: BENCH_INCIDENTS incidents opened, then field updates and comments
//      on them, round robin. A change is "in our database" when the incident's link row holds the
//      record's sys_mod_count (or a later one) and, for a comment, its journal row is linked;
//      the database is polled every BENCH_POLL_MS. Lag per change: seen here − made there.
//   4. Here → there: BENCH_CHANGES changes through our API (BENCH_API_CONCURRENCY requests in
//      flight, never two on one incident): BENCH_INCIDENTS incidents created, then title updates
//      and comments, each carrying a unique marker. The simulator's onChange sees each write of
//      the integration user; a change is "on the simulator" when its marker is (or a later title
//      of the same incident, should the sync have written only the newest). Lag per change:
//      seen there − our API's answer (the change committed here).
//   5. A table: changes, arrived, total time (first made → last seen), changes/s, lag p50/p99/max.
//
// Options (environment): BENCH_CHANGES (1000), BENCH_INCIDENTS (200), BENCH_API_CONCURRENCY (10),
// BENCH_POLL_MS (20), BENCH_TIMEOUT_S (300, per direction), BENCH_VERBOSE=1 (the app's log lines).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { startBenchDatabase } from '../shared/bench-database.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const requireBackend = createRequire(join(root, 'backend/package.json'));
const pg = requireBackend('pg');

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const INCIDENTS = Math.min(CHANGES, Number(process.env.BENCH_INCIDENTS ?? 200));
const API_CONCURRENCY = Number(process.env.BENCH_API_CONCURRENCY ?? 10);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 20);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 300) * 1000;
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const DB_NAME = 'nx_bench_sn_sync';
const ADMIN = { email: 'bench@nexecute.local', password: 'Bench passphrase for figures 9' };
const WEBHOOK_SECRET = randomBytes(24).toString('base64url');

if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build -w backend` first.');
  process.exit(1);
}

// The simulator is TypeScript: compiled on load by the tests' hook (our .ts files only).
requireBackend('./test/support/register-typescript.cjs');
const { ServiceNowSimulator, DEFAULT_CLIENT, DEFAULT_USERS } = requireBackend(
  './test/simulators/servicenow.simulator.ts',
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (text) => console.error(`[bench:servicenow-sync] ${text}`);
const now = () => performance.now();

// ---------------------------------------------------------------------------------------------
// Database, app

/** DATABASE_URL's server with a fresh DB_NAME, or an embedded server in `dir`. */
function startDatabase(dir) {
  return startBenchDatabase(DB_NAME, dir);
}

async function startApp(databaseUrl, dir, port, sim) {
  const integration = DEFAULT_USERS[0];
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: 'bench-sn-sync-jwt-secret-0123456789abcdef',
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    COOKIE_SECURE: 'false',
    SERVICENOW_INSTANCE_URL: sim.url,
    SERVICENOW_CLIENT_ID: DEFAULT_CLIENT.clientId,
    SERVICENOW_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
    SERVICENOW_USERNAME: integration.userName,
    SERVICENOW_PASSWORD: integration.password,
    SERVICENOW_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
  delete env.DATABASE_POOL_SIZE;
  const app = spawn(process.execPath, ['backend/dist/backend/src/main.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let warnings = 0;
  createInterface({ input: app.stdout }).on('line', (line) => {
    if (line.includes('"level":"warn"') || line.includes('"level":"error"')) warnings++;
    if (VERBOSE) console.error(line);
  });
  const exited = new Promise((r) => app.once('exit', (code, signal) => r(signal ?? code)));
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(base, { timeoutMs: 120_000, exited });
  return { app, base, warnings: () => warnings };
}

async function stopApp(app) {
  if (!app || app.exitCode !== null || app.signalCode !== null) return;
  const exited = new Promise((r) => app.once('exit', r));
  app.kill('SIGTERM');
  const timer = setTimeout(() => app.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function api(base, bearer, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: bearer } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return json;
}

// ---------------------------------------------------------------------------------------------
// Figures

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

function summarise(direction, changes) {
  const arrived = changes.filter((c) => c.seenAt !== undefined);
  const lags = arrived.map((c) => c.seenAt - c.madeAt).sort((a, b) => a - b);
  const first = Math.min(...changes.map((c) => c.madeAt));
  const last = Math.max(...arrived.map((c) => c.seenAt));
  const totalS = (last - first) / 1000;
  return {
    direction,
    changes: fmt(changes.length),
    arrived: fmt(arrived.length),
    'total s': fmt(totalS, 2),
    'changes/s': fmt(arrived.length / totalS),
    'lag p50 ms': fmt(percentile(lags, 50), 1),
    'lag p99 ms': fmt(percentile(lags, 99), 1),
    'lag max ms': fmt(lags.at(-1), 1),
  };
}

// ---------------------------------------------------------------------------------------------
// There → here: changes made on the simulator

const SERVICES = ['Checkout API', 'Mail relay', 'VPN gateway', 'Payroll export', 'Wiki search'];
const PEOPLE = DEFAULT_USERS.slice(1).map((u) => u.userName);

async function thereToHere(sim, db) {
  /** @type {{ sysId: string, modCount: number, journalSysId?: string, madeAt: number, seenAt?: number }[]} */
  const changes = [];
  const sysIds = [];
  const person = (i) => PEOPLE[i % PEOPLE.length];
  // When our endpoint answered 2xx to each event (the rule sends one at a time, in order).
  const answered = new Map();
  sim.webhook.configure({
    onAttempt: (a) => {
      if (a.status !== undefined && a.status < 300 && !answered.has(a.eventId))
        answered.set(a.eventId, now());
    },
  });
  for (let i = 0; i < INCIDENTS; i++) {
    const record = sim.createAsUser(
      {
        short_description: `${SERVICES[i % SERVICES.length]}: errors for some users (bench ${i})`,
        description: 'Reported by the service desk.',
        impact: String(1 + (i % 3)),
        urgency: String(1 + ((i >> 1) % 3)),
        category: 'software',
      },
      person(i),
    );
    sysIds.push(record.sys_id);
    changes.push({ sysId: record.sys_id, modCount: Number(record.sys_mod_count), madeAt: now() });
  }
  for (let k = INCIDENTS; k < CHANGES; k++) {
    const i = k % INCIDENTS;
    const sysId = sysIds[i];
    if (k % 4 === 3) {
      const entry = sim.addJournal(sysId, 'comments', `Customer update ${k}: still failing`, person(k));
      const record = sim.record(sysId);
      changes.push({
        sysId,
        modCount: Number(record.sys_mod_count),
        journalSysId: entry.sys_id,
        madeAt: now(),
      });
    } else {
      const fields =
        k % 4 === 0
          ? { short_description: `${SERVICES[i % SERVICES.length]}: errors for all users (change ${k})` }
          : k % 4 === 1
            ? { impact: String(1 + ((k >> 2) % 3)) }
            : { description: `Investigating, step ${k}.` };
      const record = sim.updateAsUser(sysId, fields, person(k));
      changes.push({ sysId, modCount: Number(record.sys_mod_count), madeAt: now() });
    }
  }
  const madeIn = (Math.max(...changes.map((c) => c.madeAt)) - changes[0].madeAt) / 1000;
  log(`there → here: ${changes.length} changes made on the simulator in ${fmt(madeIn, 2)} s`);

  const journalIds = changes.filter((c) => c.journalSysId).map((c) => c.journalSysId);
  const deadline = Date.now() + TIMEOUT_MS;
  let left = changes.length;
  while (left > 0 && Date.now() < deadline) {
    const links = await db.query(
      'SELECT sys_id, sys_mod_count FROM servicenow_links WHERE sys_id = ANY($1)',
      [sysIds],
    );
    const journal = await db.query(
      'SELECT journal_sys_id FROM servicenow_journal_links WHERE journal_sys_id = ANY($1)',
      [journalIds],
    );
    const at = now();
    const mods = new Map(links.rows.map((r) => [r.sys_id, r.sys_mod_count]));
    const linked = new Set(journal.rows.map((r) => r.journal_sys_id));
    left = 0;
    for (const c of changes) {
      if (c.seenAt !== undefined) continue;
      const mod = mods.get(c.sysId);
      const inHere = mod !== undefined && mod !== null && mod >= c.modCount;
      if (inHere && (!c.journalSysId || linked.has(c.journalSysId))) c.seenAt = at;
      else left++;
    }
    if (left > 0) await sleep(POLL_MS);
  }
  if (left > 0) log(`there → here: ${left} changes not in our database after ${TIMEOUT_MS / 1000} s`);
  for (const c of changes) {
    c.answeredAt = answered.get(c.journalSysId ? `journal:${c.journalSysId}` : `${c.sysId}:${c.modCount}`);
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Here → there: changes made through our API

async function pool(items, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function hereToThere(sim, base, bearer) {
  const integrationUser = DEFAULT_USERS[0].userName;
  /** @type {Map<string, { marker: string, incident: number, kind: 'title'|'comment'|'create', seq: number, madeAt?: number, sentAt?: number, seenAt?: number }>} */
  const byMarker = new Map();
  const changes = [];
  const add = (marker, incident, kind) => {
    const c = { marker, incident, kind, seq: changes.length };
    changes.push(c);
    byMarker.set(marker, c);
    return c;
  };
  const MARK = /\[h(\d+)\]/g;
  const seenMarker = (text, at) => {
    for (const m of String(text ?? '').matchAll(MARK)) {
      const c = byMarker.get(m[0]);
      if (!c || c.seenAt !== undefined) continue;
      c.seenAt = at;
      // The newest title written there stands for the older ones of the same incident.
      if (c.kind !== 'comment') {
        for (const o of changes) {
          if (o.incident === c.incident && o.kind !== 'comment' && o.seq < c.seq && o.seenAt === undefined)
            o.seenAt = at;
        }
      }
    }
  };
  const stop = sim.onChange((change) => {
    if (change.userName !== integrationUser || change.kind === 'deleted') return;
    const at = now();
    seenMarker(change.record.short_description, at);
    for (const entry of change.journal) seenMarker(entry.value, at);
  });

  const ids = [];
  const creates = Array.from({ length: INCIDENTS }, (_, i) => add(`[h${i}]`, i, 'create'));
  const apiMs = [];
  await pool(creates, API_CONCURRENCY, async (c) => {
    c.sentAt = now();
    const incident = await api(base, bearer, 'POST', '/api/incidents', {
      title: `${SERVICES[c.incident % SERVICES.length]} degraded ${c.marker}`,
      description: 'Opened by the on-call engineer.',
      impact: 1 + (c.incident % 3),
      urgency: 1 + ((c.incident >> 1) % 3),
      category: 'software',
    });
    c.madeAt = now();
    apiMs.push(c.madeAt - c.sentAt);
    ids[c.incident] = incident.id;
  });
  // Later changes round robin over the incidents: one round's requests touch distinct incidents.
  for (let from = INCIDENTS; from < CHANGES; from += INCIDENTS) {
    const round = [];
    for (let k = from; k < Math.min(CHANGES, from + INCIDENTS); k++) {
      round.push(add(`[h${k}]`, k % INCIDENTS, k % 3 === 2 ? 'comment' : 'title'));
    }
    await pool(round, API_CONCURRENCY, async (c) => {
      const id = ids[c.incident];
      c.sentAt = now();
      if (c.kind === 'comment') {
        await api(base, bearer, 'POST', `/api/incidents/${id}/comments`, {
          body: `Rolled back the last deploy ${c.marker}`,
          kind: 'comment',
        });
      } else {
        await api(base, bearer, 'PATCH', `/api/incidents/${id}`, {
          title: `${SERVICES[c.incident % SERVICES.length]} degraded, update ${c.marker}`,
        });
      }
      c.madeAt = now();
      apiMs.push(c.madeAt - c.sentAt);
    });
  }
  const madeIn =
    (Math.max(...changes.map((c) => c.madeAt)) - Math.min(...changes.map((c) => c.sentAt))) / 1000;
  log(`here → there: ${changes.length} changes made through our API in ${fmt(madeIn, 2)} s`);

  const deadline = Date.now() + TIMEOUT_MS;
  while (changes.some((c) => c.seenAt === undefined) && Date.now() < deadline) await sleep(POLL_MS);
  stop();
  const left = changes.filter((c) => c.seenAt === undefined).length;
  if (left > 0) log(`here → there: ${left} changes not on the simulator after ${TIMEOUT_MS / 1000} s`);
  apiMs.sort((a, b) => a - b);
  return { changes, apiMs };
}

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'nexecute-bench-sn-sync-'));
if (process.getuid?.() === 0) chmodSync(dir, 0o755); // PostgreSQL runs as 'postgres' when we are root
let database;
let db;
let sim;
let app;
let exitCode = 0;
const stopAll = async () => {
  await db?.end().catch(() => undefined);
  await stopApp(app?.app);
  await sim?.close().catch(() => undefined);
  await database?.stop().catch((e) => console.error(e));
  rmSync(dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  });
}
try {
  database = await startDatabase(dir);
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const server = (await db.query(`SELECT current_setting('server_version') AS v`)).rows[0];
  const port = await freePort();
  sim = await ServiceNowSimulator.start({
    clientCredentialsGrant: true,
    webhook: {
      url: `http://127.0.0.1:${port}/api/webhooks/servicenow`,
      secret: WEBHOOK_SECRET,
      emitFor: 'all',
      integrationUser: DEFAULT_USERS[0].userName,
      maxLoggedAttempts: 100,
    },
  });
  app = await startApp(database.url, dir, port, sim);
  const login = await api(app.base, null, 'POST', '/api/auth/login', { ...ADMIN, tokenDelivery: 'body' });
  const bearer = `Bearer ${login.accessToken}`;
  // The reconciler's first run (5 s after start) imports what is open: nothing. Start after it.
  const ready = Date.now() + 60_000;
  for (;;) {
    const health = await api(app.base, bearer, 'GET', '/api/integrations/servicenow/health');
    if (health.firstImport?.state === 'done') break;
    if (Date.now() > ready) throw new Error(`first import: ${JSON.stringify(health.firstImport)}`);
    await sleep(250);
  }
  log(
    `PostgreSQL ${server.v} (${database.kind}); node ${process.version}, ${cpus().length} cores shared by ` +
      `the app, PostgreSQL and this process (simulator + load); ${CHANGES} changes each way over ` +
      `${INCIDENTS} incidents; API concurrency ${API_CONCURRENCY}; poll every ${POLL_MS} ms`,
  );

  const there = await thereToHere(sim, db);
  const acks = there.filter((c) => c.answeredAt !== undefined).map((c) => c.answeredAt - c.madeAt);
  acks.sort((a, b) => a - b);
  const lastAck =
    (Math.max(...there.filter((c) => c.answeredAt !== undefined).map((c) => c.answeredAt)) -
      Math.min(...there.map((c) => c.madeAt))) /
    1000;
  // Let the echoes of phase 1 settle, so phase 2 starts on a quiet worker.
  await sleep(2000);
  const { changes: hereChanges, apiMs } = await hereToThere(sim, app.base, bearer);

  console.log(
    `\nbench/servicenow-sync: ${CHANGES} changes each way, ${INCIDENTS} incidents; PostgreSQL ${server.v} ` +
      `(${database.kind}), node ${process.version}, ${cpus().length} cores; app log warnings: ${app.warnings()}\n`,
  );
  console.table([
    summarise('ServiceNow → Nexecute (webhook, inbox, worker)', there),
    summarise('Nexecute → ServiceNow (API, outbox, delivery)', hereChanges),
  ]);
  console.log(
    `ServiceNow → Nexecute, the webhook's 202 (stored in our inbox; the rule sends one at a time): ` +
      `${acks.length} answered, lag p50 ${fmt(percentile(acks, 50), 1)} ms, p99 ${fmt(percentile(acks, 99), 1)} ms, ` +
      `the last ${fmt(lastAck, 2)} s after the first change.`,
  );
  console.log(
    `Our API's answer to the ${apiMs.length} changes made here: p50 ${fmt(percentile(apiMs, 50), 1)} ms, ` +
      `p99 ${fmt(percentile(apiMs, 99), 1)} ms (lag here → there counts from the answer).`,
  );
  const webhooks = sim.webhook.attempts ?? [];
  if (Array.isArray(webhooks)) {
    const failed = webhooks.filter((a) => a.status === undefined || a.status >= 300).length;
    console.log(`Simulator webhook attempts (last ${webhooks.length} kept): ${failed} not answered 2xx.`);
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await stopAll();
}
process.exit(exitCode);
