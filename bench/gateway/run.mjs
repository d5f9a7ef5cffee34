// Live gateway delivery beside a bare Socket.IO server, in one run.
//
//   npm run build -w backend && npm run bench:gateway
//
// 1. The built app on a database of its own (bench/shared/bench-database.mjs), signed in as the
//    bootstrap admin; BENCH_INCIDENTS incidents created over REST.
// 2. bench/gateway/clients.mjs in a SEPARATE process: BENCH_CLIENTS socket.io-client connections
//    (WebSocket), each subscribed to `feed`.
// 3. BENCH_RATE incident updates per second through the API for BENCH_SECONDS: PATCH
//    /api/incidents/:id with If-Match, round-robin over distinct incidents, each a new title.
//    Latency = client receipt − the event's `at` (the domain event's time, set in the committing
//    transaction: commit time to within the transaction's length), p50/p99/max over every
//    delivery to every client. App CPU (utime+stime from /proc) and peak RSS sampled.
// 4. The baseline, same run, same client process: bench/gateway/bare-server.mjs (plain socket.io
//    on node:http) broadcasting frames of the same size at the same rate, `at` = send time.
// 5. Bytes per update: WebSocket message bytes the clients received (after decompression) per
//    event, app (batched) and bare (one event per frame).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';
import { startBenchDatabase } from '../shared/bench-database.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 200);
const ADMIN = { email: 'bench@nexecute.local', password: 'Bench passphrase for figures 9' };
const TARGETS = { p99: 150, rssMb: 250 };
const log = (t) => console.error(`[bench:gateway] ${t}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build -w backend` first.');
  process.exit(1);
}

const children = new Set();
const own = (c) => (children.add(c), c.once('exit', () => children.delete(c)), c);
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ 100
}
function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}
function sampler(pid) {
  let peak = 0;
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
  return () => {
    clearInterval(timer);
    return {
      cpuPct: ((cpuMs(pid) - cpu0) / (performance.now() - t0)) * 100,
      peakRssMb: Math.max(peak, rssMb(pid)),
    };
  };
}
function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}
async function startClients(url, token) {
  const c = own(
    fork(join(here, 'clients.mjs'), [], {
      env: { ...process.env, URL: url, TOKEN: token, CLIENTS: String(CLIENTS) },
    }),
  );
  await new Promise((resolve, reject) => {
    c.once('message', resolve);
    c.once('exit', (code) => reject(new Error(`clients exited (${code})`)));
  });
  return c;
}

const dir = mkdtempSync(join(tmpdir(), 'nx-bench-gateway-'));
const db = await startBenchDatabase('nx_bench_gateway', dir);
const results = {};
try {
  // --- the app
  const port = await freePort();
  const app = own(
    spawn(process.execPath, ['backend/dist/backend/src/main.js'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: db.url,
        JWT_SECRET: 'bench-gateway-jwt-secret-0123456789abcdef',
        ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        COOKIE_SECURE: 'false',
        ANALYTICS_REFRESH_INTERVAL_MS: '0',
        SERVICENOW_RECONCILE_INTERVAL_MS: '0',
      },
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(base, { timeoutMs: 120_000 });
  const login = await (
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
  ).json();
  const auth = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
  const incidents = [];
  for (let i = 0; i < INCIDENTS; i++) {
    const res = await fetch(`${base}/api/incidents`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ title: `Bench incident ${i}`, impact: 3, urgency: 3 }),
    });
    const body = await res.json();
    incidents.push({ id: body.id, version: body.version });
  }
  log(`app up, ${INCIDENTS} incidents; opening ${CLIENTS} sockets from a separate process`);
  const clients = await startClients(base, login.accessToken);
  await sleep(2000);
  clients.send('reset');
  const stopSampling = sampler(app.pid);
  let sent = 0;
  let failed = 0;
  let payloadBytes = 0;
  const inflight = new Set();
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE);
    while (sent < due) {
      const incident = incidents[sent % incidents.length];
      if (incident.busy) break; // never two writes of one incident at once
      incident.busy = true;
      sent++;
      const p = fetch(`${base}/api/incidents/${incident.id}`, {
        method: 'PATCH',
        headers: { ...auth, 'if-match': `"${incident.version}"` },
        body: JSON.stringify({ title: `Bench incident ${sent} ${'·'.repeat(sent % 40)}` }),
      })
        .then(async (res) => {
          const body = await res.json();
          if (res.ok) {
            incident.version = body.version;
            payloadBytes = JSON.stringify(body).length;
          } else failed++;
        })
        .catch(() => failed++)
        .finally(() => {
          incident.busy = false;
          inflight.delete(p);
        });
      inflight.add(p);
    }
    await sleep(2);
  }
  await Promise.all(inflight);
  await sleep(1500);
  const appUsage = stopSampling();
  const appReport = await ask(clients, 'report');
  results.app = { ...appReport, ...appUsage, sent, failed, rate: sent / SECONDS };
  clients.send('exit');
  app.kill('SIGTERM');
  await new Promise((r) => app.once('exit', r));

  // --- the bare baseline, same client script
  const bare = own(fork(join(here, 'bare-server.mjs')));
  const { port: barePort } = await new Promise((r) => bare.once('message', r));
  const bareClients = await startClients(`http://127.0.0.1:${barePort}`, '');
  await sleep(2000);
  bareClients.send('reset');
  const stopBare = sampler(bare.pid);
  bare.send({ start: true, rate: RATE, payloadBytes: payloadBytes + 80 });
  await sleep(SECONDS * 1000);
  bare.send({ stop: true });
  await sleep(1500);
  const bareUsage = stopBare();
  results.bare = { ...(await ask(bareClients, 'report')), ...bareUsage, sent: RATE * SECONDS, rate: RATE };
  bareClients.send('exit');
  bare.kill();
} finally {
  children.forEach((c) => c.kill('SIGKILL'));
  await db.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

const row = (name, r) =>
  `${name.padEnd(22)} ${String(Math.round(r.rate)).padStart(6)} ${String(r.p50).padStart(6)} ${String(r.p99).padStart(6)} ${String(r.max).padStart(6)} ${r.cpuPct.toFixed(0).padStart(6)} ${r.peakRssMb.toFixed(0).padStart(7)} ${(r.bytes / Math.max(1, r.events)).toFixed(0).padStart(9)} ${(r.events / Math.max(1, r.frames)).toFixed(2).padStart(8)} ${String(r.received).padStart(9)}`;
console.log(
  `\n${CLIENTS} clients (separate process), ${RATE} updates/s for ${SECONDS} s; latency ms from the event's commit time ('at') to receipt`,
);
console.log(
  `${'server'.padEnd(22)} ${'upd/s'.padStart(6)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'max'.padStart(6)} ${'CPU%'.padStart(6)} ${'RSS MB'.padStart(7)} ${'B/update'.padStart(9)} ${'ev/frame'.padStart(8)} ${'delivered'.padStart(9)}`,
);
console.log(row('app (live.batch)', results.app));
console.log(row('bare socket.io', results.bare));
console.log(
  `app: ${results.app.failed} failed PATCHes; targets p99 <= ${TARGETS.p99} ms (${results.app.p99 <= TARGETS.p99 ? 'met' : 'NOT met'}), RSS <= ${TARGETS.rssMb} MB (${results.app.peakRssMb <= TARGETS.rssMb ? 'met' : 'NOT met'})`,
);
