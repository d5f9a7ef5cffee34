import type { ActionsBlock, SectionBlock } from '@slack/types';
import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { SlackSimulator, type SimMessage } from '../../../test/simulators/slack.simulator';
import type { SlackRequestSender } from '../../../test/simulators/slack-request-sender';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { IncidentView } from '../../incidents/dto/incident.view';

const CHANNEL = 'C0SIMINC01';

/*
 * The whole responder loop as Slack users live it: a new incident's card appears, a responder acts
 * on it with its buttons and the resolve modal, the incident changes here and the same card is
 * edited in place to show it; a viewer's click changes nothing. Notifications and interactivity
 * meet only through the incident and its events.
 */
describe('Slack responder loop: card → buttons → incident → the same card updated', () => {
  let sim: SlackSimulator;
  let t: TestApp;
  let slack: SlackRequestSender;
  let admin: SignedIn;
  let responder: { person: SignedIn; slackId: string };
  let viewerSlackId: string;

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
    t = await startTestApp({
      env: {
        ...sim.env({ defaultChannel: CHANNEL }),
        DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
        SLACK_UPDATE_COALESCE_MS: '300',
        SLACK_CHANNEL_INTERVAL_MS: '100',
      },
    });
    slack = sim.sender(t.baseUrl.replace('[::1]', '127.0.0.1'));
    admin = await signInAsAdmin(t);
    const r = await givenUser(t, 'responder', { name: 'Rita Responder' });
    responder = { person: r, slackId: sim.addUser({ email: r.user.email, name: 'rita' }).id };
    const v = await givenUser(t, 'viewer');
    viewerSlackId = sim.addUser({ email: v.user.email, name: 'vic' }).id;
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });

  function cardsOf(incident: IncidentView): SimMessage[] {
    return sim
      .messages(CHANNEL)
      .filter((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`"${incident.number}: `));
  }

  function fact(card: SimMessage, name: string): string | undefined {
    const fields = (card.blocks as SectionBlock[]).flatMap((b) => b.fields ?? []).map((f) => f.text);
    return fields.find((f) => f.startsWith(`*${name}*`));
  }

  function buttons(card: SimMessage): string[] {
    return (card.blocks as ActionsBlock[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements.map((e) => ('action_id' in e ? String(e.action_id) : '')));
  }

  async function theCard(incident: IncidentView, check: (card: SimMessage) => boolean): Promise<SimMessage> {
    return eventually(
      () => {
        const cards = cardsOf(incident);
        return Promise.resolve(cards.length === 1 && check(cards[0]!) ? cards[0] : undefined);
      },
      20_000,
      `the card of ${incident.number}`,
    );
  }

  it('acknowledge, assign to me and resolve from the card: the incident changes and its one card follows', async () => {
    const created = await t.http
      .post('/api/incidents')
      .set('Authorization', admin.bearer)
      .send({ title: 'Checkout API returns 502', impact: 1, urgency: 1 })
      .expect(201);
    const incident = created.body as IncidentView;

    const card = await theCard(incident, () => true);
    expect(fact(card, 'State')).toContain('New');
    expect(buttons(card)).toEqual(
      expect.arrayContaining(['incident.acknowledge', 'incident.assign_to_me', 'incident.resolve']),
    );

    // a viewer's click is refused, only to them, and changes nothing
    await slack.action('incident.acknowledge', incident.id, {
      userId: viewerSlackId,
      channelId: CHANNEL,
      messageTs: card.ts,
    });
    const told = slack.lastResponseUrl!;
    await eventually(() =>
      Promise.resolve(
        sim.ephemerals(CHANNEL).some((e) => e.user === viewerSlackId) || sim.responses(told).length > 0
          ? true
          : undefined,
      ),
    );
    const [untouched] = await t.dataSource.query<{ state: string }[]>(
      `SELECT state FROM incidents WHERE id = $1`,
      [incident.id],
    );
    expect(untouched!.state).toBe('new');

    await slack.action('incident.acknowledge', incident.id, {
      userId: responder.slackId,
      channelId: CHANNEL,
      messageTs: card.ts,
    });
    await theCard(incident, (c) => fact(c, 'State')?.includes('In progress') === true);

    await slack.action('incident.assign_to_me', incident.id, {
      userId: responder.slackId,
      channelId: CHANNEL,
      messageTs: card.ts,
    });
    await theCard(incident, (c) => fact(c, 'Assignee')?.includes('Rita Responder') === true);

    const opened = await slack.action('incident.resolve', incident.id, {
      userId: responder.slackId,
      channelId: CHANNEL,
      messageTs: card.ts,
    });
    expect(opened.status).toBe(200);
    const view = sim.calls('views.open').at(-1)!.args['view'] as { private_metadata: string };
    const submitted = await slack.viewSubmission(
      {
        callback_id: 'incident.resolve',
        private_metadata: view.private_metadata,
        state: {
          values: {
            close_code: {
              value: { type: 'static_select', selected_option: { value: 'Workaround provided' } },
            },
            close_notes: { value: { type: 'plain_text_input', value: 'Rolled back the release' } },
          },
        },
      },
      { userId: responder.slackId },
    );
    expect(submitted.status).toBe(200);
    const resolved = await theCard(incident, (c) => fact(c, 'State')?.includes('Resolved') === true);
    expect(buttons(resolved)).toEqual([]);
    expect(JSON.stringify(resolved.blocks)).toContain('Rolled back the release');
    // still the card posted first: edited in place, never a second post
    expect(resolved.ts).toBe(card.ts);
    expect(resolved.edits).toBeGreaterThanOrEqual(3);

    const [row] = await t.dataSource.query<{ state: string; assignee_id: string; close_code: string }[]>(
      `SELECT state, assignee_id, close_code FROM incidents WHERE id = $1`,
      [incident.id],
    );
    expect(row).toEqual({
      state: 'resolved',
      assignee_id: responder.person.user.id,
      close_code: 'Workaround provided',
    });
  });
});
