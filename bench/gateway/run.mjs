// Live gateway delivery beside a bare Socket.IO server, in one run.
//
//   npm run build -w backend && npm run bench:gateway
//   (BENCH_CLIENTS=1000 BENCH_RATE=100 BENCH_SECONDS=20 BENCH_CLIENT_PROCESSES=2 BENCH_MEASURE_EVERY=10)
//
// 1. The built app on a database of its own (bench/shared/bench-database.mjs), signed in as the
//    bootstrap admin; BENCH_INCIDENTS incidents created over REST.
// 2. BENCH_CLIENTS WebSocket connections, spread over BENCH_CLIENT_PROCESSES processes of
//    bench/gateway/clients.mjs (separate from the app and from this driver), each admitted with
//    the admin's token and subscribed to `feed`. Every socket receives and counts every frame;
//    every BENCH_MEASURE_EVERY-th one also parses it and records each event's latency.
// 3. BENCH_RATE incident updates per second through the API for BENCH_SECONDS: PATCH
//    /api/incidents/:id with If-Match, round-robin over distinct incidents, each a new title.
//    Latency = client receipt − the event's `at` (the domain event's time, set in the committing
//    transaction: commit time to within the transaction's length), p50/p99/max over every
//    delivery to the measuring sockets. Server CPU (utime+stime from /proc, % of one core) and
//    peak RSS sampled; the client processes' CPU too.
// 4. The same with the clients not offering permessage-deflate (bytes on the wire uncompressed),
//    then with batching off (LIVE_BATCH_WINDOW_MS=0: a frame per read of notified events).
// 5. The baseline, same run, same client script: bench/gateway/bare-server.mjs (plain socket.io
//    on node:http) broadcasting one frame per event at the same rate, the event being one the app
//    sent (same size), `at` = send time; with and without compression.
// Bytes per update on the wire: TCP bytes the clients read (WebSocket framing included,
// compressed when compressed) ÷ (updates × sockets).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
const PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const MEASURE_EVERY = Number(process.env.BENCH_MEASURE_EVERY ?? 10);
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
/** CPU (% of one core, summed over pids) and the first pid's peak RSS from now until stop(). */
function sampler(pids) {
  let peak = 0;
  const cpu0 = pids.map(cpuMs);
  const t0 = performance.now();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pids[0]))), 200);
  return () => {
    clearInterval(timer);
    const elapsed = performance.now() - t0;
    return {
      cpuPct: (pids.reduce((sum, pid, i) => sum + cpuMs(pid) - cpu0[i], 0) / elapsed) * 100,
      peakRssMb: Math.max(peak, rssMb(pids[0])),
    };
  };
}
function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}
const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** BENCH_CLIENTS sockets over BENCH_CLIENT_PROCESSES processes, all subscribed before it resolves. */
async function startClients(url, { token = '', compress }) {
  const procs = Array.from({ length: PROCESSES }, (_, i) => {
    const share = Math.floor(CLIENTS / PROCESSES) + (i < CLIENTS % PROCESSES ? 1 : 0);
    return own(
      fork(join(here, 'clients.mjs'), [], {
        env: {
          ...process.env,
          URL: url,
          TOKEN: token,
          CLIENTS: String(share),
          SUBSCRIBE: token ? '1' : '0',
          COMPRESS: compress ? '1' : '0',
          MEASURE_EVERY: String(MEASURE_EVERY),
        },
      }),
    );
  });
  await Promise.all(
    procs.map(
      (c) =>
        new Promise((resolve, reject) => {
          c.once('message', resolve);
          c.once('exit', (code) => reject(new Error(`clients exited (${code})`)));
        }),
    ),
  );
  return {
    pids: procs.map((c) => c.pid),
    reset: () => procs.forEach((c) => c.send('reset')),
    async report() {
      const parts = await Promise.all(procs.map((c) => ask(c, 'report')));
      const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
      const sum = (k) => parts.reduce((s, p) => s + p[k], 0);
      return {
        samples: latencies.length,
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        max: latencies.at(-1) ?? NaN,
        frames: sum('frames'),
        events: sum('events'),
        wireBytes: sum('wireBytes'),
        messageBytes: sum('messageBytes'),
        measuring: sum('measuring'),
        sockets: sum('sockets'),
        closed: sum('closed'),
        sample: parts.find((p) => p.sample)?.sample,
      };
    },
    async exit() {
      await Promise.all(procs.map((c) => new Promise((r) => (c.once('exit', r), c.send('exit')))));
    },
  };
}

