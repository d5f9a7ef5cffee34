import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { redactUrl } from '../logging/logger';
import { EmbeddedPostgresServer } from './embedded-postgres-server';

export const EMBEDDED_DATABASE_NAME = 'nexecute';

/** Where the app's PostgreSQL is, and how to let go of it on shutdown. */
export interface DatabaseServer {
  readonly url: string;
  readonly embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise an embedded PostgreSQL keeping its data in ./data/. */
export async function openDatabaseServer(config: AppConfig['database']): Promise<DatabaseServer> {
  const logger = new Logger('Database');
  if (config.url) {
    logger.log(`Using PostgreSQL at ${redactUrl(config.url)} (pool of ${config.poolSize})`);
    return { url: config.url, embedded: false, stop: () => Promise.resolve() };
  }
  const server = await EmbeddedPostgresServer.start({
    dataDir: config.embedded.dataDir,
    port: config.embedded.port,
    database: EMBEDDED_DATABASE_NAME,
  });
  return { url: server.url, embedded: true, stop: () => server.stop() };
}
