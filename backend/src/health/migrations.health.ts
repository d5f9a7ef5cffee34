import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MIGRATIONS_TABLE } from '../common/database/data-source-options';

/** Ready only when every migration this build ships has been applied to the database. */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const shipped = this.dataSource.migrations.map((m) => m.name ?? m.constructor.name);
    let applied: Set<string>;
    try {
      const rows = await this.dataSource.query<{ name: string }[]>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
      applied = new Set(rows.map((r) => r.name));
    } catch {
      return indicator.down({ message: 'The migrations table is missing', pending: shipped });
    }
    const pending = shipped.filter((name) => !applied.has(name));
    return pending.length === 0
      ? indicator.up({ applied: shipped.length })
      : indicator.down({ message: `${pending.length} migration(s) pending`, pending });
  }
}
