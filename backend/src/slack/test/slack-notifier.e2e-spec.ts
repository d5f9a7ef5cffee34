import type { ActionsBlock, HeaderBlock, SectionBlock } from '@slack/types';
import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { SlackSimulator, type SimMessage } from '../../../test/simulators/slack.simulator';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { eventually } from '../../../test/support/wait-for';
import type { DeliveryView } from '../../deliveries/dto/delivery.view';
import type { IncidentView } from '../../incidents/dto/incident.view';
import { SLACK_LIMITS } from '../slack-block-limits';

const PUBLIC_URL = 'https://console.example.test';
const DEFAULT_CHANNEL = 'C0DEFAULT1';
const COALESCE_MS = 1500;

describe('Slack notifications (the slack delivery consumer, against the Slack simulator)', () => {
  let sim: SlackSimulator;
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
    t = await startTestApp({
      env: {
        ...sim.env({ defaultChannel: DEFAULT_CHANNEL }),
        PUBLIC_URL,
        DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
        SLACK_UPDATE_COALESCE_MS: String(COALESCE_MS),
        SLACK_CHANNEL_INTERVAL_MS: '100',
      },
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });
  afterEach(() => sim.clearFaults());

  async function route(body: Record<string, unknown>): Promise<void> {
    await t.http
      .post('/api/integrations/slack/routes')
      .set('Authorization', admin.bearer)
      .send(body)
      .expect(201);
  }

  async function create(body: Record<string, unknown>): Promise<IncidentView> {
    const res = await t.http
      .post('/api/incidents')
      .set('Authorization', admin.bearer)
      .send({ title: 'Checkout API returns 502', impact: 2, urgency: 2, ...body })
      .expect(201);
    return res.body as IncidentView;
  }

  async function act(id: string, path: string, body: Record<string, unknown> = {}): Promise<IncidentView> {
    const res = await t.http
      .post(`/api/incidents/${id}/${path}`)
      .set('Authorization', admin.bearer)
      .send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as IncidentView;
  }

  async function patch(id: string, body: Record<string, unknown>): Promise<void> {
    await t.http.patch(`/api/incidents/${id}`).set('Authorization', admin.bearer).send(body).expect(200);
  }

  /** The incident's cards in a channel, as Slack holds them. */
  function cards(channel: string, incident: IncidentView): SimMessage[] {
    return sim
      .messages(channel)
      .filter((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`"${incident.number}: `));
  }

  function header(m: SimMessage): string {
    return (m.blocks as HeaderBlock[]).find((b) => b.type === 'header')!.text.text;
  }

  /** Every slack delivery of the incident delivered or dead, and no card refresh queued or running. */
  async function settled(incident: IncidentView): Promise<void> {
    await eventually(
      async () => {
        const [row] = await t.dataSource.query<{ open: number; jobs: number }[]>(
          `SELECT (SELECT count(*)::int FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
                    WHERE d.consumer = 'slack' AND e.aggregate_id = $1 AND d.status NOT IN ('delivered', 'dead')) AS open,
                  (SELECT count(*)::int FROM graphile_worker._private_jobs j
                    WHERE j.payload->>'incidentId' = $1::text AND j.attempts < j.max_attempts) AS jobs`,
          [incident.id],
        );
        return row && row.open === 0 && row.jobs === 0 ? true : undefined;
      },
      30_000,
      `Slack work of ${incident.number} settled`,
    );
  }

  async function deliveries(incident: IncidentView): Promise<DeliveryView[]> {
    const res = await t.http
      .get(`/api/deliveries?consumer=slack&incidentId=${incident.id}&limit=100`)
      .set('Authorization', admin.bearer)
      .expect(200);
    return (res.body as { items: DeliveryView[] }).items;
  }

  it('posts the card on create, in every matching channel (team channel and the P1 channel), with its blocks', async () => {
    await route({ name: 'Network team', channelId: 'C0NETWORK1', categories: ['fanout'] });
    await route({
      name: 'Major incidents',
      channelId: 'C0MAJOR001',
      priorities: [1],
      categories: ['fanout'],
    });
    const p1 = await create({ title: 'Core switch down', impact: 1, urgency: 1, category: 'fanout' });
    const p3 = await create({ title: 'One port flapping', impact: 2, urgency: 2, category: 'fanout' });
    await settled(p1);
    await settled(p3);

    expect(cards('C0NETWORK1', p1)).toHaveLength(1);
    expect(cards('C0MAJOR001', p1)).toHaveLength(1);
    expect(cards('C0NETWORK1', p3)).toHaveLength(1);
    expect(cards('C0MAJOR001', p3)).toHaveLength(0);
    expect(cards(DEFAULT_CHANNEL, p1)).toHaveLength(0);

    const [card] = cards('C0MAJOR001', p1);
    expect(header(card!)).toBe(`${p1.number}: Core switch down`);
    const facts = (card!.blocks as SectionBlock[]).find((b) => b.block_id === 'incident.facts')!;
    expect(facts.fields!.map((f) => f.text.split('\n')[0])).toEqual([
      '*Priority*',
      '*State*',
      '*Assignee*',
      '*SLA*',
      '*Category*',
    ]);
    expect(facts.fields![0]!.text).toContain('P1 Critical');
    expect(facts.fields![1]!.text).toContain('New');
    expect(facts.fields![3]!.text).toMatch(/Due <!date\^\d+\^\{ago\}\|in (4 h 00|3 h 5\d) min>/);
    const actions = (card!.blocks as ActionsBlock[]).find((b) => b.type === 'actions')!;
    expect(actions.elements.map((e) => ('action_id' in e ? e.action_id : null))).toEqual([
      'incident.acknowledge',
      'incident.assign_to_me',
      'incident.resolve',
      'incident.open',
    ]);
    expect(actions.elements[3]).toMatchObject({ url: `${PUBLIC_URL}/incidents/${p1.id}`, value: p1.id });
    expect(card!.text).toContain(p1.number);

    const rows = await t.dataSource.query<{ channel_id: string; ts: string; team_id: string }[]>(
      `SELECT channel_id, ts, team_id FROM slack_messages WHERE incident_id = $1 ORDER BY channel_id`,
      [p1.id],
    );
    expect(rows).toEqual([
      { channel_id: 'C0MAJOR001', ts: card!.ts, team_id: sim.teamId },
      { channel_id: 'C0NETWORK1', ts: cards('C0NETWORK1', p1)[0]!.ts, team_id: sim.teamId },
    ]);
    expect((await deliveries(p1)).map((d) => d.status)).toEqual(['delivered']);
  });

  it('sends an incident no rule matches to SLACK_DEFAULT_CHANNEL', async () => {
    const incident = await create({ title: 'Printer on fire', category: 'facilities' });
    await settled(incident);
    expect(cards(DEFAULT_CHANNEL, incident)).toHaveLength(1);
  });

  it('updates the same card on each change, and drops its buttons once resolved', async () => {
    await route({ name: 'Updates', channelId: 'C0UPDATE01', categories: ['updates'] });
    const incident = await create({ title: 'Queue backlog', category: 'updates' });
    await settled(incident);
    const [card] = cards('C0UPDATE01', incident);

    await patch(incident.id, { title: 'Queue backlog growing' });
    await settled(incident);
    expect(header(sim.message('C0UPDATE01', card!.ts)!)).toBe(`${incident.number}: Queue backlog growing`);

    await act(incident.id, 'assign', { assigneeId: admin.user.id });
    await settled(incident);
    const assigned = sim.message('C0UPDATE01', card!.ts)!;
    expect(JSON.stringify(assigned.blocks)).toContain(`*Assignee*\\n${admin.user.name}`);

    await act(incident.id, 'resolve', { closeCode: 'Solution provided', closeNotes: 'Drained the queue' });
    await settled(incident);
    const resolved = sim.message('C0UPDATE01', card!.ts)!;
    expect(resolved.blocks!.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(JSON.stringify(resolved.blocks)).toContain('*Solution provided*: Drained the queue');
    expect(resolved.edits).toBeGreaterThanOrEqual(3);
    expect(cards('C0UPDATE01', incident)).toHaveLength(1);
  });

  it('keeps exactly one card per incident and channel after 50 rapid changes, with far fewer chat.update calls', async () => {
    await route({ name: 'Burst A', channelId: 'C0BURST001', categories: ['burst'] });
    await route({ name: 'Burst B', channelId: 'C0BURST002', categories: ['burst'] });
    const incident = await create({ title: 'Flapping service', category: 'burst' });
    // The changes start before the card is even posted: the post and the refresh race for it.
    // Three clients, as fast as the API takes them (more would only queue for the row's lock).
    await Promise.all(
      [0, 1, 2].map(async (lane) => {
        for (let i = lane + 1; i <= 50; i += 3) await patch(incident.id, { description: `Change ${i}` });
      }),
    );
    await settled(incident);
    // How long the consumer took to see the 50 changes (each schedules or joins the card's refresh).
    const [{ span_ms: spanMs }] = await t.dataSource.query<[{ span_ms: number }]>(
      `SELECT (extract(epoch FROM max(d.delivered_at) - min(d.delivered_at)) * 1000)::int AS span_ms
         FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
        WHERE d.consumer = 'slack' AND e.aggregate_id = $1 AND e.type = 'incident.updated'`,
      [incident.id],
    );

    for (const channel of ['C0BURST001', 'C0BURST002']) {
      const [card, ...others] = cards(channel, incident);
      expect(others).toHaveLength(0);
      const updates = sim.calls('chat.update').filter((c) => c.args['channel'] === channel);
      // At most one update per coalescing window the changes spanned (plus the one they ended in).
      expect(updates.length).toBeLessThanOrEqual(Math.ceil(spanMs / COALESCE_MS) + 2);
      expect(updates.length).toBeLessThanOrEqual(12);
      expect(card!.edits).toBe(updates.length);
    }
    const final = (
      await t.http.get(`/api/incidents/${incident.id}`).set('Authorization', admin.bearer).expect(200)
    ).body as IncidentView;
    for (const channel of ['C0BURST001', 'C0BURST002']) {
      expect(JSON.stringify(cards(channel, incident)[0]!.blocks)).toContain(`${final.description}"`);
    }
    const [row] = await t.dataSource.query<{ count: number; versions: number[] }[]>(
      `SELECT count(*)::int AS count, array_agg(rendered_version) AS versions FROM slack_messages WHERE incident_id = $1`,
      [incident.id],
    );
    expect(row).toEqual({ count: 2, versions: [incident.version + 50, incident.version + 50] });
  });

  it('replies in the thread per rule: work notes only in internal channels', async () => {
    await route({
      name: 'Responders',
      channelId: 'C0INTERNAL',
      categories: ['threads'],
      internal: true,
      threadWorkNotes: true,
    });
    await route({
      name: 'Stakeholders',
      channelId: 'C0PUBLIC01',
      categories: ['threads'],
      threadStateChanges: false,
    });
    const incident = await create({ title: 'Login slow', category: 'threads' });
    await settled(incident);
    await act(incident.id, 'comments', { body: 'Looking into it' });
    await act(incident.id, 'comments', { body: 'DB failover <soon>', kind: 'work_note' });
    await act(incident.id, 'acknowledge');
    await settled(incident);

    const replies = (channel: string) => cards(channel, incident)[0]!.replies.map((r) => r.text);
    expect(replies('C0INTERNAL')).toEqual([
      expect.stringContaining('*Comment* by admin@test.nexecute\nLooking into it') as string,
      expect.stringContaining('*Work note* by admin@test.nexecute\nDB failover &lt;soon&gt;') as string,
      expect.stringContaining('State *New* → *In progress*') as string,
    ]);
    expect(replies('C0PUBLIC01')).toEqual([expect.stringContaining('Looking into it') as string]);
  });

  it('waits out a 429 Retry-After and loses nothing', async () => {
    await route({ name: 'Rate limited', channelId: 'C0RATE0001', categories: ['ratelimit'] });
    sim.fault('chat.postMessage', { status: 429, retryAfter: 2, times: 1 });
    const incident = await create({ title: 'Disk full', category: 'ratelimit' });
    await settled(incident);
    const posts = sim.calls('chat.postMessage').filter((c) => c.args['channel'] === 'C0RATE0001');
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(cards('C0RATE0001', incident)).toHaveLength(1);
    const [delivery] = await deliveries(incident);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });

    // An update rate limited is moved to after Retry-After, not retried at once.
    sim.fault('chat.update', { status: 429, retryAfter: 1, times: 1 });
    await patch(incident.id, { title: 'Disk full on db-2' });
    await settled(incident);
    const updates = sim.calls('chat.update').filter((c) => c.args['channel'] === 'C0RATE0001');
    expect(updates.map((c) => c.status)).toEqual([429, 200]);
    expect(updates[1]!.at - updates[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(header(cards('C0RATE0001', incident)[0]!)).toBe(`${incident.number}: Disk full on db-2`);
  });

  it('marks the delivery dead (permanent) when Slack refuses for good, and shows it in the ledger', async () => {
    await route({ name: 'Gone', channelId: 'C0GONE0001', categories: ['gone'] });
    sim.fault('chat.postMessage', { error: 'channel_not_found', times: 1 });
    const incident = await create({ title: 'Nobody hears this', category: 'gone' });
    await settled(incident);
    const [delivery] = await deliveries(incident);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1 });
    expect(delivery!.lastError).toContain('channel_not_found');
    expect(cards('C0GONE0001', incident)).toHaveLength(0);
    const [row] = await t.dataSource.query<
      { ts: string | null; posting_at: Date | null; last_error: string }[]
    >(`SELECT ts, posting_at, last_error FROM slack_messages WHERE incident_id = $1`, [incident.id]);
    expect(row).toMatchObject({
      ts: null,
      posting_at: null,
      last_error: expect.stringContaining('channel_not_found') as string,
    });
  });

  it('cuts an oversize title and description, never rejected by Slack', async () => {
    await route({ name: 'Long', channelId: 'C0LONG0001', categories: ['long'] });
    const incident = await create({
      title: `Very long title ${'t'.repeat(180)}`,
      description: `Details ${'d'.repeat(19_000)}`,
      category: 'long',
    });
    await settled(incident);
    expect(sim.calls('chat.postMessage').filter((c) => c.error === 'invalid_blocks')).toHaveLength(0);
    const [card] = cards('C0LONG0001', incident);
    const title = header(card!);
    expect(title).toHaveLength(SLACK_LIMITS.headerText);
    expect(title.endsWith('…')).toBe(true);
    const description = (card!.blocks as SectionBlock[]).find((b) => b.block_id === 'incident.description')!;
    expect(description.text!.text.endsWith('…')).toBe(true);
    expect(description.text!.text.length).toBeLessThan(1000);
  });
});
