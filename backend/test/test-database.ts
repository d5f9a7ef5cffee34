import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Set by global-setup for every Jest worker. */
export const ADMIN_URL_VAR = 'NEXECUTE_TEST_ADMIN_URL';
export const RUN_ID_VAR = 'NEXECUTE_TEST_RUN_ID';

export function runPrefix(): string {
  return `nx_${required(RUN_ID_VAR)}`;
}

export function templateName(): string {
  return `${runPrefix()}_template`;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the tests through Jest (global-setup sets it)`);
  return value;
}

export function urlFor(database: string, adminUrl = required(ADMIN_URL_VAR)): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(
  fn: (client: pg.Client) => Promise<T>,
  adminUrl = required(ADMIN_URL_VAR),
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function create(sql: (name: string) => string): Promise<TestDatabase> {
  const name = `${runPrefix()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(sql(name)));
  return {
    name,
    url: urlFor(name),
    drop: () =>
      withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A database of its own for one spec file, cloned from the migrated template. */
export function freshDatabase(): Promise<TestDatabase> {
  return create((name) => `CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`);
}

/** A database with no schema at all, for migration tests. */
export function emptyDatabase(): Promise<TestDatabase> {
  return create((name) => `CREATE DATABASE "${name}"`);
}