function startApp(port, env) {
  return own(
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
        ...env,
      },
    }),
  );
}

async function stopApp(app) {
  app.kill('SIGTERM');
  await new Promise((r) => app.once('exit', r));
}

let titles = 0;

/** BENCH_RATE PATCHes/s for BENCH_SECONDS; never two writes of one incident at once. */
async function driveUpdates(base, auth, incidents) {
  let sent = 0;
  let failed = 0;
  let attempted = 0;
  const answered = [];
  const inflight = new Set();
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE);
    while (attempted < due) {
      const incident = incidents[attempted % incidents.length];
      if (incident.busy) break;
      incident.busy = true;
      attempted++;
      const t0 = performance.now();
      const p = fetch(`${base}/api/incidents/${incident.id}`, {
        method: 'PATCH',
        headers: { ...auth, 'if-match': `"${incident.version}"` },
        // A title never used before in this run: an unchanged title is no change and sends no event.
        body: JSON.stringify({ title: `Bench incident ${++titles} ${'·'.repeat(titles % 40)}` }),
      })
        .then(async (res) => {
          const body = await res.json();
          if (res.ok) {
            incident.version = body.version;
            sent++;
            answered.push(performance.now() - t0);
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
  answered.sort((a, b) => a - b);
  return { sent, failed, apiP50: quantile(answered, 0.5), apiP99: quantile(answered, 0.99) };
}

const dir = mkdtempSync(join(tmpdir(), 'nx-bench-gateway-'));
const db = await startBenchDatabase('nx_bench_gateway', dir);
const rows = [];
let sampleEvent;

async function appPhases(name, env, compressions) {
  const port = await freePort();
  const app = startApp(port, env);
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
  const listed = await (await fetch(`${base}/api/incidents?limit=${INCIDENTS}`, { headers: auth })).json();
  const incidents = (listed.items ?? []).map((i) => ({ id: i.id, version: i.version }));
  while (incidents.length < INCIDENTS) {
    const res = await fetch(`${base}/api/incidents`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ title: `Bench incident ${incidents.length}`, impact: 3, urgency: 3 }),
    });
    const body = await res.json();
    incidents.push({ id: body.id, version: body.version });
  }
  const idleRssMb = rssMb(app.pid);
  for (const compress of compressions) {
    log(
      `${name}, compression ${compress ? 'on' : 'off'}: opening ${CLIENTS} sockets in ${PROCESSES} processes`,
    );
    const clients = await startClients(base, { token: login.accessToken, compress });
    const connectedRssMb = rssMb(app.pid);
    await sleep(2000);
    clients.reset();
    const stop = sampler([app.pid]);
    const stopClients = sampler(clients.pids);
    const drive = await driveUpdates(base, auth, incidents);
    await sleep(2000); // the last frames
    const usage = stop();
    const clientUsage = stopClients();
    const report = await clients.report();
    sampleEvent ??= report.sample;
    rows.push({
      name: `${name}, ${compress ? 'deflate' : 'no deflate'}`,
      ...report,
      ...usage,
      clientCpuPct: clientUsage.cpuPct,
      idleRssMb,
      connectedRssMb,
      updates: drive.sent,
      failed: drive.failed,
      apiP50: drive.apiP50,
      apiP99: drive.apiP99,
    });
    await clients.exit();
  }
  await stopApp(app);
}

