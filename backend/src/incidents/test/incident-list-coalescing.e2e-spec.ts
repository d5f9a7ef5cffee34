import { givenUser, type SignedIn } from '../../../test/sign-in';
import type { PreparedStatements } from '../../common/database/prepared-statements';
import { IncidentQueries } from '../incident-queries';
import { startTestApp, type TestApp } from '../../../test/test-app';

interface Page {
  items: { id: string; title: string }[];
  nextCursor: string | null;
}

/**
 * Identical list requests at the same moment share one read (IncidentQueries.list). These run
 * the real HTTP path against PostgreSQL with many identical requests in flight, and check that
 * sharing never shows a client data older than its request.
 */
describe('GET /api/incidents under identical concurrent requests', () => {
  let t: TestApp;
  let responder: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ env: { DELIVERY_WORKER_ENABLED: 'false' } });
    responder = await givenUser(t, 'responder');
  });
  afterAll(() => t.close());

  const list = async (query = 'limit=5'): Promise<Page> =>
    (await t.http.get(`/api/incidents?${query}`).set('authorization', responder.bearer).expect(200))
      .body as Page;

  const create = async (title: string): Promise<string> => {
    const res = await t.http
      .post('/api/incidents')
      .set('authorization', responder.bearer)
      .send({ title, impact: 2, urgency: 2 })
      .expect(201);
    return (res.body as { id: string }).id;
  };

  it('answers many identical requests with the same page from fewer reads', async () => {
    for (let i = 0; i < 3; i++) await create(`Seed ${i}`);
    // Counts IncidentQueries' reads of the database; the reads themselves run as usual.
    const service: unknown = t.app.get(IncidentQueries);
    const { statements } = service as { statements: PreparedStatements };
    const reads = jest.spyOn(statements, 'texts');
    try {
      const pages = await Promise.all(Array.from({ length: 60 }, () => list()));
      const first = JSON.stringify(pages[0]);
      expect(pages.every((p) => JSON.stringify(p) === first)).toBe(true);
      expect(pages[0]!.items.length).toBeGreaterThanOrEqual(3);
      expect(reads.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(reads.mock.calls.length).toBeLessThan(60);
    } finally {
      reads.mockRestore();
    }
  });

  it('shows a client its own write at once while identical reads are in flight', async () => {
    let stop = false;
    // Background readers keep identical reads in flight the whole time.
    const readers = Array.from({ length: 8 }, async () => {
      while (!stop) await list();
    });
    try {
      for (let i = 0; i < 25; i++) {
        const id = await create(`Written then read ${i}`);
        const page = await list();
        expect(page.items[0]?.id).toBe(id);
      }
    } finally {
      stop = true;
      await Promise.all(readers);
    }
  });

  it('does not share a page between different queries', async () => {
    const id = await create('Only on the first page of one query');
    const [small, other] = await Promise.all([list('limit=1'), list('limit=2&sort=openedAt')]);
    expect(small.items.map((i) => i.id)).toEqual([id]);
    expect(other.items.map((i) => i.id)).not.toContain(id);
    expect(other.items).toHaveLength(2);
  });
});
