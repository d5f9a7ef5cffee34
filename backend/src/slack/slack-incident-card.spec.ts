import type { ActionsBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { IncidentView } from '../incidents/dto/incident.view';
import { SLACK_LIMITS } from './slack-block-limits';
import {
  CARD_ACTIONS,
  commentReply,
  humanSpan,
  incidentCard,
  slaText,
  stateChangeReply,
} from './slack-incident-card';

const now = new Date('2026-12-04T09:00:00.000Z');
const ctx = { publicUrl: 'https://nexecute.example.com/', now };

function incident(over: Partial<IncidentView> = {}): IncidentView {
  return {
    id: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d',
    number: 'INC0001234',
    title: 'Checkout API returns 502',
    description: 'Since 09:10 UTC about 30% of checkout calls fail.',
    state: 'in_progress',
    impact: 1,
    urgency: 1,
    priority: 1,
    category: 'network',
    assignee: {
      id: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71',
      name: 'Alice Moreau',
      email: 'alice@example.com',
    },
    assignmentGroup: 'Network Operations',
    reporter: null,
    source: 'console',
    closeCode: null,
    closeNotes: null,
    external: { servicenowSysId: null, slackChannel: null, slackTs: null },
    externalSystem: null,
    externalRef: null,
    externalNumber: null,
    openedAt: '2026-12-04T08:00:00.000Z',
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    slaDueAt: '2026-12-04T12:00:00.000Z',
    slaBreached: false,
    alertCount: 0,
    lastAlertAt: null,
    version: 3,
    createdAt: '2026-12-04T08:00:00.000Z',
    updatedAt: '2026-12-04T08:30:00.000Z',
    deliveriesBehind: 0,
    ...over,
  };
}

const byId = (blocks: KnownBlock[], id: string) => blocks.find((b) => b.block_id === id);
const fieldTexts = (blocks: KnownBlock[]) =>
  ((byId(blocks, 'incident.facts') as SectionBlock).fields ?? []).map((f) => f.text);

describe('incidentCard', () => {
  it('shows number, title, priority, state, assignee, SLA countdown, group and category, and the four buttons', () => {
    const card = incidentCard(incident(), ctx);
    expect((byId(card.blocks, 'incident.header') as HeaderBlock).text.text).toBe(
      'INC0001234: Checkout API returns 502',
    );
    const fields = fieldTexts(card.blocks);
    expect(fields).toEqual([
      '*Priority*\n:red_circle: P1 Critical',
      '*State*\nIn progress',
      '*Assignee*\nAlice Moreau',
      expect.stringMatching(
        /^\*SLA\*\n:hourglass_flowing_sand: Due <!date\^1796385600\^\{ago\}\|in 3 h 00 min>/,
      ) as string,
      '*Group*\nNetwork Operations',
      '*Category*\nnetwork',
    ]);
    const actions = byId(card.blocks, 'incident.actions') as ActionsBlock;
    expect(actions.elements.map((e) => ('action_id' in e ? e.action_id : undefined))).toEqual([
      CARD_ACTIONS.acknowledge,
      CARD_ACTIONS.assignToMe,
      CARD_ACTIONS.resolve,
      CARD_ACTIONS.open,
    ]);
    expect(actions.elements.every((e) => 'value' in e && e.value === incident().id)).toBe(true);
    expect(actions.elements[3]).toMatchObject({
      url: 'https://nexecute.example.com/incidents/0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d',
    });
    expect(card.text).toBe('INC0001234 [P1 Critical] Checkout API returns 502 (In progress)');
    expect(card.metadata).toEqual({
      event_type: 'nexecute_incident_card',
      event_payload: { incident_id: incident().id, number: 'INC0001234', version: 3 },
    });
  });

  it('names the ServiceNow twin’s number when there is one, and says Unassigned when nobody is', () => {
    const card = incidentCard(
      incident({
        externalSystem: 'servicenow',
        externalRef: 'abc',
        externalNumber: 'INC0010002',
        assignee: null,
      }),
      ctx,
    );
    const fields = fieldTexts(card.blocks);
    expect(fields).toContain('*ServiceNow*\nINC0010002');
    expect(fields).toContain('*Assignee*\n_Unassigned_');
  });

  it('drops Acknowledge once acknowledged', () => {
    const actions = byId(
      incidentCard(incident({ acknowledgedAt: '2026-12-04T08:05:00.000Z' }), ctx).blocks,
      'incident.actions',
    ) as ActionsBlock;
    expect(actions.elements.map((e) => ('action_id' in e ? e.action_id : ''))).not.toContain(
      CARD_ACTIONS.acknowledge,
    );
  });

  it.each(['resolved', 'closed', 'canceled'] as const)(
    'a %s card has no buttons, only a link, and its resolution',
    (state) => {
      const card = incidentCard(
        incident({ state, closeCode: 'Solution provided', closeNotes: 'Rolled back 4.2.1' }),
        ctx,
      );
      expect(card.blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(JSON.stringify(card.blocks)).toContain('|Open in console>');
      expect((byId(card.blocks, 'incident.resolution') as SectionBlock).text?.text).toBe(
        '*Solution provided*: Rolled back 4.2.1',
      );
      expect(fieldTexts(card.blocks).find((f) => f.startsWith('*SLA*'))).toContain(':white_check_mark: Met');
    },
  );

  it('cuts an oversize title and description to their limits with an ellipsis, and escapes mrkdwn', () => {
    const card = incidentCard(
      incident({
        title: 'T'.repeat(5000),
        description: `<!channel> & ${'d'.repeat(10000)}`,
        category: 'x'.repeat(3000),
      }),
      ctx,
    );
    const header = (byId(card.blocks, 'incident.header') as HeaderBlock).text.text;
    expect(header).toHaveLength(SLACK_LIMITS.headerText);
    expect(header.endsWith('…')).toBe(true);
    const description = (byId(card.blocks, 'incident.description') as SectionBlock).text!.text;
    expect(description.startsWith('&lt;!channel&gt; &amp; ddd')).toBe(true);
    expect(description.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(description.endsWith('…')).toBe(true);
    for (const f of fieldTexts(card.blocks))
      expect(f.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFieldText);
    expect(card.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  });
});

describe('slaText', () => {
  it('counts down while open, says breached past due, met or missed once resolved', () => {
    expect(slaText(incident(), now)).toContain('|in 3 h 00 min>');
    expect(slaText(incident({ slaDueAt: '2026-12-04T08:40:00.000Z', slaBreached: true }), now)).toMatch(
      /^:rotating_light: \*Breached\* <!date\^\d+\^\{ago\}\|20 min ago>/,
    );
    expect(slaText(incident({ state: 'resolved', slaBreached: true }), now)).toMatch(/^:x: Missed/);
  });

  it('humanSpan reads as people write it', () => {
    expect(humanSpan(5 * 60_000)).toBe('5 min');
    expect(humanSpan(125 * 60_000)).toBe('2 h 05 min');
    expect(humanSpan(-(26 * 60 + 3) * 60_000)).toBe('1 d 2 h');
  });
});

describe('thread replies', () => {
  it('a comment names its author and is escaped and cut', () => {
    const reply = commentReply(`<b>${'x'.repeat(6000)}`, 'alice@example.com');
    const text = (reply.blocks[0] as SectionBlock).text!.text;
    expect(text.startsWith(':speech_balloon: *Comment* by alice@example.com\n&lt;b&gt;')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it('a state change says from and to, and the close code when resolving', () => {
    const reply = stateChangeReply('in_progress', 'resolved', 'bob', {
      code: 'Solution provided',
      notes: 'Fixed',
    });
    expect(reply.text).toBe(
      ':arrows_counterclockwise: State *In progress* → *Resolved* by bob\n*Solution provided*: Fixed',
    );
  });
});
