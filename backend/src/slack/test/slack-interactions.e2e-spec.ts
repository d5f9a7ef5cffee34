import type { IncidentView } from '../../incidents/dto/incident.view';
import { IncidentCommands } from '../../incidents/incident-commands';
import { SYSTEM_CONTEXT } from '../../audit/audit-log.service';
import { UsersService } from '../../users/users.service';
import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { SlackSimulator } from '../../../test/simulators/slack.simulator';
import type { SlackRequestSender } from '../../../test/simulators/slack-request-sender';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';

const CHANNEL = 'C0SIMINC01';

interface Row {
  state: string;
  assignee_id: string | null;
  close_code: string | null;
  close_notes: string | null;
  version: number;
}

describe('Slack interactivity, slash commands and mentions (against the Slack simulator)', () => {
  let sim: SlackSimulator;
  let t: TestApp;
  let slack: SlackRequestSender;
  let admin: SignedIn;
  let responder: { person: SignedIn; slackId: string };
  let viewer: { person: SignedIn; slackId: string };

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
    t = await startTestApp({ env: sim.env() });
    slack = sim.sender(t.baseUrl.replace('[::1]', '127.0.0.1'));
    admin = await signInAsAdmin(t);
    const r = await givenUser(t, 'responder', { name: 'Rita Responder' });
    responder = { person: r, slackId: sim.addUser({ email: r.user.email.toUpperCase(), name: 'rita' }).id };
    const v = await givenUser(t, 'viewer');
    viewer = { person: v, slackId: sim.addUser({ email: v.user.email, name: 'vic' }).id };
  });
  afterAll(async () => {
    await t.close();
    await sim.stop();
  });

  async function incident(title = 'Checkout API returns 502'): Promise<IncidentView> {
    const res = await t.http
      .post('/api/incidents')
      .set('authorization', admin.bearer)
      .send({ title, impact: 2, urgency: 2 })
      .expect(201);
    return res.body as IncidentView;
  }

  async function row(id: string): Promise<Row> {
    const [r] = await t.dataSource.query<Row[]>(
      `SELECT state, assignee_id, close_code, close_notes, version FROM incidents WHERE id = $1`,
      [id],
    );
    return r!;
  }

  /** The inbox has processed (or failed) every Slack request stored so far. */
  async function settled(): Promise<void> {
    await eventually(
      async () => {
        const [r] = await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM inbound_events WHERE channel = 'slack' AND status = 'accepted'`,
        );
        return r!.n === 0 ? true : undefined;
      },
      15_000,
      'Slack requests processed',
    );
  }

  const texts = (bodies: unknown[]): string => JSON.stringify(bodies);

  describe('card buttons (block_actions)', () => {
    it('acknowledges as the mapped user, recorded on the timeline as that person', async () => {
      const inc = await incident();
      const res = await slack.action('incident.acknowledge', inc.id, { userId: responder.slackId });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      await eventually(async () => ((await row(inc.id)).state === 'in_progress' ? true : undefined));
      const [entry] = await t.dataSource.query<{ actor_id: string; actor_type: string }[]>(
        `SELECT actor_id, actor_type FROM incident_timeline WHERE incident_id = $1 AND kind = 'state_changed'`,
        [inc.id],
      );
      expect(entry).toEqual({ actor_id: responder.person.user.id, actor_type: 'user' });
    });

    it('assigns to the person who clicked', async () => {
      const inc = await incident();
      expect(
        (await slack.action('incident.assign_to_me', inc.id, { userId: responder.slackId })).status,
      ).toBe(200);
      await eventually(async () =>
        (await row(inc.id)).assignee_id === responder.person.user.id ? true : undefined,
      );
    });

    it('asks users.info once per person while the cached email is fresh, and again once it expires', async () => {
      const person = await givenUser(t, 'responder');
      const slackId = sim.addUser({ email: person.user.email }).id;
      const before = sim.calls('users.info').filter((c) => c.args['user'] === slackId).length;
      for (const inc of [await incident(), await incident()]) {
        await slack.action('incident.acknowledge', inc.id, { userId: slackId });
      }
      await settled();
      const asked = () => sim.calls('users.info').filter((c) => c.args['user'] === slackId).length;
      expect(asked() - before).toBe(1);
      await t.dataSource.query(
        `UPDATE slack_user_links SET fetched_at = now() - interval '2 hours' WHERE slack_user_id = $1`,
        [slackId],
      );
      await slack.action('incident.acknowledge', (await incident()).id, { userId: slackId });
      await settled();
      expect(asked() - before).toBe(2);
    });

    it('carries the click out later when Slack rate-limits users.info: acknowledged at once, done on the retry', async () => {
      const person = await givenUser(t, 'responder');
      const slackId = sim.addUser({ email: person.user.email }).id;
      const inc = await incident();
      sim.fault('users.info', { status: 429, retryAfter: 1 });
      const res = await slack.action('incident.acknowledge', inc.id, { userId: slackId });
      expect(res.status).toBe(200);
      await eventually(async () => ((await row(inc.id)).state === 'in_progress' ? true : undefined), 20_000);
      const [stored] = await t.dataSource.query<{ attempts: number; status: string }[]>(
        `SELECT attempts, status FROM inbound_events WHERE channel = 'slack' AND summary LIKE $1`,
        [`%${inc.id}%`],
      );
      expect(stored).toEqual({ attempts: 2, status: 'processed' });
    });

    it("refuses a viewer's click and tells them so, ephemerally; the incident is untouched", async () => {
      const inc = await incident();
      await slack.action('incident.acknowledge', inc.id, { userId: viewer.slackId });
      const url = slack.lastResponseUrl!;
      const [reply] = await eventually(() => (sim.responses(url).length ? sim.responses(url) : undefined));
      expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(texts([reply])).toMatch(/role \(viewer\)/);
      await settled();
      expect(await row(inc.id)).toMatchObject({ state: 'new', version: 1 });
    });

    it('refuses an unknown email and a disabled account', async () => {
      const inc = await incident();
      const stranger = sim.addUser({ email: 'stranger@elsewhere.example' }).id;
      await slack.action('incident.acknowledge', inc.id, { userId: stranger });
      const strangerUrl = slack.lastResponseUrl!;
      const gone = await givenUser(t, 'responder');
      await t.app.get(UsersService).disable(gone.user.id, SYSTEM_CONTEXT);
      const goneId = sim.addUser({ email: gone.user.email }).id;
      await slack.action('incident.assign_to_me', inc.id, { userId: goneId });
      const goneUrl = slack.lastResponseUrl!;
      await eventually(() =>
        sim.responses(strangerUrl).length && sim.responses(goneUrl).length ? true : undefined,
      );
      expect(texts(sim.responses(strangerUrl))).toMatch(/No Nexecute account has your Slack email/);
      expect(texts(sim.responses(goneUrl))).toMatch(/is disabled/);
      await settled();
      expect(await row(inc.id)).toMatchObject({ state: 'new', assignee_id: null, version: 1 });
    });

    it('refuses an account that still has its temporary password, as the API does', async () => {
      const created = await t.http
        .post('/api/users')
        .set('authorization', admin.bearer)
        .send({ email: `temp-${Date.now()}@test.nexecute`, name: 'Temp Responder', role: 'responder' })
        .expect(201);
      const slackId = sim.addUser({ email: (created.body as { user: { email: string } }).user.email }).id;
      const inc = await incident();
      await slack.action('incident.acknowledge', inc.id, { userId: slackId });
      const url = slack.lastResponseUrl!;
      await eventually(() => (sim.responses(url).length ? true : undefined));
      expect(texts(sim.responses(url))).toMatch(/temporary password/);
      expect((await row(inc.id)).state).toBe('new');
    });

    it('tells the person when the incident cannot take the change', async () => {
      const inc = await incident();
      await t.http
        .post(`/api/incidents/${inc.id}/cancel`)
        .set('authorization', admin.bearer)
        .send({ reason: 'Duplicate alert' })
        .expect(200);
      await slack.action('incident.assign_to_me', inc.id, { userId: responder.slackId });
      const url = slack.lastResponseUrl!;
      await eventually(() => (sim.responses(url).length ? true : undefined));
      expect(texts(sim.responses(url))).toMatch(/cannot be assigned/);
    });

    it('acknowledges incident.open (a link) and does nothing else', async () => {
      const inc = await incident();
      const stored = async () =>
        (
          await t.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM inbound_events WHERE channel = 'slack'`,
          )
        )[0]!.n;
      const before = await stored();
      const res = await slack.action('incident.open', inc.id, { userId: responder.slackId });
      expect(res.status).toBe(200);
      expect(await stored()).toBe(before);
    });

    it('opens the resolve modal at once, and its submission resolves the incident as the person', async () => {
      const inc = await incident('Payments queue stuck');
      const started = Date.now();
      const res = await slack.action('incident.resolve', inc.id, {
        userId: responder.slackId,
        messageTs: '1700000000.000100',
      });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      const opened = sim.calls('views.open').at(-1)!;
      expect(opened.ok).toBe(true);
      const view = opened.args['view'] as { callback_id: string; private_metadata: string };
      expect(view.callback_id).toBe('incident.resolve');
      expect(JSON.parse(view.private_metadata)).toMatchObject({
        incidentId: inc.id,
        channel: CHANNEL,
        messageTs: '1700000000.000100',
      });

      const invalid = await slack.viewSubmission(
        {
          callback_id: 'incident.resolve',
          state: {
            values: {
              close_code: { value: { type: 'static_select', selected_option: null } },
              close_notes: { value: { type: 'plain_text_input', value: '' } },
            },
          },
        },
        { userId: responder.slackId },
      );
      expect(invalid.status).toBe(200);
      expect(await invalid.json()).toEqual({
        response_action: 'errors',
        errors: { close_code: 'Choose a close code', close_notes: 'Say what resolved it' },
      });

      const ok = await slack.viewSubmission(
        {
          callback_id: 'incident.resolve',
          state: {
            values: {
              close_code: {
                value: { type: 'static_select', selected_option: { value: 'Workaround provided' } },
              },
              close_notes: { value: { type: 'plain_text_input', value: 'Restarted the consumer' } },
            },
          },
        },
        { userId: responder.slackId },
      );
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('');
      await eventually(async () => ((await row(inc.id)).state === 'resolved' ? true : undefined));
      expect(await row(inc.id)).toMatchObject({
        close_code: 'Workaround provided',
        close_notes: 'Restarted the consumer',
      });
    });

    it("refuses a viewer's resolve submission in the card's channel", async () => {
      const inc = await incident();
      await slack.action('incident.resolve', inc.id, { userId: viewer.slackId });
      await slack.viewSubmission(
        {
          callback_id: 'incident.resolve',
          state: {
            values: {
              close_code: { value: { type: 'static_select', selected_option: { value: 'Duplicate' } } },
              close_notes: { value: { type: 'plain_text_input', value: 'dup' } },
            },
          },
        },
        { userId: viewer.slackId },
      );
      const refusal = await eventually(() =>
        sim.ephemerals(CHANNEL).find((e) => e.user === viewer.slackId && /viewer/.test(e.text)),
      );
      expect(refusal).toBeDefined();
      await settled();
      expect((await row(inc.id)).state).toBe('new');
    });

    it('handles an expired trigger: no modal, the person is told to try again', async () => {
      const inc = await incident();
      sim.fault('views.open', { error: 'expired_trigger_id' });
      const res = await slack.action('incident.resolve', inc.id, { userId: responder.slackId });
      expect(res.status).toBe(200);
      const url = slack.lastResponseUrl!;
      await eventually(() => (sim.responses(url).length ? true : undefined));
      expect(texts(sim.responses(url))).toMatch(/took too long/);
      expect((await row(inc.id)).state).toBe('new');
    });
  });

  describe('/incident', () => {
    async function answered(text: string, userId = responder.slackId): Promise<unknown[]> {
      const res = await slack.command(text, { userId });
      expect(res.status).toBe(200);
      const url = slack.lastResponseUrl!;
      return eventually(() => (sim.responses(url).length ? sim.responses(url) : undefined));
    }

    it('help and an unknown verb answer with usage, ephemerally, in the response', async () => {
      const help = await slack.command('help', { userId: responder.slackId });
      expect(await help.json()).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringMatching(/Usage/),
      });
      const unknown = await slack.command('frobnicate', { userId: responder.slackId });
      const body = (await unknown.json()) as { response_type: string; blocks: unknown[] };
      expect(body.response_type).toBe('ephemeral');
      expect(JSON.stringify(body.blocks)).toMatch(/Unknown command \\"frobnicate\\"/);
      expect(JSON.stringify(body.blocks)).toMatch(/resolve INC0001234/);
    });

    it('create opens the prefilled modal; the submission opens an incident from Slack, reported by the person', async () => {
      const res = await slack.command('create Disk full on db-7', { userId: responder.slackId });
      expect(res.status).toBe(200);
      const view = sim.calls('views.open').at(-1)!.args['view'] as {
        callback_id: string;
        blocks: { block_id?: string; element?: { initial_value?: string } }[];
      };
      expect(view.callback_id).toBe('incident.create');
      expect(view.blocks.find((b) => b.block_id === 'title')?.element?.initial_value).toBe(
        'Disk full on db-7',
      );
      const url = slack.lastResponseUrl!;
      const ok = await slack.viewSubmission(
        {
          callback_id: 'incident.create',
          state: {
            values: {
              title: { value: { type: 'plain_text_input', value: 'Disk full on db-7' } },
              description: { value: { type: 'plain_text_input', value: null } },
              impact: { value: { type: 'static_select', selected_option: { value: '1' } } },
              urgency: { value: { type: 'static_select', selected_option: { value: '1' } } },
            },
          },
        },
        { userId: responder.slackId },
      );
      expect(ok.status).toBe(200);
      const created = await eventually(async () => {
        const [r] = await t.dataSource.query<
          { number: string; source: string; reporter_id: string; priority: number }[]
        >(`SELECT number, source, reporter_id, priority FROM incidents WHERE title = 'Disk full on db-7'`);
        return r;
      });
      expect(created).toMatchObject({ source: 'slack', reporter_id: responder.person.user.id, priority: 1 });
      await eventually(() => (sim.responses(url).length ? true : undefined));
      expect(texts(sim.responses(url))).toContain(created.number);
    });

    it('a create submission without a title is answered with errors and creates nothing', async () => {
      const res = await slack.viewSubmission(
        {
          callback_id: 'incident.create',
          private_metadata: '{}',
          state: {
            values: {
              title: { value: { type: 'plain_text_input', value: '   ' } },
              impact: { value: { type: 'static_select', selected_option: { value: '2' } } },
              urgency: { value: { type: 'static_select', selected_option: { value: '2' } } },
            },
          },
        },
        { userId: responder.slackId },
      );
      expect(await res.json()).toEqual({
        response_action: 'errors',
        errors: { title: 'Give the incident a title' },
      });
    });

    it('list shows open incidents; list mine only those assigned to the person', async () => {
      const mine = await incident('Mine: cache stampede');
      const other = await incident('Not mine: slow search');
      await t.http
        .post(`/api/incidents/${mine.id}/assign`)
        .set('authorization', admin.bearer)
        .send({ assigneeId: responder.person.user.id })
        .expect(200);
      const all = texts(await answered('list'));
      expect(all).toContain(mine.number);
      expect(all).toContain(other.number);
      const own = texts(await answered('list mine'));
      expect(own).toContain(mine.number);
      expect(own).not.toContain(other.number);
    });

    it('show finds an incident by our number and by its ServiceNow number; a viewer may read', async () => {
      const inc = await incident('Login page blank');
      await t.app.get(IncidentCommands).linkExternal(
        inc.id,
        { system: 'servicenow', ref: 'a'.repeat(32), number: 'INC0010077' },
        {
          principal: null,
          ip: null,
          userAgent: null,
          requestId: null,
          service: { id: 'servicenow', label: 'ServiceNow' },
        },
      );
      expect(texts(await answered(`show ${inc.number}`, viewer.slackId))).toContain('Login page blank');
      const byTheirs = texts(await answered('show INC0010077'));
      expect(byTheirs).toContain(inc.number);
      expect(byTheirs).toContain('INC0010077');
      expect(texts(await answered('show INC9999999'))).toMatch(/No incident INC9999999/);
    });

    it('ack acknowledges and says so; a viewer is refused', async () => {
      const inc = await incident();
      expect(texts(await answered(`ack ${inc.number}`, viewer.slackId))).toMatch(/viewer/);
      expect((await row(inc.id)).state).toBe('new');
      expect(texts(await answered(`ack ${inc.number}`))).toContain(`${inc.number} acknowledged`);
      await eventually(async () => ((await row(inc.id)).state === 'in_progress' ? true : undefined));
    });

    it('resolve of an incident that is no longer open says so instead of opening a modal', async () => {
      const inc = await incident();
      await t.http
        .post(`/api/incidents/${inc.id}/cancel`)
        .set('authorization', admin.bearer)
        .send({ reason: 'Not an incident' })
        .expect(200);
      const opened = sim.calls('views.open').length;
      const res = await slack.command(`resolve ${inc.number}`, { userId: responder.slackId });
      expect(await res.json()).toMatchObject({
        response_type: 'ephemeral',
        text: `${inc.number} is canceled: there is nothing to resolve.`,
      });
      expect(sim.calls('views.open')).toHaveLength(opened);
    });

    it('resolve opens the resolve modal for that incident', async () => {
      const inc = await incident();
      const res = await slack.command(`resolve ${inc.number}`, { userId: responder.slackId });
      expect(res.status).toBe(200);
      const view = sim.calls('views.open').at(-1)!.args['view'] as {
        callback_id: string;
        private_metadata: string;
      };
      expect(view.callback_id).toBe('incident.resolve');
      expect(JSON.parse(view.private_metadata)).toMatchObject({ incidentId: inc.id, channel: CHANNEL });
    });

    it('a command whose trigger expired (over 3 s old) or was already used is answered with a retry hint, not a modal', async () => {
      const trigger = sim.issueTrigger(responder.slackId);
      await new Promise((r) => setTimeout(r, 3100));
      const late = await slack.command('create Late', { userId: responder.slackId, triggerId: trigger });
      expect(await late.json()).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringMatching(/took too long/),
      });
      expect(sim.calls('views.open').at(-1)).toMatchObject({ ok: false, error: 'expired_trigger_id' });

      await slack.command('create Once', { userId: responder.slackId });
      const used = slack.lastTriggerId!;
      const twice = await slack.command('create Twice', { userId: responder.slackId, triggerId: used });
      expect(await twice.json()).toMatchObject({
        response_type: 'ephemeral',
        text: expect.stringMatching(/try again/),
      });
      expect(sim.calls('views.open').at(-1)).toMatchObject({ ok: false, error: 'exchanged_trigger_id' });
    });
  });

  describe('@mentions (Events API)', () => {
    /**
     * The person's message that mentions us, as Slack holds it (the simulator keeps only what the
     * Web API posted, so it is posted there first; its ts is the thread to answer in).
     */
    async function messageInChannel(text: string): Promise<string> {
      const res = await fetch(`${sim.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: CHANNEL, text }),
      });
      return ((await res.json()) as { ts: string }).ts;
    }

    const replies = (ts: string) => sim.calls('chat.postMessage').filter((c) => c.args['thread_ts'] === ts);

    it('answers with the summary of the incident named, in the thread, once however often Slack retries', async () => {
      const inc = await incident(`Mentioned <b> & ${'x'.repeat(180)}`);
      await t.http
        .patch(`/api/incidents/${inc.id}`)
        .set('authorization', admin.bearer)
        .send({ description: `<script>${'y'.repeat(19000)}` })
        .expect(200);
      const text = `<@${sim.botUserId}> what about ${inc.number.toLowerCase()}?`;
      const ts = await messageInChannel(text);
      const event = { type: 'app_mention', user: responder.slackId, text, ts, channel: CHANNEL };
      expect((await slack.event(event, { eventId: 'EvMention01' })).status).toBe(200);
      expect((await slack.event(event, { eventId: 'EvMention01', retryNum: 1 })).status).toBe(200);
      const third = await slack.event(event, {
        eventId: 'EvMention01',
        retryNum: 2,
        retryReason: 'http_error',
      });
      expect(await third.json()).toEqual({ ok: true, duplicate: true });
      await settled();
      await eventually(() => (replies(ts).length ? true : undefined));
      expect(replies(ts)).toHaveLength(1);
      const [answer] = replies(ts);
      // the oversize description is cut to Block Kit's limits and escaped, never invalid_blocks
      expect({ ok: answer!.ok, error: answer!.error }).toEqual({ ok: true, error: undefined });
      const blocks = JSON.stringify(answer!.args['blocks']);
      expect(blocks).toContain(inc.number);
      expect(blocks).toContain('&lt;b&gt; &amp;');
      expect(blocks).not.toContain('<script>');
      expect(sim.message(CHANNEL, ts)?.replies).toHaveLength(1);
    });

    it('answers a mention without a number with help', async () => {
      const text = `<@${sim.botUserId}> hello there`;
      const ts = await messageInChannel(text);
      const res = await slack.event({
        type: 'app_mention',
        user: responder.slackId,
        text,
        ts,
        channel: CHANNEL,
      });
      expect(res.status).toBe(200);
      const [post] = await eventually(() => (replies(ts).length ? replies(ts) : undefined));
      expect({ ok: post!.ok, error: post!.error }).toEqual({ ok: true, error: undefined });
      expect(String(post!.args['text'])).toMatch(/incident number/);
    });
  });
});
