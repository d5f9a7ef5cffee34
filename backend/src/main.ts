import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer } from 'node:net';
import { openDatabaseServer, type DatabaseServer } from './common/database/database-server';
import { createLogger } from './common/logging/logger';
import { NestPinoLogger } from './common/logging/nest-pino-logger';
import { ConfigError, loadConfig } from './config/app-config';
import { loadDotEnv } from './config/dot-env';
import { createHttpApplication } from './http-application';

/** The one line a user needs when the port is taken or not allowed (no stack trace). */
function portProblem(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return (
      `Port ${port} on ${host} is already in use (another Nexecute Connect, or another server); ` +
      `set PORT to a free port, e.g. PORT=${port + 1} npm start`
    );
  }
  if (code === 'EACCES') {
    return `Port ${port} on ${host} needs privileges this process lacks; set PORT to a port above 1023`;
  }
  return undefined;
}

/** Binds and releases host:port, so a taken port is reported before Nest logs its own error. */
function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * Starts the product: settings, then PostgreSQL (embedded unless DATABASE_URL is set), then the
 * app, which applies pending migrations before it listens.
 *
 * SIGTERM and SIGINT (a terminal's Ctrl-C, which reaches the whole process group; the embedded
 * PostgreSQL runs in a session of its own and does not get it) stop it in order: refuse new
 * connections, let in-flight requests finish, stop the delivery worker, close the pools, and
 * only then stop the embedded PostgreSQL; SHUTDOWN_TIMEOUT_MS bounds it. If the process dies
 * instead, the embedded server's watchdog stops it.
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
  const { host, port } = config.http;
  const logger = createLogger(config.log.level);
  // Everything logged before Nest exists (the embedded server's start) goes to pino too.
  Logger.overrideLogger(new NestPinoLogger(logger));
  if (envFile) logger.info(`Read settings from ${envFile}`);
  let database: DatabaseServer | undefined;
  let app: NestFastifyApplication | undefined;
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string, exitCode: number): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const force = setTimeout(() => {
        logger.error({ timeoutMs: config.http.shutdownTimeoutMs }, 'shutdown timed out; exiting');
        process.exit(1);
      }, config.http.shutdownTimeoutMs);
      force.unref();
      // In this order: the database serves the drain, and stops after the pools have closed.
      const steps = [
        ['the app', () => app?.close()],
        ['the database', () => database?.stop()],
      ] as const;
      for (const [what, stop] of steps) {
        try {
          await stop();
        } catch (e) {
          logger.error({ err: e }, `error while stopping ${what}`);
          exitCode = 1;
        }
      }
      logger.info({ exitCode }, 'stopped');
      process.exit(exitCode);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // process.on, not once: a repeated signal (npm forwarding Ctrl-C, a second Ctrl-C) must not
    // fall back to Node's default and kill the process in the middle of the drain.
    process.on(signal, () => {
      if (stopping) logger.info({ signal }, 'already shutting down; in-flight requests are finishing');
      void shutdown(signal, 0);
    });
  }

  try {
    database = await openDatabaseServer(config.database);
    app = await createHttpApplication(config, database.url, { logger });
    await app.init(); // migrations and workers first, so the port check below is close to listen
    await checkPortFree(host, port);
    await app.listen(port, host);
  } catch (e) {
    // A signal during start-up: the shutdown in progress is why start-up failed, and it exits.
    if (stopping) return;
    const problem = portProblem(e, host, port);
    if (problem) logger.fatal(problem);
    else logger.fatal({ err: e }, 'failed to start');
    await shutdown('start-up failure', 1);
    return;
  }
  const address = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  logger.info(
    {
      startupMs: Math.round(performance.now() - startedAt),
      database: database.embedded ? 'embedded' : 'external',
    },
    `Nexecute Connect ready: console ${address}/  API ${address}/api  docs ${address}/api/docs`,
  );
}

if (require.main === module) void main();
