#!/usr/bin/env node
// End-to-end runner for the console: starts the built product on a free port with its own
// throw-away database and a known first admin (ADMIN_EMAIL/ADMIN_PASSWORD, passed on to the tests
// as E2E_ADMIN_EMAIL/E2E_ADMIN_PASSWORD), runs every `*.e2e.test.mjs` in this folder with Node's
// test runner (spec to stdout, TAP to reports/e2e.tap, totals to reports/e2e.json), then stops the
// app with SIGTERM and requires a clean exit (code 0) within 15 s.
//
//   npm run build && node frontend/e2e/run.mjs
//   node frontend/e2e/run.mjs servicenow     only the files whose name contains "servicenow"
//
// Database: with DATABASE_URL set, a fresh database `nx_e2e_<hex>` is created on that server and
// dropped afterwards; without it, the app's embedded PostgreSQL gets a new temporary data folder,
// removed afterwards.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilReady } from '../../scripts/app-process.mjs';

const E2E_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(E2E_DIR, '..', '..');
const APP_ENTRY = join(ROOT, 'backend/dist/backend/src/main.js');
const CONSOLE_INDEX = join(ROOT, 'frontend/dist/nexecute-console/browser/index.html');
const ARTIFACTS_DIR = join(ROOT, 'test-results/e2e');
const APP_LOG = join(ARTIFACTS_DIR, 'app.log');
const REPORTS_DIR = join(ROOT, 'reports');
const TAP_FILE = join(REPORTS_DIR, 'e2e.tap');
const JSON_FILE = join(REPORTS_DIR, 'e2e.json');

/**
 * The first admin, created by the app from these at start-up; the tests sign in with it through
 * the login page (sign-in.mjs). A literal that passes the password policy (not derived from the
 * email or name).
 */
const E2E_ADMIN = { email: 'admin@e2e.test', password: 'E2e-Quartz-Lantern-2048!' };

const READY_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Upper bound for a whole test file; each test sets its own, smaller timeout. */
const TEST_FILE_TIMEOUT_MS = 15 * 60_000;

const log = (message) => process.stdout.write(`[e2e] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function tail(file, lines = 40) {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Hides the password of a postgres:// URL before it is printed. */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

// ---------------------------------------------------------------------------------------------
// Database isolation

/** A fresh database on the server DATABASE_URL points at. */
async function createExternalDatabase(baseUrl) {
  const { default: pg } = await import('pg');
  const name = `nx_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  log(`created database ${name} on ${redact(baseUrl)}`);
  return {
    env: { DATABASE_URL: url.toString() },
    describe: `external PostgreSQL, database ${name}`,
    async cleanUp() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
      log(`dropped database ${name}`);
    },
  };
}

/**
 * A new temporary folder for the embedded PostgreSQL. The data folder is a child of it so the
 * credentials file the app writes next to the data folder stays inside it too.
 */
async function createEmbeddedDataDir() {
  const dir = await mkdtemp(join(tmpdir(), 'nx-e2e-'));
  // PostgreSQL runs as user `postgres` when we are root; it must be able to traverse the folder.
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'pgdata');
  log(`embedded PostgreSQL data folder ${dataDir}`);
  return {
    env: { EMBEDDED_POSTGRES_DIR: dataDir },
    describe: `embedded PostgreSQL in ${dataDir}`,
    async cleanUp() {
      await stopOrphanedPostgres(dataDir);
      await rm(dir, { recursive: true, force: true });
      log(`removed ${dir}`);
    },
  };
}

/** If the app died without stopping its embedded PostgreSQL, stop that one server (by its pid). */
async function stopOrphanedPostgres(dataDir) {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    return; // already gone
  }
  log(`stopping orphaned embedded PostgreSQL (pid ${pid})`);
  for (let i = 0; i < 150; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  log(`WARNING: PostgreSQL pid ${pid} did not stop within 15 s`);
}

// ---------------------------------------------------------------------------------------------
// The app

