import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { CustomTypesConfig, Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import { SLOW_QUERY_MS } from './data-source-options';

const raw = (value: string): string => value;
/** Every column as the text PostgreSQL sent. */
const AS_TEXT = { getTypeParser: () => raw } as unknown as CustomTypesConfig;

/**
 * Hot reads (every request's authentication, list pages) as named statements on the pool
 * TypeORM opened: each connection parses and plans a statement once, then only binds and
 * executes it. Planning a list page's SQL cost PostgreSQL more than running it (bench/incidents).
 *
 * Only for SQL whose best plan does not depend on its parameter values: after five executions
 * PostgreSQL may switch to one generic plan. A full-text query (where a rare and a common word
 * need different plans) must pass `prepare: false`.
 */
@Injectable()
export class PreparedStatements {
  private readonly logger = new Logger('TypeORM');
  private readonly pool: Pool;
  /** Statement names by SQL text; the texts are this app's own, so the map stays small. */
  private readonly names = new Map<string, string>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  async rows<T extends QueryResultRow>(
    text: string,
    values: readonly unknown[],
    options: { readonly prepare?: boolean } = {},
  ): Promise<T[]> {
    const startedAt = performance.now();
    const result = await this.pool.query<T>(
      options.prepare === false
        ? { text, values: [...values] }
        : { name: this.nameOf(text), text, values: [...values] },
    );
    this.warnIfSlow(text, startedAt);
    return result.rows;
  }

  /**
   * Rows as arrays of the database's text (NULL as null), with no type parsing: for results
   * written straight into a response, where turning each value into a Date or number first
   * would only be undone.
   */
  async texts(
    text: string,
    values: readonly unknown[],
    options: { readonly prepare?: boolean } = {},
  ): Promise<(string | null)[][]> {
    const startedAt = performance.now();
    const result = await this.pool.query<(string | null)[]>({
      ...(options.prepare === false ? {} : { name: this.nameOf(text) }),
      text,
      values: [...values],
      rowMode: 'array',
      types: AS_TEXT,
    });
    this.warnIfSlow(text, startedAt);
    return result.rows;
  }

  private warnIfSlow(text: string, startedAt: number): void {
    const ms = performance.now() - startedAt;
    if (ms > SLOW_QUERY_MS) {
      this.logger.warn(`Slow query (${Math.round(ms)} ms over ${SLOW_QUERY_MS} ms): ${text}`);
    }
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `nx_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
