// The database a bench runs on: DATABASE_URL's server with a fresh database of the bench's own
// (dropped at the end), or an embedded PostgreSQL from the backend's build in a temporary folder.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireBackend = createRequire(join(root, 'backend/package.json'));
const pg = requireBackend('pg');

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `{ kind, url, stop }` for a fresh database `name`; the embedded server keeps its data in `dir`. */
export async function startBenchDatabase(name, dir) {
  if (process.env.DATABASE_URL) {
    const server = process.env.DATABASE_URL;
    const maintenance = new URL(server).pathname === `/${name}` ? withDatabase(server, 'postgres') : server;
    await adminQuery(maintenance, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(maintenance, `CREATE DATABASE ${name}`);
    return {
      kind: 'DATABASE_URL',
      url: withDatabase(server, name),
      stop: () => adminQuery(maintenance, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  const { EmbeddedPostgresServer } = requireBackend(
    './dist/backend/src/common/database/embedded-postgres-server.js',
  );
  const { Logger } = requireBackend('@nestjs/common');
  Logger.overrideLogger(['warn', 'error']); // not the server's start-up chatter
  const server = await EmbeddedPostgresServer.start({
    dataDir: join(dir, 'postgres'),
    port: 0,
    database: name,
  });
  return { kind: 'embedded', url: server.url, stop: () => server.stop() };
}
