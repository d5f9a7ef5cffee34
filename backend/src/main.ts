import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openDatabaseServer, type DatabaseServer } from './common/database/database-server';
import { createLogger } from './common/logging/logger';
import { NestPinoLogger } from './common/logging/nest-pino-logger';
import { ConfigError, loadConfig } from './config/app-config';
import { loadDotEnv } from './config/dot-env';
import { createHttpApplication } from './http-application';

/**
 * Starts the product: settings, then PostgreSQL (embedded unless DATABASE_URL is set), then the
 * app, which applies pending migrations before it listens. SIGTERM/SIGINT drain HTTP, close
 * the pool, then stop the embedded server, within SHUTDOWN_TIMEOUT_MS.
 */
export async function main(): Promise<void> {
  const startedAt = performance.now();
  let config;
  let envFile: string | undefined;
  try {
    envFile = loadDotEnv();
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee the README's table of environment variables.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createLogger(config.log.level);
  // Everything logged before Nest exists (the embedded server's start) goes to pino too.
  Logger.overrideLogger(new NestPinoLogger(logger));
  if (envFile) logger.info(`Read settings from ${envFile}`);
  let database: DatabaseServer | undefined;
  let app: NestFastifyApplication | undefined;
  let stopping = false;

  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.http.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    force.unref();
    try {
      await app?.close(); // stops accepting, lets in-flight requests finish, closes the pool
      await database?.stop();
      logger.info('stopped');
    } catch (e) {
      logger.error({ err: e }, 'error during shutdown');
      exitCode = 1;
    }
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));

  try {
    database = await openDatabaseServer(config.database);
    app = await createHttpApplication(config, database.url, { logger });
    await app.listen(config.http.port, config.http.host);
  } catch (e) {
    logger.fatal({ err: e }, 'failed to start');
    await shutdown('start-up failure', 1);
    return;
  }
  const address = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${config.http.port}`;
  logger.info(
    {
      startupMs: Math.round(performance.now() - startedAt),
      database: database.embedded ? 'embedded' : 'external',
    },
    `Nexecute Connect ready: console ${address}/  API ${address}/api  docs ${address}/api/docs`,
  );
}

if (require.main === module) void main();
