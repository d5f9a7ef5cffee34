import { randomUUID } from 'node:crypto';
import { givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

interface Metadata {
  states: { state: string; open: boolean; next: string[] }[];
  closeCodes: string[];
  sources: string[];
  priorityMatrix: { impact: number; urgency: number; priority: number }[];
  slaTargets: { priority: number; resolutionHours: number }[];
}

describe('GET /api/incidents/metadata', () => {
  let t: TestApp;
  let viewer: SignedIn;
  let responder: SignedIn;

  beforeAll(async () => {
    t = await startTestApp();
    viewer = await givenUser(t, 'viewer');
    responder = await givenUser(t, 'responder');
  });
  afterAll(() => t.close());

  const metadata = (headers: Record<string, string> = {}) =>
    t.http.get('/api/incidents/metadata').set('authorization', viewer.bearer).set(headers);

  it('serves the states and their moves, close codes, sources, priority matrix and SLA targets', async () => {
    const res = await metadata().expect(200);
    const body = res.body as Metadata;
    expect(body.states).toEqual([
      { state: 'new', open: true, next: ['in_progress', 'on_hold', 'resolved', 'canceled'] },
      { state: 'in_progress', open: true, next: ['on_hold', 'resolved', 'canceled'] },
      { state: 'on_hold', open: true, next: ['in_progress', 'resolved', 'canceled'] },
      { state: 'resolved', open: false, next: ['closed', 'in_progress'] },
      { state: 'closed', open: false, next: [] },
      { state: 'canceled', open: false, next: [] },
    ]);
    expect(body.closeCodes).toHaveLength(10);
    expect(body.closeCodes[0]).toBe('Solution provided');
    expect(body.sources).toEqual(['console', 'api', 'slack', 'servicenow', 'webhook']);
    expect(body.priorityMatrix).toHaveLength(9);
    expect(body.priorityMatrix).toContainEqual({ impact: 1, urgency: 1, priority: 1 });
    expect(body.priorityMatrix).toContainEqual({ impact: 2, urgency: 3, priority: 4 });
    expect(body.priorityMatrix).toContainEqual({ impact: 3, urgency: 3, priority: 5 });
    expect(body.slaTargets).toEqual([
      { priority: 1, resolutionHours: 4 },
      { priority: 2, resolutionHours: 8 },
      { priority: 3, resolutionHours: 24 },
      { priority: 4, resolutionHours: 72 },
      { priority: 5, resolutionHours: 168 },
    ]);
  });

  it('is what the API enforces: the priority it derives and the moves it allows', async () => {
    const { priorityMatrix, states } = (await metadata().expect(200)).body as Metadata;
    const created = await t.http
      .post('/api/incidents')
      .set('authorization', responder.bearer)
      .send({ title: 'Metadata check', impact: 2, urgency: 3 })
      .expect(201);
    const incident = created.body as { id: string; priority: number };
    expect(incident.priority).toBe(priorityMatrix.find((r) => r.impact === 2 && r.urgency === 3)?.priority);

    const refused = await t.http
      .post(`/api/incidents/${incident.id}/close`)
      .set('authorization', responder.bearer)
      .send({})
      .expect(409);
    expect(refused.body).toMatchObject({
      code: 'INCIDENT_ILLEGAL_TRANSITION',
      allowed: states.find((s) => s.state === 'new')?.next,
    });
  });

  it('carries an ETag, and answers 304 with no body to a client that holds it', async () => {
    const first = await metadata().expect(200);
    const etag = first.headers['etag'];
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');

    const again = await metadata({ 'if-none-match': etag as string }).expect(304);
    expect(again.headers['etag']).toBe(etag);
    expect(again.text ?? '').toBe('');
    await metadata({ 'if-none-match': `"other", W/${etag as string}` }).expect(304);
    await metadata({ 'if-none-match': '"stale"' }).expect(200);
  });

  it('leaves GET /api/incidents/:id alone', async () => {
    const res = await t.http
      .get(`/api/incidents/${randomUUID()}`)
      .set('authorization', viewer.bearer)
      .expect(404);
    expect(res.body).toMatchObject({ code: 'INCIDENT_NOT_FOUND' });
  });
});
