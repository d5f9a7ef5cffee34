// Measures a signed JSON POST that inserts one row, served three ways: bare Node http, NestJS on
// Express, NestJS on Fastify. Each server runs in its own child process; autocannon drives it
// from this one. Prints one table; quote it, don't trust a memory of it.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/http-adapter/run.mjs
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_ROUNDS=3 (defaults), BENCH_BREAKDOWN=1
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import swc from '@swc/core';
import { sign } from './shared.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const port = 3900;

function buildNestApp() {
  const out = join(here, '.build');
  mkdirSync(out, { recursive: true });
  const { code } = swc.transformSync(readFileSync(join(here, 'nest-app.ts'), 'utf8'), {
    filename: 'nest-app.ts',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
  });
  writeFileSync(join(out, 'nest-app.mjs'), code.replace("'./shared.mjs'", "'../shared.mjs'"));
  return join(out, 'nest-app.mjs');
}

async function resetTable() {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS bench_event');
  await client.query(
    'CREATE TABLE bench_event (id uuid PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())',
  );
  await client.end();
}

async function countRows() {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM bench_event');
  await client.end();
  return rows[0].n;
}

function startServer(script, env) {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      env: { ...process.env, ...env, DATABASE_URL: databaseUrl, PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => (m === 'ready' ? resolve(child) : reject(new Error(String(m)))));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

function load(duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/api/webhooks/events',
        setupRequest(req) {
          const body = JSON.stringify({
            id: randomUUID(),
            type: 'incident.created',
            payload: { number: 'INC0010001', title: 'Database latency above 2 s', priority: 2 },
          });
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-signature': sign(body) } };
        },
      },
    ],
  });
}

async function measure(name, script, env) {
  await resetTable();
  const child = await startServer(script, env);
  let peakRss = rssOf(child.pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(child.pid))), 200);
  try {
    await load(2); // warm-up: JIT, pool connections
    const before = await countRows();
    const r = await load(seconds);
    const inserted = (await countRows()) - before;
    return {
      name,
      reqPerSec: Math.round(r.requests.average),
      rowsPerSec: Math.round(inserted / r.duration),
      p50: r.latency.p50,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      peakRssMb: Math.round(peakRss / 1048576),
    };
  } finally {
    clearInterval(sampler);
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

const nestApp = buildNestApp();
const contenders = [
  ['bare Node http + pg', join(here, 'bare-node.mjs'), {}],
  ['NestJS 12 on Express 5', nestApp, { ADAPTER: 'express' }],
  ['NestJS 12 on Fastify 5', nestApp, { ADAPTER: 'fastify' }],
  // BENCH_BREAKDOWN=1: what helmet and the ValidationPipe each cost on the faster adapter.
  ...(process.env.BENCH_BREAKDOWN
    ? [
        ['Fastify without ValidationPipe', nestApp, { ADAPTER: 'fastify', WITHOUT_VALIDATION: '1' }],
        ['Fastify without helmet', nestApp, { ADAPTER: 'fastify', WITHOUT_HELMET: '1' }],
      ]
    : []),
];
const results = [];
for (let round = 1; round <= rounds; round++) {
  for (const [name, script, env] of contenders) {
    const r = await measure(name, script, env);
    results.push({ round, ...r });
    console.error(`round ${round}: ${name}: ${r.rowsPerSec} rows/s`);
  }
}
console.log(
  `\nSigned JSON POST inserting one row; ${connections} connections, ${seconds} s, ${rounds} round(s), node ${process.version}, ${
    (await import('node:os')).cpus().length
  } cores shared by server, PostgreSQL and autocannon.\n`,
);
console.table(results);
for (const [name] of contenders) {
  const mine = results.filter((r) => r.name === name);
  console.log(
    `${name}: median ${median(mine.map((r) => r.rowsPerSec))} rows/s, p99 median ${median(mine.map((r) => r.p99))} ms`,
  );
}
