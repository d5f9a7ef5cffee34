import { Logger } from '@nestjs/common';
import type { DataSource, Migration } from 'typeorm';

/** Any fixed 64-bit key; every instance and the CLI take the same one. */
const MIGRATION_LOCK_KEY = 7_264_019_384_011n;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so instances starting
 * together (a rolling deploy, `replicas: 2`) migrate one at a time: the second waits, then
 * finds nothing to do. TypeORM's own migrationsRun takes no lock.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<Migration[]> {
  const logger = new Logger('Migrations');
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) logger.log(`Applied ${applied.map((m) => m.name).join(', ')}`);
      return applied;
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await lock.release();
  }
}
