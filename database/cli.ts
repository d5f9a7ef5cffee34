import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { openDatabaseServer } from '../backend/src/common/database/database-server';
import { dataSourceOptions } from '../backend/src/common/database/data-source-options';
import { runMigrationsExclusively } from '../backend/src/common/database/migration-runner';
import { createLogger } from '../backend/src/common/logging/logger';
import { NestPinoLogger } from '../backend/src/common/logging/nest-pino-logger';
import { ConfigError, loadConfig } from '../backend/src/config/app-config';
import { loadDotEnv } from '../backend/src/config/dot-env';
import { installDeliveryQueue } from '../backend/src/deliveries/delivery-queue';

const USAGE = 'usage: npm run db:migrate | npm run db:revert | npm run db:status';

/**
 * The migration CLI, on the app's own DataSource options and database resolution: with no
 * DATABASE_URL it opens the embedded PostgreSQL in ./data/, exactly as `npm start` would.
 */
async function run(command: string | undefined): Promise<number> {
  if (!command || !['migrate', 'revert', 'status'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.log.level);
  Logger.overrideLogger(new NestPinoLogger(logger));
  const server = await openDatabaseServer(config.database);
  const dataSource = new DataSource(dataSourceOptions(server.url, config.database));
  try {
    await dataSource.initialize();
    if (command === 'migrate') {
      const applied = await runMigrationsExclusively(dataSource);
      logger.info({ applied: applied.map((m) => m.name) }, `${applied.length} migration(s) applied`);
      // The delivery queue's schema is graphile-worker's own (versioned by it, not by our
      // migrations); the app installs it at start too, so a schema migrated here is complete.
      await installDeliveryQueue(server.url);
    } else if (command === 'revert') {
      const before = await appliedNames(dataSource);
      await dataSource.undoLastMigration({ transaction: 'each' });
      const after = new Set(await appliedNames(dataSource));
      const reverted = before.filter((n) => !after.has(n));
      logger.info({ reverted }, reverted.length ? `reverted ${reverted.join(', ')}` : 'nothing to revert');
    } else {
      const applied = new Set(await appliedNames(dataSource));
      const status = dataSource.migrations.map((m) => ({ name: m.name, applied: applied.has(m.name ?? '') }));
      logger.info({ migrations: status }, `${status.filter((s) => !s.applied).length} pending`);
    }
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await server.stop();
  }
}

async function appliedNames(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const exists = (await dataSource.query<{ t: string | null }[]>('SELECT to_regclass($1) AS t', [table]))[0]
    ?.t;
  if (!exists) return [];
  const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM ${table} ORDER BY id`);
  return rows.map((r) => r.name);
}

run(process.argv[2]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      `${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  },
);
