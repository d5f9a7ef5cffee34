import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { SlackRoutingRuleListView, SlackRoutingRuleView } from '../dto/slack-routing-rule.view';

const URL = '/api/integrations/slack/routes';

describe('/api/integrations/slack/routes', () => {
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({
      env: { SLACK_DEFAULT_CHANNEL: 'C0DEFAULT1', DELIVERY_WORKER_ENABLED: 'false' },
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: object) => t.http.post(URL).set('Authorization', admin.bearer).send(body);
  const list = async () =>
    (await t.http.get(URL).set('Authorization', admin.bearer).expect(200)).body as SlackRoutingRuleListView;

  async function audited(targetId: string): Promise<{ action: string; details: { change: string } }[]> {
    return t.dataSource.query(
      `SELECT action, details FROM audit_events WHERE target_id = $1 OR target_id = 'slack' ORDER BY id`,
      [targetId],
    );
  }

  it('adds, reads, changes, reorders and deletes rules, each change audited as integration.updated', async () => {
    const major = (
      await post({
        name: ' Major incidents ',
        channelId: 'C0MAJOR001',
        priorities: [1],
        internal: true,
        threadWorkNotes: true,
      }).expect(201)
    ).body as SlackRoutingRuleView;
    expect(major).toMatchObject({
      name: 'Major incidents',
      channelId: 'C0MAJOR001',
      priorities: [1],
      categories: [],
      sources: [],
      internal: true,
      threadComments: true,
      threadWorkNotes: true,
      threadStateChanges: true,
      enabled: true,
      position: 0,
    });
    const network = (
      await post({
        name: 'Network',
        channelId: 'C0NETWORK1',
        categories: ['network'],
        sources: ['webhook'],
      }).expect(201)
    ).body as SlackRoutingRuleView;
    expect(network.position).toBe(1);

    const changed = (
      await t.http
        .patch(`${URL}/${network.id}`)
        .set('Authorization', admin.bearer)
        .send({ enabled: false, threadComments: false })
        .expect(200)
    ).body as SlackRoutingRuleView;
    expect(changed).toMatchObject({ enabled: false, threadComments: false, categories: ['network'] });

    const reordered = (
      await t.http
        .put(`${URL}/order`)
        .set('Authorization', admin.bearer)
        .send({ ids: [network.id, major.id] })
        .expect(200)
    ).body as SlackRoutingRuleListView;
    expect(reordered.items.map((r) => [r.name, r.position])).toEqual([
      ['Network', 0],
      ['Major incidents', 1],
    ]);
    expect(reordered.defaultChannel).toBe('C0DEFAULT1');

    await t.http.delete(`${URL}/${network.id}`).set('Authorization', admin.bearer).expect(204);
    expect((await list()).items.map((r) => [r.name, r.position])).toEqual([['Major incidents', 0]]);
    await t.http.get(`${URL}/${network.id}`).set('Authorization', admin.bearer).expect(404);

    expect((await audited(network.id)).map((a) => [a.action, a.details.change])).toEqual([
      ['integration.updated', 'route_created'],
      ['integration.updated', 'route_updated'],
      ['integration.updated', 'routes_reordered'],
      ['integration.updated', 'route_deleted'],
    ]);
    await t.http.delete(`${URL}/${major.id}`).set('Authorization', admin.bearer).expect(204);
  });

  it('validates: a channel id, known priorities and sources (problem+json VALIDATION_FAILED)', async () => {
    const res = await post({
      name: '',
      channelId: '#incidents',
      priorities: [0, 6],
      sources: ['email'],
    }).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'channelId', 'priorities', 'sources']));
  });

  it('refuses work notes for a channel that is not internal (422), on create and on update', async () => {
    const res = await post({ name: 'Public', channelId: 'C0PUBLIC01', threadWorkNotes: true }).expect(422);
    expect(res.body).toMatchObject({ code: 'SLACK_ROUTE_WORK_NOTES_INTERNAL', status: 422 });
    const rule = (
      await post({ name: 'Private', channelId: 'G0PRIVATE1', internal: true, threadWorkNotes: true }).expect(
        201,
      )
    ).body as SlackRoutingRuleView;
    // Unmarking internal stops its work notes.
    const unmarked = (
      await t.http
        .patch(`${URL}/${rule.id}`)
        .set('Authorization', admin.bearer)
        .send({ internal: false })
        .expect(200)
    ).body as SlackRoutingRuleView;
    expect(unmarked).toMatchObject({ internal: false, threadWorkNotes: false });
    await t.http
      .patch(`${URL}/${rule.id}`)
      .set('Authorization', admin.bearer)
      .send({ threadWorkNotes: true })
      .expect(422);
    await t.http.delete(`${URL}/${rule.id}`).set('Authorization', admin.bearer).expect(204);
  });

  it('refuses an order that does not name every rule once (409, with the ids expected)', async () => {
    const a = (await post({ name: 'A', channelId: 'C0AAAAAAA1' }).expect(201)).body as SlackRoutingRuleView;
    const b = (await post({ name: 'B', channelId: 'C0BBBBBBB1' }).expect(201)).body as SlackRoutingRuleView;
    const res = await t.http
      .put(`${URL}/order`)
      .set('Authorization', admin.bearer)
      .send({ ids: [b.id] })
      .expect(409);
    expect(res.body).toMatchObject({ code: 'SLACK_ROUTE_ORDER_MISMATCH', expected: [a.id, b.id] });
    await t.http.patch(`${URL}/${a.id}`).set('Authorization', admin.bearer).send({ name: 'A2' }).expect(200);
    await t.http
      .get(`${URL}/00000000-0000-4000-8000-000000000000`)
      .set('Authorization', admin.bearer)
      .expect(404);
  });
});
