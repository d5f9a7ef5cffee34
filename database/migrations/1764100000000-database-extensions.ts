import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Extensions later schema relies on: gen_random_uuid() is core since PostgreSQL 13, pg_trgm backs
 * partial-number search, citext gives case-insensitive emails. Both ship with PostgreSQL (and
 * with the embedded server).
 */
export class DatabaseExtensions1764100000000 implements MigrationInterface {
  name = 'DatabaseExtensions1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await q.query('CREATE EXTENSION IF NOT EXISTS citext');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP EXTENSION IF EXISTS citext');
    await q.query('DROP EXTENSION IF EXISTS pg_trgm');
  }
}
