// How long a crashed delivery worker's deliveries take to resume, with the default settings
// (DELIVERY_WORKER_HEARTBEAT_MS, DELIVERY_WORKER_STALE_AFTER_MS: see docs/deliveries.md).
//
// Each run, on a fresh database:
//   1. a worker process (backend/src/deliveries/test/delivery-worker-process.ts, the whole app
//      without its HTTP listener) publishes BENCH_EVENTS events whose probe consumers never finish,
//      waits until it holds them all, and is killed with SIGKILL (no shutdown hook runs);
//   2. a healthy worker process starts right away on the same database (the worst case: the dead
//      pool's heartbeat is as fresh as it gets);
//   3. the database is polled until every probe-all delivery is `delivered`.
// Prints, per run and as a median: the crash to the healthy worker's start (its start-up), and
// the healthy worker's start ("Delivery worker started" in its log) to the last delivery.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:delivery-recovery
//
//   BENCH_RUNS=3     runs
//   BENCH_EVENTS=4   events held by the crashed worker (two deliveries each: probe-all, probe-changes)
//
// DATABASE_URL names a server to administer; each run creates `nx_bench_delivery_recovery` there
// (dropping a previous one) and drops it at the end. The backend's TypeScript is compiled on the
// fly (swc), so no build is needed.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pg = createRequire(join(root, 'backend/package.json'))('pg');

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 4);
const DB_NAME = 'nx_bench_delivery_recovery';
const ADMIN_URL = process.env.DATABASE_URL;
if (!ADMIN_URL) {
  console.error('Set DATABASE_URL to a PostgreSQL server to administer (see the header of this file).');
  process.exit(1);
}

// the default settings, whatever this shell has
for (const name of Object.keys(process.env).filter((n) => n.startsWith('DELIVERY_')))
  delete process.env[name];

function urlFor(database) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts a worker process; resolves with it once a log line satisfies `until`. */
function startWorker(mode, env, until) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(root, 'backend/test/support/register-typescript.cjs'),
      join(root, 'backend/src/deliveries/test/delivery-worker-process.ts'),
      mode,
      String(EVENTS),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const closed = new Promise((resolve) => child.once('close', resolve));
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (c) => {
      buffer += c;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts.filter((p) => p.startsWith('{'))) {
        const line = JSON.parse(part);
        lines.push(line);
        if (until(line)) resolve({ child, closed, lines, line });
      }
    });
    child.once('exit', (code) => reject(new Error(`${mode} worker exited (${code}): ${stderr}`)));
  });
}

async function once(run) {
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: urlFor(DB_NAME),
    JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdefghijklmnop',
    ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
    ADMIN_EMAIL: 'bench@nexecute.local',
    ADMIN_PASSWORD: 'Bench passphrase for figures 9',
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_ITERATIONS: '1',
  };
  const crashing = await startWorker(
    'hold',
    { ...env, DELIVERY_WORKER_CONCURRENCY: String(2 * EVENTS + 2) },
    (l) => l.result,
  );
  const { eventIds, poolId } = crashing.line.result;
  crashing.child.kill('SIGKILL');
  await crashing.closed;
  const killedAt = Date.now();

  const healthy = await startWorker('deliver', env, (l) =>
    String(l.msg).startsWith('Delivery worker started'),
  );
  const workerStartedAt = Date.parse(healthy.line.time);
  const db = new pg.Client({ connectionString: urlFor(DB_NAME) });
  await db.connect();
  let deliveredAt;
  try {
    for (;;) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS delivered, max(delivered_at) AS last
           FROM deliveries WHERE consumer = 'probe-all' AND status = 'delivered' AND event_id = ANY ($1::uuid[])`,
        [eventIds],
      );
      if (rows[0].delivered === eventIds.length) {
        deliveredAt = rows[0].last.getTime();
        break;
      }
      if (Date.now() - killedAt > 120_000) throw new Error('not delivered within 2 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.end();
  }
  const recovered = healthy.lines.find((l) => l.level === 'warn' && l.recoveredPools?.includes(poolId));
  healthy.child.kill('SIGTERM');
  await healthy.closed;
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  return {
    run,
    'crash → healthy worker started (ms)': workerStartedAt - killedAt,
    'healthy worker started → all delivered (ms)': deliveredAt - workerStartedAt,
    'crash → all delivered (ms)': deliveredAt - killedAt,
    'jobs recovered': recovered?.recoveredJobs ?? 0,
  };
}

const results = [];
for (let run = 1; run <= RUNS; run++) results.push(await once(run));
console.table(results);
const median = (key) => {
  const sorted = results.map((r) => r[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
console.log(
  `median over ${RUNS} runs, ${EVENTS} events (${2 * EVENTS} held deliveries), default settings ` +
    `(heartbeat 5000 ms, stale after 20000 ms): healthy worker start → all delivered ` +
    `${median('healthy worker started → all delivered (ms)')} ms; crash → all delivered ` +
    `${median('crash → all delivered (ms)')} ms`,
);
