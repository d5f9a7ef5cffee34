import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../../../database/migrations';
import { TypeOrmLogger } from './typeorm-logger';
import type { AppConfig } from '../../config/app-config';

export const MIGRATIONS_TABLE = 'schema_migrations';
export const SLOW_QUERY_MS = 500;

/**
 * The one set of TypeORM options, shared by the app and the migration CLI. Entities are added
 * by each module (autoLoadEntities in the app); the schema only ever comes from migrations.
 */
export function dataSourceOptions(url: string, config: AppConfig['database']): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    poolSize: config.poolSize,
    applicationName: 'nexecute-connect',
    extra: {
      statement_timeout: config.statementTimeoutMs || undefined,
      // Bounds both waiting for a free pooled connection and opening a new one: past it the
      // request answers 503 DATABASE_UNAVAILABLE rather than hanging on a database that is gone.
      connectionTimeoutMillis: config.connectTimeoutMs,
      idleTimeoutMillis: 30000,
    },
    synchronize: false,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(SLOW_QUERY_MS),
    maxQueryExecutionTime: SLOW_QUERY_MS,
  };
}
