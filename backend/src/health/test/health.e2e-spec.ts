import { withAdmin } from '../../../test/test-database';
import { startTestApp, type TestApp } from '../../../test/test-app';

describe('GET /api/health', () => {
  describe('on a migrated database', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(() => t.close());

    it('live answers 200 without touching dependencies', async () => {
      const res = await t.http.get('/api/health/live').expect(200);
      expect(res.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
    });

    it('ready answers 200 and lists its checks', async () => {
      const res = await t.http.get('/api/health/ready').expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        checks: {
          database: expect.objectContaining({ status: 'up' }),
          migrations: { status: 'up', applied: t.dataSource.migrations.length },
        },
      });
    });

    it('ready answers 503 HEALTH_NOT_READY naming a pending migration, and 200 once it is applied', async () => {
      await t.dataSource.undoLastMigration({ transaction: 'each' });
      try {
        const res = await t.http
          .get('/api/health/ready')
          .expect(503)
          .expect('content-type', /problem\+json/);
        const last = t.dataSource.migrations[t.dataSource.migrations.length - 1]?.name;
        expect(res.body).toMatchObject({
          code: 'HEALTH_NOT_READY',
          status: 503,
          detail: expect.stringContaining('migrations: 1 migration(s) pending'),
          checks: { database: { status: 'up' }, migrations: { status: 'down', pending: [last] } },
        });
      } finally {
        await t.dataSource.runMigrations({ transaction: 'each' });
      }
      await t.http.get('/api/health/ready').expect(200);
    });
  });

  describe('when the database goes away', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(() => t.close());

    it('ready answers 503 while live stays 200', async () => {
      await withAdmin((c) => c.query(`DROP DATABASE "${t.database.name}" WITH (FORCE)`));
      const res = await t.http.get('/api/health/ready').expect(503);
      expect(res.body).toMatchObject({ code: 'HEALTH_NOT_READY', checks: { database: { status: 'down' } } });
      expect(JSON.stringify(res.body)).not.toMatch(/password|postgres:\/\//);
      await t.http.get('/api/health/live').expect(200);
    });
  });
});
