// Child process for embedded-postgres-server.e2e-spec: `write` starts the server, stores a row and
// waits to be killed (a crash); `read` starts it again and reports what it finds; `crash` starts
// it and dies of an uncaught exception.
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresServer } from '../../src/common/database/embedded-postgres-server';
import { createLogger } from '../../src/common/logging/logger';
import { NestPinoLogger } from '../../src/common/logging/nest-pino-logger';

async function run(mode: string, dataDir: string): Promise<void> {
  const logger = createLogger('info');
  Logger.overrideLogger(new NestPinoLogger(logger));
  const startedAt = Date.now();
  const server = await EmbeddedPostgresServer.start({ dataDir, port: 0, database: 'nexecute' });
  if (mode === 'crash') {
    const postgresPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    logger.info({ result: { port: server.port, postgresPid } }, 'started');
    setTimeout(() => {
      throw new Error('an unhandled crash');
    }, 10);
    return;
  }
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  if (mode === 'write') {
    await client.query('CREATE TABLE IF NOT EXISTS crash_probe (note text NOT NULL)');
    await client.query("INSERT INTO crash_probe VALUES ('committed before the crash')");
    await client.end();
    logger.info({ result: { port: server.port } }, 'written');
    setInterval(() => undefined, 1000); // wait for SIGKILL
    return;
  }
  const { rows } = await client.query<{ note: string }>('SELECT note FROM crash_probe');
  await client.end();
  logger.info({ result: { notes: rows.map((r) => r.note), startMs: Date.now() - startedAt } }, 'read');
  await server.stop();
}

const [mode = 'read', dataDir = ''] = process.argv.slice(2);
run(mode, dataDir).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
