import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { DatabaseAvailability } from './database-availability';
import { dataSourceOptions } from './data-source-options';
import { PreparedStatements } from './prepared-statements';
import { UnitOfWork } from './unit-of-work';
import { runMigrationsExclusively } from './migration-runner';

const RUN_MIGRATIONS = Symbol('RUN_MIGRATIONS');

/**
 * Opens the pool and, by default, applies pending migrations before the app serves (module
 * init runs before listen). Global, as infrastructure: every module's services get the one
 * UnitOfWork and the one PreparedStatements (each connection plans a statement once).
 */
@Module({})
export class DatabaseModule implements OnModuleInit {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(RUN_MIGRATIONS) private readonly runMigrations: boolean,
  ) {}

  static forRoot(url: string, config: AppConfig['database']): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(url, config),
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
      providers: [
        { provide: RUN_MIGRATIONS, useValue: config.runMigrations },
        DatabaseAvailability,
        UnitOfWork,
        PreparedStatements,
      ],
      exports: [UnitOfWork, PreparedStatements],
    };
  }

  async onModuleInit(): Promise<void> {
    if (this.runMigrations) await runMigrationsExclusively(this.dataSource);
  }
}
