import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';

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