async function barePhases(compressions) {
  for (const compress of compressions) {
    const bare = own(fork(join(here, 'bare-server.mjs')));
    const { port } = await new Promise((r) => bare.once('message', r));
    const idleRssMb = rssMb(bare.pid);
    log(`bare socket.io, compression ${compress ? 'on' : 'off'}: opening ${CLIENTS} sockets`);
    const clients = await startClients(`http://127.0.0.1:${port}`, { compress });
    const connectedRssMb = rssMb(bare.pid);
    await sleep(2000);
    clients.reset();
    const stop = sampler([bare.pid]);
    const stopClients = sampler(clients.pids);
    bare.send({ start: true, rate: RATE, event: sampleEvent });
    await sleep(SECONDS * 1000);
    bare.send({ stop: true });
    await sleep(2000);
    const usage = stop();
    const clientUsage = stopClients();
    const report = await clients.report();
    rows.push({
      name: `bare socket.io, ${compress ? 'deflate' : 'no deflate'}`,
      ...report,
      ...usage,
      clientCpuPct: clientUsage.cpuPct,
      idleRssMb,
      connectedRssMb,
      updates: Math.round(report.events / Math.max(1, report.measuring)),
      failed: 0,
    });
    await clients.exit();
    bare.kill();
  }
}

// BENCH_PHASES picks runs: app (batched, deflate and not), unbatched, bare (deflate and not).
const PHASES = new Set((process.env.BENCH_PHASES ?? 'app,unbatched,bare').split(','));
const COMPRESSIONS = (process.env.BENCH_COMPRESSION ?? 'on,off').split(',').map((c) => c === 'on');
try {
  if (PHASES.has('app')) await appPhases('app, batched (50 ms)', { LIVE_COMPRESSION: 'on' }, COMPRESSIONS);
  if (PHASES.has('unbatched'))
    await appPhases(
      'app, unbatched',
      { LIVE_BATCH_WINDOW_MS: '0', LIVE_COMPRESSION: 'on' },
      COMPRESSIONS.slice(0, 1),
    );
  if (PHASES.has('bare')) {
    if (!sampleEvent) throw new Error('no incident.updated event reached a measuring client');
    await barePhases(COMPRESSIONS);
  }
} finally {
  children.forEach((c) => c.kill('SIGKILL'));
  await db.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (n, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d }) : '–';
console.log(
  `\n${CLIENTS} sockets in ${PROCESSES} client processes (1 in ${MEASURE_EVERY} measuring), ${RATE} updates/s for ${SECONDS} s, ${cpus().length} cores`,
);
console.log('latency ms: event commit time (app) or send time (bare) → receipt; CPU % of one core');
const header = [
  'run',
  'upd/s',
  'delivered',
  'p50',
  'p99',
  'max',
  'srv CPU%',
  'cli CPU%',
  'RSS idle/1k/peak MB',
  'wire B/upd',
  'frames/s/sock',
  'ev/frame',
];
console.log(header.join(' | '));
for (const r of rows) {
  const delivered = r.events / Math.max(1, r.measuring * r.updates);
  console.log(
    [
      r.name,
      fmt(r.updates / SECONDS),
      `${fmt(delivered * 100, 1)} %`,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.max),
      fmt(r.cpuPct),
      fmt(r.clientCpuPct),
      `${fmt(r.idleRssMb)}/${fmt(r.connectedRssMb)}/${fmt(r.peakRssMb)}`,
      fmt(r.wireBytes / Math.max(1, r.updates * r.sockets)),
      fmt(r.frames / Math.max(1, r.sockets) / SECONDS, 1),
      fmt(r.events / Math.max(1, r.frames / (r.sockets / r.measuring)), 2),
    ].join(' | '),
  );
  if (r.closed) console.log(`  ${r.closed} sockets closed during the run`);
  if (r.failed || r.apiP50)
    console.log(
      `  API: ${r.failed} PATCHes failed; answered p50 ${fmt(r.apiP50)} ms, p99 ${fmt(r.apiP99)} ms`,
    );
}
const main = rows[0];
console.log(
  `targets: p99 <= ${TARGETS.p99} ms (${main.p99 <= TARGETS.p99 ? 'met' : 'NOT met'}: ${fmt(main.p99)}), RSS <= ${TARGETS.rssMb} MB (${main.peakRssMb <= TARGETS.rssMb ? 'met' : 'NOT met'}: ${fmt(main.peakRssMb)})`,
);
