import { givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

interface Row {
  id: string;
  number: string;
  title: string;
  priority: number;
  state: string;
  openedAt: string;
}

describe('GET /api/incidents (filters, search, sorting, keyset paging)', () => {
  let t: TestApp;
  let responder: SignedIn;
  let other: SignedIn;
  const made: Row[] = [];

  const list = async (query: string, as: SignedIn = responder) => {
    const res = await t.http.get(`/api/incidents?${query}`).set('authorization', as.bearer).expect(200);
    return res.body as { items: Row[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    t = await startTestApp();
    responder = await givenUser(t, 'responder');
    other = await givenUser(t, 'responder');
    const specs = [
      {
        title: 'Checkout API returns 502 errors',
        impact: 1,
        urgency: 1,
        assignmentGroup: 'Payments',
        source: 'api',
      },
      { title: 'VPN gateway flapping in Frankfurt', impact: 2, urgency: 1, assignmentGroup: 'Network' },
      { title: 'Printer on floor 3 jams', impact: 3, urgency: 3 },
      { title: 'Database replica lag above threshold', impact: 2, urgency: 2, assignmentGroup: 'Databases' },
      {
        title: 'Checkout page slow for EU customers',
        impact: 2,
        urgency: 3,
        assignmentGroup: 'Payments',
        source: 'slack',
      },
      { title: 'Email delivery delayed', impact: 3, urgency: 2 },
    ];
    for (const spec of specs) {
      const res = await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .send(spec)
        .expect(201);
      made.push(res.body as Row);
    }
    // Spread the opening times one day apart, oldest first, so time filters and sorts are checkable.
    for (const [i, row] of made.entries()) {
      await t.dataSource.query(`UPDATE incidents SET opened_at = $2 WHERE id = $1`, [
        row.id,
        new Date(Date.UTC(2026, 10, 1 + i, 12)).toISOString(),
      ]);
    }
    await t.http
      .post(`/api/incidents/${made[1]!.id}/assign`)
      .set('authorization', responder.bearer)
      .send({ assigneeId: other.user.id })
      .expect(200);
    await t.http
      .post(`/api/incidents/${made[3]!.id}/assign`)
      .set('authorization', responder.bearer)
      .send({ assigneeId: responder.user.id })
      .expect(200);
    await t.http
      .post(`/api/incidents/${made[2]!.id}/acknowledge`)
      .set('authorization', responder.bearer)
      .send({})
      .expect(200);
  });
  afterAll(() => t.close());

  const titles = (rows: Row[]) => rows.map((r) => r.title);

  it('lists newest first by default', async () => {
    const page = await list('');
    expect(titles(page.items)).toEqual(titles([...made].reverse()));
    expect(page.nextCursor).toBeNull();
  });

  it('filters by state, priority, group, source and opening window', async () => {
    expect(titles((await list('state=in_progress')).items)).toEqual(['Printer on floor 3 jams']);
    expect(titles((await list('state=new&priority=1,2')).items)).toEqual([
      'VPN gateway flapping in Frankfurt',
      'Checkout API returns 502 errors',
    ]);
    expect(titles((await list('assignmentGroup=Payments')).items)).toEqual([
      'Checkout page slow for EU customers',
      'Checkout API returns 502 errors',
    ]);
    expect(titles((await list('source=slack')).items)).toEqual(['Checkout page slow for EU customers']);
    expect(
      titles((await list('openedFrom=2026-11-02T00:00:00Z&openedTo=2026-11-04T00:00:00Z')).items),
    ).toEqual(['Printer on floor 3 jams', 'VPN gateway flapping in Frankfurt']);
  });

  it('filters by updatedSince, inclusive, at the updatedAt a client saw (millisecond text)', async () => {
    const [first, second] = made;
    await t.dataSource.query(`UPDATE incidents SET updated_at = '2030-01-01T00:00:00.123456Z' WHERE id = $1`, [
      first!.id,
    ]);
    await t.dataSource.query(`UPDATE incidents SET updated_at = '2030-01-02T00:00:00Z' WHERE id = $1`, [
      second!.id,
    ]);
    const since = (await list(`updatedSince=2030-01-01T00:00:00.123Z&sort=-updatedAt`)).items;
    expect(since.map((r) => r.id)).toEqual([second!.id, first!.id]);
    expect((since[1] as Row & { updatedAt: string }).updatedAt).toBe('2030-01-01T00:00:00.123Z');
    expect((await list('updatedSince=2030-01-01T12:00:00Z')).items.map((r) => r.id)).toEqual([second!.id]);
  });

  it('filters by assignee: a user, me, or nobody', async () => {
    expect(titles((await list(`assigneeId=${other.user.id}`)).items)).toEqual([
      'VPN gateway flapping in Frankfurt',
    ]);
    expect(titles((await list('assigneeId=me')).items)).toEqual(['Database replica lag above threshold']);
    expect((await list('assigneeId=none')).items).toHaveLength(4);
  });

  it('searches full text, with stemming, and partial incident numbers', async () => {
    expect(titles((await list('q=checkout')).items)).toEqual([
      'Checkout page slow for EU customers',
      'Checkout API returns 502 errors',
    ]);
    expect(titles((await list('q=flaps')).items)).toEqual(['VPN gateway flapping in Frankfurt']);
    const target = made[4]!;
    const digits = target.number.slice(-4);
    expect((await list(`q=${digits}`)).items.map((r) => r.number)).toContain(target.number);
    expect((await list(`q=${target.number}`)).items.map((r) => r.number)).toEqual([target.number]);
  });

  it('sorts by priority, then newest', async () => {
    const page = await list('sort=priority');
    expect(page.items.map((r) => r.priority)).toEqual(
      [...page.items.map((r) => r.priority)].sort((a, b) => a - b),
    );
    expect(page.items[0]?.title).toBe('Checkout API returns 502 errors');
  });

  it.each(['-openedAt', 'openedAt', 'priority', '-updatedAt', 'slaDueAt'])(
    'pages through every row exactly once with sort=%s and limit=2',
    async (sort) => {
      const all = (await list(`sort=${sort}&limit=200`)).items.map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Row[]; nextCursor: string | null } = await list(
          `sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(made.length);
    },
  );

  it('keeps pages stable while new incidents arrive', async () => {
    const first = await list('limit=3');
    await t.http
      .post('/api/incidents')
      .set('authorization', responder.bearer)
      .send({ title: 'Arrived mid-way', impact: 1, urgency: 1 })
      .expect(201);
    const second = await list(`limit=3&cursor=${first.nextCursor}`);
    expect(titles(second.items)).toEqual(titles([...made].reverse().slice(3, 6)));
  });

  it('refuses a cursor from another sort or a forged one', async () => {
    const first = await list('limit=1');
    const res = await t.http
      .get(`/api/incidents?sort=priority&cursor=${first.nextCursor}`)
      .set('authorization', responder.bearer)
      .expect(400);
    expect(res.body.code).toBe('INCIDENT_CURSOR_INVALID');
    await t.http.get('/api/incidents?cursor=bm9wZQ').set('authorization', responder.bearer).expect(400);
    const bad = await t.http
      .get('/api/incidents?state=open&limit=0')
      .set('authorization', responder.bearer)
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses forged cursors whose contents PostgreSQL would reject with 400, not 500', async () => {
    const id = made[0]!.id;
    const forged = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url');
    const cursors: [string, unknown][] = [
      ['-openedAt', null],
      ['-openedAt', []],
      ['-openedAt', 'x'],
      ['-openedAt', { s: '-openedAt', k: '9999-99-99 99:99:99', id }],
      ['-openedAt', { s: '-openedAt', k: '2026-02-29 10:00:00+00', id }],
      ['-openedAt', { s: '-openedAt', k: '0000-01-01 00:00:00+00', id }],
      ['-openedAt', { s: '-openedAt', k: '2026-01-01 24:00:00+00', id }],
      ['-openedAt', { s: '-openedAt', k: '2026-01-01 10:00:00+16', id }],
      ['-openedAt', { s: '-openedAt', k: 20260101, id }],
      ['-openedAt', { s: '-openedAt', k: '2026-01-01 10:00:00+00', id: 'not-a-uuid' }],
      ['priority', { s: 'priority', k: '2026-01-01 10:00:00+00', id, p: '1' }],
      ['priority', { s: 'priority', k: '2026-01-01 10:00:00+00', id, p: 1e300 }],
      ['priority', { s: 'priority', k: '2026-01-01 10:00:00+00', id }],
    ];
    for (const [sort, position] of cursors) {
      const res = await t.http
        .get(`/api/incidents?sort=${sort}&cursor=${forged(position)}`)
        .set('authorization', responder.bearer);
      expect({ position, status: res.status, code: res.body.code }).toEqual({
        position,
        status: 400,
        code: 'INCIDENT_CURSOR_INVALID',
      });
    }
    const valid = forged({ s: '-openedAt', k: '2026-11-03T12:00:00Z', id });
    await t.http.get(`/api/incidents?cursor=${valid}`).set('authorization', responder.bearer).expect(200);
  });

  it.each([
    ['openedTo=-271821-04-20T00:00:00Z', 'openedTo'],
    ['openedFrom=99999-01-01', 'openedFrom'],
    ['openedFrom=2026-02-31', 'openedFrom'],
    ['openedFrom=hello%205', 'openedFrom'],
    ['updatedSince=yesterday', 'updatedSince'],
    ['limit=99999999999999999999', 'limit'],
    ['limit=1e1', 'limit'],
    ['priority=0x1', 'priority'],
  ])('answers 400 VALIDATION_FAILED for %s', async (query, field) => {
    const res = await t.http.get(`/api/incidents?${query}`).set('authorization', responder.bearer);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
  });
});
