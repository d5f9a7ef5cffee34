import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { freshDatabase, type TestDatabase } from '../../../test/test-database';
import { EventSchemaVersions1764500000000 } from '../../../../database/migrations/1764500000000-event-schema-versions';
import { dataSourceOptions, MIGRATIONS_TABLE } from '../../common/database/data-source-options';
import { loadConfig } from '../../config/app-config';

const MIGRATION = new EventSchemaVersions1764500000000().name;

/** Events as the release before versioning stored them: no schema version, work notes as comments. */
const INSERT_OLD_EVENT = `
  INSERT INTO outbox_events (type, aggregate_type, aggregate_id, aggregate_version, payload, actor_type)
  VALUES ($1, 'incident', $2, 1, $3, 'system') RETURNING id`;

describe(`migration ${MIGRATION} on events stored before it`, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    db = await freshDatabase();
    dataSource = new DataSource({ ...dataSourceOptions(db.url, loadConfig({}).database), logging: false });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const applied = async (): Promise<boolean> =>
    (await dataSource.query<unknown[]>(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [MIGRATION]))
      .length > 0;

  /** Reverts migrations, newest first, until this one is reverted. */
  async function revertThrough(): Promise<void> {
    while (await applied()) await dataSource.undoLastMigration({ transaction: 'each' });
  }

  async function storedAs(ids: string[]): Promise<{ type: string; schema_version?: number }[]> {
    const columns = (await applied()) ? 'type, schema_version' : 'type';
    return dataSource.query(`SELECT ${columns} FROM outbox_events WHERE id = ANY($1::uuid[]) ORDER BY type`, [
      ids,
    ]);
  }

  it('gives them version 1 and moves work notes to incident.work_noted; down moves them back', async () => {
    await revertThrough();
    const incidentId = randomUUID();
    const note = (kind: string) => ({ number: 'INC0000001', kind, body: kind, entryId: '1' });
    const ids: string[] = [];
    for (const [type, payload] of [
      ['incident.created', { incident: { id: incidentId }, changes: {} }],
      ['incident.commented', note('comment')],
      ['incident.commented', note('work_note')],
    ] as const) {
      const [row] = await dataSource.query<{ id: string }[]>(INSERT_OLD_EVENT, [type, incidentId, payload]);
      ids.push(row!.id);
    }

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await storedAs(ids)).toEqual([
      { type: 'incident.commented', schema_version: 1 },
      { type: 'incident.created', schema_version: 1 },
      { type: 'incident.work_noted', schema_version: 1 },
    ]);

    await revertThrough();
    expect(await storedAs(ids)).toEqual([
      { type: 'incident.commented' },
      { type: 'incident.commented' },
      { type: 'incident.created' },
    ]);
    await dataSource.runMigrations({ transaction: 'each' });
  });
});
