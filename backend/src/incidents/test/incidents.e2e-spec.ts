import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

interface IncidentBody {
  id: string;
  number: string;
  title: string;
  state: string;
  priority: number;
  version: number;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closeCode: string | null;
  slaDueAt: string;
  openedAt: string;
  assignee: { id: string } | null;
  reporter: { id: string } | null;
  source: string;
}

describe('/api/incidents', () => {
  let t: TestApp;
  let admin: SignedIn;
  let responder: SignedIn;
  let viewer: SignedIn;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
    responder = await givenUser(t, 'responder');
    viewer = await givenUser(t, 'viewer');
  });
  afterAll(() => t.close());

  async function create(
    overrides: Record<string, unknown> = {},
    as: SignedIn = responder,
  ): Promise<IncidentBody> {
    const res = await t.http
      .post('/api/incidents')
      .set('authorization', as.bearer)
      .send({ title: 'Checkout API returns 502', impact: 2, urgency: 2, ...overrides })
      .expect(201);
    return res.body as IncidentBody;
  }

  const act = (incident: { id: string }, action: string, body: object = {}, as: SignedIn = responder) =>
    t.http.post(`/api/incidents/${incident.id}/${action}`).set('authorization', as.bearer).send(body);

  describe('POST /api/incidents', () => {
    it('creates a New incident with a number, derived priority, SLA, reporter and source, and logs it on the timeline', async () => {
      const res = await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .send({ title: '  Payments down  ', impact: 1, urgency: 1, category: 'payments' })
        .expect(201);
      const incident = res.body as IncidentBody;
      expect(incident).toMatchObject({
        number: expect.stringMatching(/^INC\d{7}$/),
        title: 'Payments down',
        state: 'new',
        priority: 1,
        version: 1,
        source: 'console',
        reporter: { id: responder.user.id },
        acknowledgedAt: null,
      });
      expect(Date.parse(incident.slaDueAt) - Date.parse(incident.openedAt)).toBe(4 * 3_600_000);
      expect(res.headers['location']).toBe(`/api/incidents/${incident.id}`);
      expect(res.headers['etag']).toBe('"1"');
      const timeline = await t.http
        .get(`/api/incidents/${incident.id}/timeline`)
        .set('authorization', viewer.bearer)
        .expect(200);
      expect(timeline.body.items).toEqual([
        expect.objectContaining({
          kind: 'created',
          actor: expect.objectContaining({ id: responder.user.id }),
        }),
      ]);
    });

    it('rejects bad input with field errors and creates nothing', async () => {
      const before: { count: string }[] = await t.dataSource.query('SELECT count(*) FROM incidents');
      const res = await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .send({ title: '', impact: 4, urgency: 0, priority: 1 })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
        'impact',
        'priority',
        'title',
        'urgency',
      ]);
      expect(await t.dataSource.query('SELECT count(*) FROM incidents')).toEqual(before);
    });

    it('refuses an unknown assignee with 422', async () => {
      const res = await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .send({ title: 'x', impact: 3, urgency: 3, assigneeId: '00000000-0000-4000-8000-000000000000' })
        .expect(422);
      expect(res.body.code).toBe('INCIDENT_ASSIGNEE_UNKNOWN');
    });
  });

  describe('GET /api/incidents/:id', () => {
    it('finds an incident by id or by number and sends its version as ETag', async () => {
      const incident = await create();
      const byNumber = await t.http
        .get(`/api/incidents/${incident.number.toLowerCase()}`)
        .set('authorization', viewer.bearer)
        .expect(200);
      expect(byNumber.body.id).toBe(incident.id);
      expect(byNumber.headers['etag']).toBe('"1"');
      const missing = await t.http
        .get('/api/incidents/INC9999999')
        .set('authorization', viewer.bearer)
        .expect(404);
      expect(missing.body.code).toBe('INCIDENT_NOT_FOUND');
    });
  });

  describe('lifecycle over HTTP', () => {
    it('acknowledge → hold → resolve (close fields required) → reopen → resolve → close', async () => {
      const incident = await create();
      const acked = (await act(incident, 'acknowledge').expect(200)).body as IncidentBody;
      expect(acked).toMatchObject({ state: 'in_progress', version: 2, acknowledgedAt: expect.any(String) });

      await act(incident, 'hold', { reason: 'Waiting for the vendor' }).expect(200);
      // As documented: missing close fields are the lifecycle's 422, not a validation error.
      const missing = await act(incident, 'resolve', { closeCode: 'Solution provided' }).expect(422);
      expect(missing.body).toMatchObject({ code: 'INCIDENT_CLOSE_FIELDS_REQUIRED', missing: ['closeNotes'] });
      const none = await act(incident, 'resolve', {}).expect(422);
      expect(none.body).toMatchObject({
        code: 'INCIDENT_CLOSE_FIELDS_REQUIRED',
        missing: ['closeCode', 'closeNotes'],
      });
      const blank = await act(incident, 'resolve', { closeCode: 'Duplicate', closeNotes: '  ' }).expect(422);
      expect(blank.body).toMatchObject({ code: 'INCIDENT_CLOSE_FIELDS_REQUIRED', missing: ['closeNotes'] });
      // A close field that is given must still be valid.
      const unknownCode = await act(incident, 'resolve', { closeCode: 'Fixed', closeNotes: 'x' }).expect(400);
      expect(unknownCode.body.errors).toEqual([expect.objectContaining({ field: 'closeCode' })]);
      const resolved = (
        await act(incident, 'resolve', { closeCode: 'Solution provided', closeNotes: 'Rolled back' }).expect(
          200,
        )
      ).body as IncidentBody;
      expect(resolved).toMatchObject({
        state: 'resolved',
        closeCode: 'Solution provided',
        resolvedAt: expect.any(String),
      });
      expect(resolved.acknowledgedAt).toBe(acked.acknowledgedAt);

      const reopened = (await act(incident, 'reopen', { reason: 'Came back' }).expect(200))
        .body as IncidentBody;
      expect(reopened).toMatchObject({ state: 'in_progress', closeCode: null, resolvedAt: null });
      await act(incident, 'resolve', {
        closeCode: 'Workaround provided',
        closeNotes: 'Feature flag off',
      }).expect(200);
      const closed = (await act(incident, 'close').expect(200)).body as IncidentBody;
      expect(closed).toMatchObject({ state: 'closed', version: 7 });

      const illegal = await act(incident, 'reopen', { reason: 'again' }).expect(409);
      expect(illegal.body).toMatchObject({
        code: 'INCIDENT_ILLEGAL_TRANSITION',
        from: 'closed',
        to: 'in_progress',
        allowed: [],
      });
      const timeline = await t.http
        .get(`/api/incidents/${incident.id}/timeline`)
        .set('authorization', viewer.bearer)
        .expect(200);
      expect((timeline.body.items as { kind: string }[]).map((e) => e.kind)).toEqual([
        'created',
        'state_changed',
        'state_changed',
        'state_changed',
        'state_changed',
        'state_changed',
        'state_changed',
      ]);
      expect(timeline.body.items[2]).toMatchObject({
        body: 'Waiting for the vendor',
        changes: { state: { from: 'in_progress', to: 'on_hold' } },
      });
    });

    it('a first move out of New other than acknowledge also stamps acknowledgedAt', async () => {
      const incident = await create();
      const held = (await act(incident, 'hold', { reason: 'Waiting' }).expect(200)).body as IncidentBody;
      expect(held.acknowledgedAt).not.toBeNull();
    });

    it('resume takes a held incident back to In progress; reopen is only for resolved ones', async () => {
      const incident = await create();
      await act(incident, 'hold', { reason: 'Waiting for the vendor' }).expect(200);
      const wrong = await act(incident, 'reopen', { reason: 'Vendor answered' }).expect(409);
      expect(wrong.body).toMatchObject({
        code: 'INCIDENT_ILLEGAL_TRANSITION',
        from: 'on_hold',
        to: 'in_progress',
      });
      const resumed = await act(incident, 'resume', { reason: 'Vendor answered' }).expect(200);
      expect(resumed.body.state).toBe('in_progress');
      await act(incident, 'resume', { reason: 'again' }).expect(409);
    });

    it('cancel is final', async () => {
      const incident = await create();
      await act(incident, 'cancel', { reason: 'Duplicate of another' }).expect(200);
      const res = await act(incident, 'acknowledge').expect(409);
      expect(res.body.code).toBe('INCIDENT_ILLEGAL_TRANSITION');
    });
  });

  describe('optimistic locking', () => {
    it('answers 409 to a stale If-Match and changes nothing', async () => {
      const incident = await create();
      await t.http
        .patch(`/api/incidents/${incident.id}`)
        .set('authorization', responder.bearer)
        .set('if-match', '"1"')
        .send({ title: 'First' })
        .expect(200);
      const stale = await t.http
        .patch(`/api/incidents/${incident.id}`)
        .set('authorization', responder.bearer)
        .set('if-match', '"1"')
        .send({ title: 'Second' })
        .expect(409);
      expect(stale.body).toMatchObject({ code: 'INCIDENT_STALE_VERSION', currentVersion: 2 });
      const now = await t.http
        .get(`/api/incidents/${incident.id}`)
        .set('authorization', viewer.bearer)
        .expect(200);
      expect(now.body).toMatchObject({ title: 'First', version: 2 });
    });

    it('lets exactly one of two concurrent writes with the same version win', async () => {
      for (let round = 0; round < 3; round++) {
        const incident = await create();
        const results = await Promise.all(
          ['Alpha', 'Beta'].map((title) =>
            t.http
              .patch(`/api/incidents/${incident.id}`)
              .set('authorization', responder.bearer)
              .send({ title, version: 1 }),
          ),
        );
        expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
        const winner = results.find((r) => r.status === 200)?.body as { title: string };
        const now = await t.http
          .get(`/api/incidents/${incident.id}`)
          .set('authorization', viewer.bearer)
          .expect(200);
        expect(now.body).toMatchObject({ title: winner.title, version: 2 });
      }
    });

    it.each([
      ['acknowledge', {}],
      ['assign', { assigneeId: null }],
      ['hold', { reason: 'Waiting' }],
      ['resolve', { closeCode: 'Solution provided', closeNotes: 'Fixed' }],
      ['close', {}],
      ['cancel', { reason: 'Duplicate' }],
      ['reopen', { reason: 'Back again' }],
      ['resume', { reason: 'Vendor answered' }],
    ])('POST :id/%s takes the expected version from If-Match or the body', async (action, body) => {
      const incident = await create();
      const post = (ifMatch: string | undefined, version?: number) => {
        const req = t.http
          .post(`/api/incidents/${incident.id}/${action}`)
          .set('authorization', responder.bearer);
        return (ifMatch === undefined ? req : req.set('if-match', ifMatch)).send({ ...body, version });
      };
      expect((await post('"7"').expect(409)).body).toMatchObject({
        code: 'INCIDENT_STALE_VERSION',
        currentVersion: 1,
      });
      expect((await post(undefined, 7).expect(409)).body).toMatchObject({ code: 'INCIDENT_STALE_VERSION' });
      expect((await post('seven').expect(400)).body).toMatchObject({
        code: 'INCIDENT_VERSION_HEADER_INVALID',
      });
      expect((await post('W/"1"', 2).expect(400)).body).toMatchObject({
        code: 'INCIDENT_VERSION_HEADER_INVALID',
      });
      expect((await post('"1"', 0).expect(400)).body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const now = await t.http
        .get(`/api/incidents/${incident.id}`)
        .set('authorization', viewer.bearer)
        .expect(200);
      expect(now.body).toMatchObject({ version: 1, state: 'new' });
    });

    it('recomputes priority and SLA when impact or urgency change', async () => {
      const incident = await create({ impact: 3, urgency: 3 });
      const res = await t.http
        .patch(`/api/incidents/${incident.id}`)
        .set('authorization', responder.bearer)
        .send({ impact: 1 })
        .expect(200);
      expect(res.body.priority).toBe(3);
      expect(Date.parse(res.body.slaDueAt) - Date.parse(res.body.openedAt)).toBe(24 * 3_600_000);
    });
  });

  describe('assign, comments and bulk', () => {
    it('assigns and unassigns, and records who did it', async () => {
      const incident = await create();
      const assigned = await act(incident, 'assign', {
        assigneeId: responder.user.id,
        assignmentGroup: 'Network',
      }).expect(200);
      expect(assigned.body).toMatchObject({
        assignee: { id: responder.user.id, email: responder.user.email },
        assignmentGroup: 'Network',
      });
      const unassigned = await act(incident, 'assign', { assigneeId: null }).expect(200);
      expect(unassigned.body.assignee).toBeNull();
    });

    it('adds comments and work notes to the timeline', async () => {
      const incident = await create();
      const comment = await act(incident, 'comments', { body: 'Rollback started' }).expect(201);
      expect(comment.body).toMatchObject({ kind: 'comment', body: 'Rollback started' });
      await act(incident, 'comments', { body: 'Root cause: pool size', kind: 'work_note' }).expect(201);
      const timeline = await t.http
        .get(`/api/incidents/${incident.id}/timeline`)
        .set('authorization', viewer.bearer)
        .expect(200);
      expect((timeline.body.items as { kind: string }[]).map((e) => e.kind)).toEqual([
        'created',
        'comment',
        'work_note',
      ]);
    });

    it('bulk-acknowledges, reporting each failure without undoing the others', async () => {
      const a = await create();
      const b = await create();
      await act(b, 'cancel', { reason: 'noise' }).expect(200);
      const res = await t.http
        .post('/api/incidents/bulk/acknowledge')
        .set('authorization', responder.bearer)
        .send({ ids: [a.id, b.id] })
        .expect(200);
      expect(res.body.results).toEqual([
        expect.objectContaining({
          id: a.id,
          ok: true,
          incident: expect.objectContaining({ state: 'in_progress' }),
        }),
        expect.objectContaining({
          id: b.id,
          ok: false,
          problem: expect.objectContaining({ code: 'INCIDENT_ILLEGAL_TRANSITION' }),
        }),
      ]);
    });
  });

  describe('roles', () => {
    it('viewers read but cannot act; API keys need incidents:write to act', async () => {
      const incident = await create();
      await t.http.get('/api/incidents').set('authorization', viewer.bearer).expect(200);
      const refused = await act(incident, 'acknowledge', {}, viewer).expect(403);
      expect(refused.body.code).toBe('AUTH_FORBIDDEN');
      await t.http
        .post('/api/incidents')
        .set('authorization', viewer.bearer)
        .send({ title: 'x', impact: 1, urgency: 1 })
        .expect(403);

      const keyFor = async (scopes: string[]) =>
        (
          (
            await t.http
              .post('/api/api-keys')
              .set('authorization', admin.bearer)
              .send({ name: 'k', scopes })
              .expect(201)
          ).body as { key: string }
        ).key;
      const readKey = await keyFor(['incidents:read']);
      const writeKey = await keyFor(['incidents:write']);
      await t.http.get(`/api/incidents/${incident.id}`).set('x-api-key', readKey).expect(200);
      await t.http
        .post(`/api/incidents/${incident.id}/acknowledge`)
        .set('x-api-key', readKey)
        .send({})
        .expect(403);
      const created = await t.http
        .post('/api/incidents')
        .set('x-api-key', writeKey)
        .send({ title: 'From a monitor', impact: 2, urgency: 1 })
        .expect(201);
      expect(created.body).toMatchObject({ source: 'api', reporter: null });
    });
  });

  describe('the outbox', () => {
    it('writes the domain event in the same transaction: a failure after the change rolls both back', async () => {
      // A real database failure inside the transaction, after the incident row is written.
      await t.dataSource.query(`
        CREATE FUNCTION refuse_marked_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.payload::text LIKE '%FAIL-AFTER-CHANGE%' THEN RAISE EXCEPTION 'forced failure'; END IF;
          RETURN NEW;
        END $$`);
      await t.dataSource.query(
        `CREATE TRIGGER refuse_marked_events BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION refuse_marked_events()`,
      );
      try {
        const before = await t.dataSource.query<{ n: string }[]>(
          `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM incident_timeline) + (SELECT count(*) FROM outbox_events) AS n`,
        );
        await t.http
          .post('/api/incidents')
          .set('authorization', responder.bearer)
          .send({ title: 'FAIL-AFTER-CHANGE', impact: 1, urgency: 1 })
          .expect(500);
        const incident = await create({ title: 'Will be edited' });
        await t.http
          .patch(`/api/incidents/${incident.id}`)
          .set('authorization', responder.bearer)
          .send({ title: 'FAIL-AFTER-CHANGE' })
          .expect(500);
        const after = await t.dataSource.query<{ n: string }[]>(
          `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM incident_timeline) + (SELECT count(*) FROM outbox_events) AS n`,
        );
        // Only the successful create (incident, timeline entry, event) is there.
        expect(Number(after[0]?.n) - Number(before[0]?.n)).toBe(3);
        const now = await t.http
          .get(`/api/incidents/${incident.id}`)
          .set('authorization', viewer.bearer)
          .expect(200);
        expect(now.body).toMatchObject({ title: 'Will be edited', version: 1 });
      } finally {
        await t.dataSource.query('DROP TRIGGER refuse_marked_events ON outbox_events');
        await t.dataSource.query('DROP FUNCTION refuse_marked_events()');
      }
    });

    it('publishes one event per change, in version order', async () => {
      const incident = await create();
      await act(incident, 'acknowledge').expect(200);
      await act(incident, 'comments', { body: 'note' }).expect(201);
      const events = await t.dataSource.query<{ type: string; aggregate_version: number }[]>(
        `SELECT type, aggregate_version FROM outbox_events WHERE aggregate_id = $1 ORDER BY occurred_at, aggregate_version`,
        [incident.id],
      );
      expect(events).toEqual([
        { type: 'incident.created', aggregate_version: 1 },
        { type: 'incident.state_changed', aggregate_version: 2 },
        { type: 'incident.commented', aggregate_version: 2 },
      ]);
    });

    it('publishes a work note as incident.work_noted and a comment as incident.commented, each at schema version 1', async () => {
      const incident = await create();
      await act(incident, 'comments', { body: 'Customer informed' }).expect(201);
      await act(incident, 'comments', { body: 'Pool size was 5', kind: 'work_note' }).expect(201);
      const events = await t.dataSource.query<{ type: string; schema_version: number; payload: object }[]>(
        `SELECT type, schema_version, payload FROM outbox_events
          WHERE aggregate_id = $1 AND type <> 'incident.created' ORDER BY occurred_at`,
        [incident.id],
      );
      expect(events).toEqual([
        {
          type: 'incident.commented',
          schema_version: 1,
          payload: {
            number: incident.number,
            kind: 'comment',
            body: 'Customer informed',
            entryId: expect.any(String),
          },
        },
        {
          type: 'incident.work_noted',
          schema_version: 1,
          payload: {
            number: incident.number,
            kind: 'work_note',
            body: 'Pool size was 5',
            entryId: expect.any(String),
          },
        },
      ]);
    });

    it('publishes what changed: edits as incident.updated, moves as incident.state_changed with the state', async () => {
      const incident = await create();
      await t.http
        .patch(`/api/incidents/${incident.id}`)
        .set('authorization', responder.bearer)
        .send({ title: 'Checkout API returns 503' })
        .expect(200);
      await act(incident, 'hold', { reason: 'Waiting for the vendor' }).expect(200);
      const events = await t.dataSource.query<
        { type: string; payload: { incident: { version: number }; changes: object } }[]
      >(
        `SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 AND type <> 'incident.created' ORDER BY occurred_at`,
        [incident.id],
      );
      expect(events.map((e) => [e.type, e.payload.changes, e.payload.incident.version])).toEqual([
        ['incident.updated', { title: { from: incident.title, to: 'Checkout API returns 503' } }, 2],
        [
          'incident.state_changed',
          {
            state: { from: 'new', to: 'on_hold' },
            acknowledgedAt: { from: null, to: expect.stringMatching(/^\d{4}-/) },
          },
          3,
        ],
      ]);
    });
  });
});
