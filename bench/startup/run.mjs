// Time from `npm start` to a ready health check, and resident memory at idle.
// Run 1 initialises a new embedded PostgreSQL (cold); the rest reuse it (warm). The build must
// be current (run `npm run build` first) so no run pays for compiling.
//
//   node bench/startup/run.mjs            BENCH_RUNS=6 BENCH_IDLE_SECONDS=5 (defaults)
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { appUnderNpm, cmdline, freePort, rssKb, waitUntilReady } from '../../scripts/app-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const runs = Number(process.env.BENCH_RUNS ?? 6);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 5);

if (isStale('backend') || isStale('frontend')) {
  console.error(
    'The build is out of date: run `npm run build` first so start-up is measured, not compiling.',
  );
  process.exit(1);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function postgresPids(dataDir) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const cmd = cmdline(pid);
      return cmd.includes('postgres') && (cmd.includes(dataDir) || cmdline(ppid(pid)).includes(dataDir));
    });
}
function ppid(pid) {
  try {
    return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}

async function once(dataDir) {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', EMBEDDED_POSTGRES_DIR: dataDir };
  delete env.DATABASE_URL;
  const started = performance.now();
  const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitUntilReady(`http://127.0.0.1:${port}`);
  const readyMs = performance.now() - started;
  await sleep(idleSeconds * 1000);
  const app = appUnderNpm(npm.pid);
  const appRssMb = rssKb(app) / 1024;
  const postgresRssMb = postgresPids(dataDir).reduce((sum, p) => sum + rssKb(p), 0) / 1024;
  const exited = new Promise((r) => npm.once('exit', r));
  process.kill(app, 'SIGTERM');
  await exited;
  return {
    readyMs: Math.round(readyMs),
    appRssMb: Math.round(appRssMb),
    postgresRssMb: Math.round(postgresRssMb),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'nexecute-startup-'));
chmodSync(dir, 0o755); // PostgreSQL runs as 'postgres' when we are root
const dataDir = join(dir, 'postgres');
const results = [];
try {
  for (let i = 1; i <= runs; i++) {
    const r = await once(dataDir);
    results.push({ run: i, kind: i === 1 ? 'cold (initdb)' : 'warm', ...r });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nnpm start -> GET /api/health/ready = 200, embedded PostgreSQL; RSS after ${idleSeconds} s idle.\n`,
);
console.table(results);
const warm = results.filter((r) => r.kind === 'warm');
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `warm start to ready: median ${median(warm.map((r) => r.readyMs))} ms; ` +
    `backend RSS at idle: median ${median(warm.map((r) => r.appRssMb))} MB; ` +
    `embedded PostgreSQL RSS: median ${median(warm.map((r) => r.postgresRssMb))} MB`,
);
