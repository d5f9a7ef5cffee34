import { rm } from 'node:fs/promises';
import { testRun } from './global-setup';
import { runPrefix, withAdmin } from './test-database';

/** Drops every database this run created (the template and any a failed spec left), then the server. */
export default async function globalTeardown(): Promise<void> {
  const prefix = runPrefix();
  await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
  const embedded = testRun.nexecuteTestRun?.embedded;
  if (embedded) {
    await embedded.server.stop();
    await rm(embedded.dir, { recursive: true, force: true });
  }
}
