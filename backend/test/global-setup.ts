import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/common/database/data-source-options';
import { EmbeddedPostgresServer } from '../src/common/database/embedded-postgres-server';
import { runMigrationsExclusively } from '../src/common/database/migration-runner';
import { loadConfig } from '../src/config/app-config';
import { repositoryRoot } from '../src/config/repository-root';
import { installDeliveryQueue } from '../src/deliveries/delivery-queue';
import { STATUS_LOG_GLOBAL } from './http-status-log';
import { ADMIN_URL_VAR, RUN_ID_VAR, templateName, urlFor, withAdmin } from './test-database';

export interface TestRun {
  embedded?: { server: EmbeddedPostgresServer; dir: string };
}
export const testRun = globalThis as typeof globalThis & { nexecuteTestRun?: TestRun };

/**
 * One PostgreSQL for the run: DATABASE_URL's server when set, otherwise an embedded one in a
 * temporary folder. Migrations run once into a template; each spec file clones it.
 */
export default async function globalSetup(
  _global: unknown,
  project: { readonly globals: Readonly<Record<string, unknown>> },
): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  // `npm test` writes Jest's JSON summary there for CI's totals; Jest does not create folders.
  await mkdir(join(repositoryRoot(), 'reports'), { recursive: true });
  const statusLog = project.globals[STATUS_LOG_GLOBAL];
  if (typeof statusLog === 'string') {
    await rm(statusLog, { recursive: true, force: true });
    await mkdir(statusLog, { recursive: true });
  }
  const run: TestRun = {};
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'nexecute-test-pg-'));
    await chmod(dir, 0o755); // run as root, PostgreSQL runs as 'postgres' and must reach its folder
    const server = await EmbeddedPostgresServer.start({
      dataDir: join(dir, 'postgres'),
      port: 0,
      database: 'nexecute_test',
    });
    run.embedded = { server, dir };
    adminUrl = server.url;
  }
  testRun.nexecuteTestRun = run;
  process.env[ADMIN_URL_VAR] = adminUrl;
  process.env[RUN_ID_VAR] = randomBytes(4).toString('hex');

  const template = templateName();
  await withAdmin((c) => c.query(`CREATE DATABASE "${template}"`));
  const config = loadConfig({ NODE_ENV: 'test' });
  const dataSource = new DataSource({
    ...dataSourceOptions(urlFor(template), config.database),
    logging: false,
  });
  await dataSource.initialize();
  await runMigrationsExclusively(dataSource);
  // A template with open connections cannot be copied.
  await dataSource.destroy();
  // graphile-worker's own schema (the outbox's job queue), so every clone has it too; closes its pool.
  await installDeliveryQueue(urlFor(template));
}
