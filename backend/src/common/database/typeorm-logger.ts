import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';
import { databaseFailureOf } from './database-failure';

/**
 * TypeORM's messages in our structured log. Query parameters are never logged: they carry
 * customer data and secrets. Failing SQL is logged at error level for operators; clients
 * only ever see a problem document.
 */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  private readonly logger = new Logger('TypeORM');

  constructor(private readonly slowQueryMs: number) {}

  logQuery(query: string): void {
    this.logger.verbose(query);
  }
  logQueryError(error: string | Error, query: string): void {
    // A connection lost mid-query (e.g. a background transaction's COMMIT in an outage) is the
    // infrastructure, already reported once as "Database unavailable": a warning, not a bug.
    if (databaseFailureOf(error) === 'lost') {
      this.logger.warn(`Query failed, the database connection was lost: ${messageOf(error)} -- ${query}`);
      return;
    }
    this.logger.error(`Query failed: ${error instanceof Error ? error.message : error} -- ${query}`);
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms over ${this.slowQueryMs} ms): ${query}`);
  }
  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}

function messageOf(error: string | Error): string {
  return error instanceof Error ? error.message : error;
}