function startApp(port, databaseEnv) {
  const logStream = createWriteStream(APP_LOG, { flags: 'w' });
  const child = spawn(process.execPath, [APP_ENTRY], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      // Every browser test signs in through the login page, most of them as the same admin, so
      // the default of 10 attempts per account per minute would throttle the suite itself.
      LOGIN_RATE_LIMIT_PER_ACCOUNT: '100',
      LOGIN_RATE_LIMIT_PER_IP: '300',
      ...databaseEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const closed = new Promise((resolve) => {
    child.once('close', () => logStream.end(resolve));
  });
  return { child, exited, closed };
}

/** SIGTERM, then require exit code 0 within SHUTDOWN_TIMEOUT_MS; SIGKILL it otherwise. */
async function stopApp(app) {
  if (app.child.exitCode !== null || app.child.signalCode !== null) {
    const status = await app.exited;
    return {
      ok: false,
      alreadyExited: true,
      reason: `the app had already exited (code ${status.code}, signal ${status.signal})`,
    };
  }
  const started = Date.now();
  app.child.kill('SIGTERM');
  let timer;
  const status = await Promise.race([
    app.exited,
    new Promise((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!status) {
    app.child.kill('SIGKILL');
    await app.exited;
    await app.closed;
    return {
      ok: false,
      reason: `the app did not exit within ${SHUTDOWN_TIMEOUT_MS / 1000} s of SIGTERM (killed)`,
    };
  }
  await app.closed;
  const ms = Date.now() - started;
  if (status.code !== 0) {
    return {
      ok: false,
      reason: `the app exited with code ${status.code} (signal ${status.signal}) after SIGTERM`,
    };
  }
  return { ok: true, reason: `the app exited with code 0, ${ms} ms after SIGTERM` };
}

// ---------------------------------------------------------------------------------------------
// Tests

async function runTests(baseUrl) {
  const only = process.argv.slice(2);
  const files = (await readdir(E2E_DIR))
    .filter((f) => f.endsWith('.e2e.test.mjs'))
    .filter((f) => only.length === 0 || only.some((part) => f.includes(part)))
    .sort()
    .map((f) => relative(ROOT, join(E2E_DIR, f)));
  if (files.length === 0) throw new Error(`no *.e2e.test.mjs files in ${E2E_DIR}`);
  const args = [
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${TEST_FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${relative(ROOT, TAP_FILE)}`,
    ...files,
  ];
  log(`node ${args.join(' ')}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      E2E_BASE_URL: baseUrl,
      E2E_ARTIFACTS_DIR: ARTIFACTS_DIR,
      E2E_ADMIN_EMAIL: E2E_ADMIN.email,
      E2E_ADMIN_PASSWORD: E2E_ADMIN.password,
    },
    stdio: 'inherit',
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** `# pass N` / `# fail M` (and `# cancelled K`, counted as failed) from the TAP summary. */
async function writeTotals() {
  let passed = 0;
  let failed = 1; // no TAP summary means the tests did not run to completion
  if (existsSync(TAP_FILE)) {
    const tap = await readFile(TAP_FILE, 'utf8');
    const count = (key) => {
      const m = tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
      return m ? Number(m[1]) : undefined;
    };
    const pass = count('pass');
    const fail = count('fail');
    if (pass !== undefined && fail !== undefined) {
      passed = pass;
      failed = fail + (count('cancelled') ?? 0);
    }
  }
  await writeFile(JSON_FILE, `${JSON.stringify({ passed, failed }, null, 2)}\n`);
  log(`totals: ${passed} passed, ${failed} failed (${relative(ROOT, JSON_FILE)})`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const missing = [APP_ENTRY, CONSOLE_INDEX].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    process.stderr.write(
      `[e2e] The build is missing:\n${missing.map((f) => `  - ${relative(ROOT, f)}\n`).join('')}` +
        '[e2e] Run "npm run build" at the repository root first.\n',
    );
    return 1;
  }
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await mkdir(REPORTS_DIR, { recursive: true });
  await rm(TAP_FILE, { force: true });
  await rm(JSON_FILE, { force: true });

  const startedAt = Date.now();
  let database;
  let app;
  let exitCode;
  let interrupted = false;
  let startFailed = false;
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal} received; stopping the app and cleaning up`);
    // The test runner child gets the same signal from the terminal; tear down below.
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    database = process.env.DATABASE_URL?.trim()
      ? await createExternalDatabase(process.env.DATABASE_URL.trim())
      : await createEmbeddedDataDir();

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    log(
      `starting ${relative(ROOT, APP_ENTRY)} on ${baseUrl} (${database.describe}); log in ${relative(ROOT, APP_LOG)}`,
    );
    app = startApp(port, database.env);
    try {
      await waitUntilReady(baseUrl, { timeoutMs: READY_TIMEOUT_MS, exited: app.exited });
    } catch (e) {
      process.stderr.write(
        `[e2e] ${e.message}\n[e2e] last lines of ${relative(ROOT, APP_LOG)}:\n${tail(APP_LOG)}\n`,
      );
      startFailed = true;
      throw Object.assign(new Error('the app did not become ready'), { reported: true });
    }
    log(`app ready after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    exitCode = interrupted ? 1 : await runTests(baseUrl);
    await writeTotals();
  } catch (e) {
    if (!e.reported) process.stderr.write(`[e2e] ${e.stack ?? e}\n`);
    exitCode = 1;
    await writeTotals().catch(() => undefined);
  } finally {
    if (app) {
      const stopped = await stopApp(app);
      if (stopped.ok) {
        log(stopped.reason);
      } else if (startFailed && stopped.alreadyExited) {
        exitCode = 1; // already reported with the log's tail
      } else {
        process.stderr.write(
          `[e2e] FAIL shutdown: ${stopped.reason}\n[e2e] last lines of ${relative(ROOT, APP_LOG)}:\n${tail(APP_LOG, 20)}\n`,
        );
        exitCode = 1;
      }
    }
    if (database) {
      try {
        await database.cleanUp();
      } catch (e) {
        process.stderr.write(`[e2e] FAIL cleaning up the database: ${e.message}\n`);
        exitCode = 1;
      }
    }
  }
  log(`finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s with exit code ${exitCode}`);
  return exitCode;
}

process.exitCode = await main();
