import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** Opens the pool (and, by default, applies pending migrations) before the app serves. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, config: AppConfig['database']): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(url, config),
          migrationsRun: config.runMigrations,
          autoLoadEntities: true,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
    };
  }
}
