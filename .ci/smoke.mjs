// CI smoke test: a new user's path on the embedded database. `npm start` with no DATABASE_URL
// must initialise PostgreSQL, migrate, serve console + API + docs, stop cleanly on SIGTERM,
// and start again on the same data. The first start creates an admin whose one-time password is
// on the log; the generated development secrets keep sessions valid across a restart. A bad
// setting must stop start-up with a message naming it.
// Writes reports/smoke.json ({passed, failed}) and exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appUnderNpm, freePort, isAlive, waitUntilReady } from '../scripts/app-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = [];

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok: ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAILED: ${name}: ${e instanceof Error ? e.message : e}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const work = mkdtempSync(join(tmpdir(), 'nexecute-smoke-'));
chmodSync(work, 0o755); // PostgreSQL runs as 'postgres' when CI runs as root
const dataDir = join(work, 'postgres');
const secretsFile = join(work, 'local-secrets.json');
const ADMIN = 'admin@nexecute.local';
const NEW_PASSWORD = 'Smoke test passphrase 2026';

async function api(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const logFile = join(root, 'test-results', 'smoke-app.log');
mkdirSync(dirname(logFile), { recursive: true });

function npmStart(port) {
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_POSTGRES_DIR: dataDir,
    LOCAL_SECRETS_FILE: secretsFile,
  };
  for (const name of ['DATABASE_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'JWT_SECRET', 'ENCRYPTION_KEYS'])
    delete env[name];
  const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (c) => (output += c));
  npm.stderr.on('data', (c) => (output += c));
  const exited = new Promise((resolve) => npm.once('exit', (code) => resolve(code)));
  return { npm, exited, output: () => output, base: `http://127.0.0.1:${port}` };
}

async function stop(run) {
  const app = appUnderNpm(run.npm.pid);
  process.kill(app, 'SIGTERM');
  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('timeout'), 15000))]);
  writeFileSync(logFile, run.output(), { flag: 'a' });
  if (code === 'timeout') process.kill(app, 'SIGKILL');
  return { code, app };
}

try {
  await check('a bad setting stops start-up with exit 78 and names the variable', () => {
    const r = spawnSync(process.execPath, ['backend/dist/backend/src/main.js'], {
      cwd: root,
      env: { ...process.env, PORT: 'eighty', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
    });
    assert(r.status === 78, `exit ${r.status}`);
    assert(/PORT must be an integer number \(got "eighty"\)/.test(r.stderr), r.stderr);
    assert(/LOG_LEVEL must be one of/.test(r.stderr), r.stderr);
  });

  const first = npmStart(await freePort());
  const base = first.base;
  let started = false;
  await check('npm start initialises the embedded PostgreSQL, migrates and becomes ready', async () => {
    await waitUntilReady(base, { timeoutMs: 90000, exited: first.exited });
    started = true;
    const ready = await (await fetch(`${base}/api/health/ready`)).json();
    assert(ready.checks?.migrations?.status === 'up', JSON.stringify(ready));
    assert(
      first.output().includes('Initialised and started embedded PostgreSQL'),
      'no initialisation line logged',
    );
    assert(existsSync(join(dataDir, 'PG_VERSION')), `no cluster in ${dataDir}`);
  });
  if (started) {
    await check('the console is served at / with the SPA fallback', async () => {
      for (const path of ['/', '/incidents']) {
        const res = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
        const html = await res.text();
        assert(res.status === 200 && html.includes('<nx-root'), `${path}: ${res.status}`);
      }
    });
    await check('Swagger UI and the OpenAPI document are served', async () => {
      assert((await fetch(`${base}/api/docs`)).status === 200, '/api/docs');
      const doc = await (await fetch(`${base}/api/docs-json`)).json();
      assert(doc.info?.title === 'Nexecute Connect API', JSON.stringify(doc.info));
    });
    await check('logs are JSON lines and the request line carries the request id', async () => {
      await fetch(`${base}/api/docs-json`, { headers: { 'x-request-id': 'smoke-check-0001' } });
      await new Promise((r) => setTimeout(r, 200));
      const lines = first
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      assert(lines.length > 3, 'too few JSON log lines');
      assert(
        lines.some((l) => l.requestId === 'smoke-check-0001' && l.msg === 'request completed'),
        'no access line with the request id',
      );
    });
  }
  let refreshToken;
  if (started) {
    await check(
      'the first start creates an admin whose one-time password signs in and must be changed',
      async () => {
        const password = /one-time password (\S+)/.exec(first.output())?.[1];
        assert(password, 'no one-time password on the log');
        const login = await api(base, 'POST', '/api/auth/login', { email: ADMIN, password });
        assert(
          login.status === 200 && login.body.user.mustChangePassword === true,
          JSON.stringify(login.body),
        );
        const token = login.body.accessToken;
        const blocked = await api(base, 'GET', '/api/users', undefined, token);
        assert(blocked.body.code === 'AUTH_PASSWORD_CHANGE_REQUIRED', JSON.stringify(blocked.body));
        const changed = await api(
          base,
          'POST',
          '/api/auth/password',
          { currentPassword: password, newPassword: NEW_PASSWORD },
          token,
        );
        assert(changed.status === 204, JSON.stringify(changed.body));
        const users = await api(base, 'GET', '/api/users', undefined, token);
        assert(users.status === 200 && users.body.total === 1, JSON.stringify(users.body));
        refreshToken = login.body.refreshToken;
        assert(existsSync(secretsFile), 'development secrets were not generated');
      },
    );
  }
  await check('SIGTERM stops the app with exit 0 and stops PostgreSQL', async () => {
    const { code } = await stop(first);
    assert(code === 0, `exit ${code}`);
    assert(!existsSync(join(dataDir, 'postmaster.pid')), 'PostgreSQL still holds its data folder');
  });

  const second = npmStart(await freePort());
  await check('a second start reuses the data folder', async () => {
    await waitUntilReady(second.base, { exited: second.exited });
    assert(second.output().includes('Started embedded PostgreSQL'), 'did not reuse the cluster');
    assert(!/one-time password/.test(second.output()), 'a second admin was bootstrapped');
    // The generated secrets persist: a session from the first run survives the restart.
    const refreshed = await api(second.base, 'POST', '/api/auth/refresh', { refreshToken });
    assert(refreshed.status === 200, `refresh after restart: ${JSON.stringify(refreshed.body)}`);
    const me = await api(second.base, 'GET', '/api/auth/me', undefined, refreshed.body.accessToken);
    assert(me.body.email === ADMIN && me.body.mustChangePassword === false, JSON.stringify(me.body));
    const { code, app } = await stop(second);
    assert(code === 0 && !isAlive(app), `exit ${code}`);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(join(root, 'reports', 'smoke.json'), JSON.stringify({ passed, failed, results }, null, 2));
console.log(`smoke: ${passed} passed, ${failed} failed (app log: ${logFile})`);
process.exit(failed === 0 ? 0 : 1);
