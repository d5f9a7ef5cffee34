import pg from 'pg';

/**
 * Records every committed change to the tables a request could change, so the fuzzer can tell,
 * per request, whether a refused one changed anything (and what). Triggers on the fuzz run's own
 * database clone append to `fuzz_journal`; a rolled-back change leaves no row. Reading the new
 * rows after each request costs one index scan, where hashing every table would cost more than
 * the request.
 *
 * Left out, because refused requests change them by design or the background changes them:
 * `login_failures` and failed-outcome audit events (a refused sign-in is counted and audited),
 * `auth_sessions.last_used_at` and `api_keys.last_used_at` (touched by authentication itself),
 * delivery progress (`deliveries` updates, graphile_worker's tables: the outbox worker).
 */
const TRACKED: readonly {
  table: string;
  ignoredColumns?: readonly string[];
  insertWhen?: string;
  updates?: false;
}[] = [
  { table: 'users' },
  { table: 'auth_sessions', ignoredColumns: ['last_used_at'] },
  { table: 'refresh_tokens' },
  { table: 'api_keys', ignoredColumns: ['last_used_at'] },
  { table: 'federated_identities' },
  { table: 'sso_login_states' },
  { table: 'audit_events', insertWhen: `NEW.outcome = 'success'`, updates: false },
  { table: 'incidents' },
  { table: 'incident_timeline' },
  { table: 'outbox_events' },
  { table: 'deliveries', updates: false },
  { table: 'event_sources' },
  { table: 'inbound_events' },
];

export interface JournalEntry {
  readonly table: string;
  readonly operation: string;
  readonly rowId: string | null;
}

export class ChangeJournal {
  private mark = 0;

  private constructor(private readonly client: pg.Client) {}

  static async install(databaseUrl: string): Promise<ChangeJournal> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`
      CREATE TABLE fuzz_journal (seq bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, row_id text);
      CREATE FUNCTION fuzz_journal_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO fuzz_journal (tbl, op, row_id)
        VALUES (TG_TABLE_NAME, TG_OP, COALESCE(to_jsonb(NEW) ->> 'id', to_jsonb(OLD) ->> 'id'));
        RETURN NULL;
      END $$;`);
    for (const t of TRACKED) {
      const ignored = `ARRAY[${(t.ignoredColumns ?? []).map((c) => `'${c}'`).join(',')}]::text[]`;
      await client.query(`
        CREATE TRIGGER fuzz_journal_insert AFTER INSERT ON ${t.table} FOR EACH ROW
          ${t.insertWhen ? `WHEN (${t.insertWhen})` : ''} EXECUTE FUNCTION fuzz_journal_record();
        CREATE TRIGGER fuzz_journal_delete AFTER DELETE ON ${t.table} FOR EACH ROW
          EXECUTE FUNCTION fuzz_journal_record();`);
      if (t.updates !== false) {
        await client.query(`
          CREATE TRIGGER fuzz_journal_update AFTER UPDATE ON ${t.table} FOR EACH ROW
            WHEN ((to_jsonb(OLD) - ${ignored}) IS DISTINCT FROM (to_jsonb(NEW) - ${ignored}))
            EXECUTE FUNCTION fuzz_journal_record();`);
      }
    }
    return new ChangeJournal(client);
  }

  /** The changes committed since the last call (the first call: since install). */
  async changesSinceLastCall(): Promise<JournalEntry[]> {
    const { rows } = await this.client.query<{ seq: string; tbl: string; op: string; row_id: string | null }>(
      'SELECT seq, tbl, op, row_id FROM fuzz_journal WHERE seq > $1 ORDER BY seq',
      [this.mark],
    );
    const last = rows.at(-1);
    if (last) this.mark = Number(last.seq);
    return rows.map((r) => ({ table: r.tbl, operation: r.op, rowId: r.row_id }));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
