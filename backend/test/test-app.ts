import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { join } from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { createLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/app-config';
import { createHttpApplication } from '../src/http-application';
import { recordResponseStatuses } from './http-status-log';
import { TcpProxy } from './support/tcp-proxy';
import { freshDatabase, type TestDatabase } from './test-database';

export const CONSOLE_FIXTURE = join(__dirname, 'fixtures', 'console');

/** The first admin every test app bootstraps (see AdminBootstrap). */
export const TEST_ADMIN = { email: 'admin@test.nexecute', password: 'Sturdy test passphrase 41' } as const;

/** Fixed secrets and a cheap hash cost, so tests neither write a secrets file nor wait on argon2. */
const TEST_AUTH_ENV = {
  JWT_SECRET: 'test-only-jwt-secret-0123456789abcdefghijklmnop',
  ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}`,
  ADMIN_EMAIL: TEST_ADMIN.email,
  ADMIN_PASSWORD: TEST_ADMIN.password,
  PASSWORD_HASH_MEMORY_KIB: '1024',
  PASSWORD_HASH_ITERATIONS: '1',
  // Specs sign in dozens of times from 127.0.0.1; the throttling spec sets its own limits.
  LOGIN_RATE_LIMIT_PER_IP: '1000',
} as const;

export interface LogRecord {
  readonly level: string;
  readonly msg?: string;
  readonly requestId?: string;
  readonly [key: string]: unknown;
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  /** supertest against the listening server: the real HTTP path, sockets included. */
  readonly http: TestAgent;
  readonly baseUrl: string;
  readonly dataSource: DataSource;
  readonly database: TestDatabase;
  /** Every line the app logged, parsed. */
  logs(): LogRecord[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment variables on top of the test defaults (DATABASE_URL is always the fresh database). */
  readonly env?: Readonly<Record<string, string>>;
  /** Probe modules mounted next to the real ones. */
  readonly imports?: ModuleMetadata['imports'];
  /** Port to listen on (default: any free one), for tests that must know the URL before start. */
  readonly port?: number;
  /**
   * Start on this existing database (e.g. a closed app's, to test a restart) instead of a fresh
   * clone. close() then leaves it alone: whoever created it drops it.
   */
  readonly database?: TestDatabase;
  /** close() keeps the fresh database, for a second app to start on; drop it yourself. */
  readonly keepDatabase?: boolean;
}

/** The real app (same assembly as main.ts) on its own fresh database, listening on a free port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await freshDatabase());
  const dropOnClose = !options.database && !options.keepDatabase;
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const config = loadConfig({
    NODE_ENV: 'test',
    CONSOLE_DIR: CONSOLE_FIXTURE,
    ...TEST_AUTH_ENV,
    ...options.env,
    DATABASE_URL: database.url,
  });
  const app = await createHttpApplication(config, database.url, {
    logger,
    extraImports: options.imports ?? [],
  });
  recordResponseStatuses(app.getHttpAdapter().getInstance());
  await app.listen(options.port ?? 0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  return {
    app,
    http: request(baseUrl.replace('[::1]', '127.0.0.1')),
    baseUrl,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    database,
    logs: () => lines.map((l) => JSON.parse(l) as LogRecord),
    close: async () => {
      await app.close();
      if (dropOnClose) await database.drop();
    },
  };
}

export interface ProxiedTestApp {
  readonly t: TestApp;
  /** Between the app and its database: `refuse()`, `blackhole()` and `forward()` it. */
  readonly proxy: TcpProxy;
  /** The database itself, reachable around the proxy. */
  readonly database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The real app on a fresh database that it reaches only through a TcpProxy, for tests of a
 * database that goes away. Availability is checked every 300 ms, so outages are seen quickly.
 */
export async function startTestAppBehindProxy(
  options: Omit<TestAppOptions, 'database'> = {},
): Promise<ProxiedTestApp> {
  const database = await freshDatabase();
  const proxy = await TcpProxy.start(database.url);
  const t = await startTestApp({
    ...options,
    database: { ...database, url: proxy.urlFor(database.url) },
    env: { DATABASE_HEALTH_INTERVAL_MS: '300', ...options.env },
  });
  return {
    t,
    proxy,
    database,
    close: async () => {
      await proxy.forward();
      await t.close();
      await proxy.stop();
      await database.drop();
    },
  };
}
