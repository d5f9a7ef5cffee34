import { DataSource } from 'typeorm';
import { emptyDatabase, type TestDatabase } from '../../../../test/test-database';
import { loadConfig } from '../../../config/app-config';
import { dataSourceOptions, MIGRATIONS_TABLE } from '../data-source-options';
import { runMigrationsExclusively } from '../migration-runner';

/** Everything a migration can leave behind, so "down" can be checked against "never migrated". */
const SCHEMA_SNAPSHOT = `
  SELECT 'relation ' || c.relkind::text || ' ' || c.relname AS item FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relname <> '${MIGRATIONS_TABLE}' AND c.relname NOT LIKE '${MIGRATIONS_TABLE}_%'
     AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.oid AND i.indrelid = to_regclass('${MIGRATIONS_TABLE}'))
  UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
  UNION ALL SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
  UNION ALL SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  ORDER BY 1`;

describe('database migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    db = await emptyDatabase();
    dataSource = new DataSource({ ...dataSourceOptions(db.url, loadConfig({}).database), logging: false });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const snapshot = async (): Promise<string[]> =>
    (await dataSource.query<{ item: string }[]>(SCHEMA_SNAPSHOT)).map((r) => r.item);

  it('go up, all the way down to an empty schema, and up again to the same schema', async () => {
    const empty = await snapshot();

    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(dataSource.migrations.map((m) => m.name));
    const migrated = await snapshot();
    expect(migrated).toEqual(expect.arrayContaining(['extension citext', 'extension pg_trgm']));

    for (let i = 0; i < applied.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await snapshot()).toEqual(empty);
    expect(await dataSource.showMigrations()).toBe(true);

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await snapshot()).toEqual(migrated);
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('run once when two instances start together (advisory lock)', async () => {
    const other = await emptyDatabase();
    const options = { ...dataSourceOptions(other.url, loadConfig({}).database), logging: false as const };
    const instances = [new DataSource(options), new DataSource(options)];
    try {
      await Promise.all(instances.map((d) => d.initialize()));
      const results = await Promise.all(instances.map((d) => runMigrationsExclusively(d)));
      const applied = results.flat().map((m) => m.name);
      expect(applied.sort()).toEqual(instances[0]!.migrations.map((m) => m.name).sort());
      const rows = await instances[0]!.query<{ name: string }[]>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
      expect(rows).toHaveLength(instances[0]!.migrations.length);
    } finally {
      await Promise.all(instances.filter((d) => d.isInitialized).map((d) => d.destroy()));
      await other.drop();
    }
  });
});
