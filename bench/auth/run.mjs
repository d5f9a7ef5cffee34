// What authentication costs. Starts the built backend on a fresh embedded PostgreSQL and measures,
// with autocannon (50 connections, BENCH_SECONDS each):
//   - a public route (no guard work) as the baseline,
//   - a static admin route with a JWT (signature check, and the user and session, read once and
//     then answered by the principal cache (docs/auth.md); AUTH_PRINCIPAL_CACHE_TTL_MS=0 in the
//     environment measures reading them on every request),
//   - GET /api/auth/me with a JWT (the guard's check plus the profile's read),
//   - GET /api/auth/me with an API key (digest check + key read),
// then the latency of a password login (argon2id at the default cost) and of a refresh rotation.
//
//   npm run build && node bench/auth/run.mjs         BENCH_SECONDS=10 (default)
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN = { email: 'bench@nexecute.local', password: 'Bench passphrase for figures 9' };

if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build` first.');
  process.exit(1);
}

function load(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 50, duration: seconds, headers }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function post(base, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function timed(n, fn) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const pick = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1);
  return { p50: pick(0.5), p95: pick(0.95), max: ms.at(-1).toFixed(1) };
}

const dir = mkdtempSync(join(tmpdir(), 'nexecute-bench-auth-'));
chmodSync(dir, 0o755); // PostgreSQL runs as 'postgres' when we are root
const port = await freePort();
const env = {
  ...process.env,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  EMBEDDED_POSTGRES_DIR: join(dir, 'postgres'),
  LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  LOGIN_RATE_LIMIT_PER_IP: '100000',
  LOGIN_RATE_LIMIT_PER_ACCOUNT: '100000',
};
delete env.DATABASE_URL;
const app = spawn(process.execPath, ['backend/dist/backend/src/main.js'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
const base = `http://127.0.0.1:${port}`;
try {
  await waitUntilReady(base, { timeoutMs: 60_000 });
  const login = await post(base, '/api/auth/login', ADMIN);
  const bearer = { authorization: `Bearer ${login.accessToken}` };
  const { key } = await post(base, '/api/api-keys', { name: 'bench', scopes: ['audit:read'] }, bearer);

  const rows = [];
  for (const [name, path, headers] of [
    ['public route (GET /api/health/live)', '/api/health/live', {}],
    ['JWT, guards only (GET /api/audit/actions)', '/api/audit/actions', bearer],
    ['JWT (GET /api/auth/me)', '/api/auth/me', bearer],
    ['API key (GET /api/auth/me)', '/api/auth/me', { 'x-api-key': key }],
  ]) {
    const r = await load(`${base}${path}`, headers);
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    rows.push({
      request: name,
      'req/s': Math.round(r.requests.average),
      p50_ms: r.latency.p50,
      p99_ms: r.latency.p99,
    });
  }
  console.log(
    `\nautocannon, 50 connections, ${seconds} s each; backend, PostgreSQL and load generator share the machine.\n`,
  );
  console.table(rows);

  const logins = await timed(20, () => post(base, '/api/auth/login', ADMIN));
  let refreshToken = login.refreshToken;
  const refreshes = await timed(50, async () => {
    refreshToken = (await post(base, '/api/auth/refresh', { refreshToken })).refreshToken;
  });
  console.log('\nSequential latency (ms), one client:');
  console.table([
    { operation: 'POST /api/auth/login (argon2id m=19 MiB, t=2)', ...logins },
    { operation: 'POST /api/auth/refresh (rotation)', ...refreshes },
  ]);
} finally {
  const exited = new Promise((r) => app.once('exit', r));
  app.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
}
