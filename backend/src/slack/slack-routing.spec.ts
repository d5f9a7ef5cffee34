import { DEFAULT_CHANNEL_THREAD, routeIncident, ruleMatches, type RoutingRule } from './slack-routing';

const rule = (over: Partial<RoutingRule> & Pick<RoutingRule, 'id' | 'channelId'>): RoutingRule => ({
  name: over.id,
  priorities: [],
  categories: [],
  sources: [],
  internal: false,
  thread: { comments: true, workNotes: false, stateChanges: true },
  enabled: true,
  position: 0,
  ...over,
});

const p1Network = { priority: 1, category: 'Network', source: 'webhook' } as const;
const p3Database = { priority: 3, category: 'database', source: 'console' } as const;

describe('routeIncident', () => {
  it('fans an incident out to every matching rule, in rule order (team channel and the P1 channel)', () => {
    const rules = [
      rule({ id: 'major', channelId: 'CMAJOR', priorities: [1], position: 1 }),
      rule({ id: 'network', channelId: 'CNET', categories: ['network'], position: 0 }),
      rule({ id: 'db', channelId: 'CDB', categories: ['database'], position: 2 }),
    ];
    expect(routeIncident(rules, p1Network, 'CDEFAULT').map((t) => t.channelId)).toEqual(['CNET', 'CMAJOR']);
    expect(routeIncident(rules, p3Database, 'CDEFAULT').map((t) => t.channelId)).toEqual(['CDB']);
  });

  it('falls back to SLACK_DEFAULT_CHANNEL (comments and state changes, no work notes) when no rule matches', () => {
    const rules = [rule({ id: 'major', channelId: 'CMAJOR', priorities: [1] })];
    expect(routeIncident(rules, p3Database, 'CDEFAULT')).toEqual([
      { channelId: 'CDEFAULT', ruleId: null, internal: false, thread: DEFAULT_CHANNEL_THREAD },
    ]);
    expect(routeIncident(rules, p3Database, null)).toEqual([]);
    expect(routeIncident([], p1Network, 'CDEFAULT').map((t) => t.channelId)).toEqual(['CDEFAULT']);
  });

  it('skips disabled rules, and makes one card per channel with the first rule’s settings', () => {
    const rules = [
      rule({ id: 'off', channelId: 'COFF', enabled: false }),
      rule({
        id: 'first',
        channelId: 'CSAME',
        position: 0,
        internal: true,
        thread: { comments: false, workNotes: true, stateChanges: true },
      }),
      rule({ id: 'second', channelId: 'CSAME', position: 1 }),
    ];
    expect(routeIncident(rules, p1Network, null)).toEqual([
      {
        channelId: 'CSAME',
        ruleId: 'first',
        internal: true,
        thread: { comments: false, workNotes: true, stateChanges: true },
      },
    ]);
  });

  it('never lets work notes reach a channel that is not internal', () => {
    const [target] = routeIncident(
      [rule({ id: 'r', channelId: 'CPUB', thread: { comments: true, workNotes: true, stateChanges: true } })],
      p1Network,
      null,
    );
    expect(target?.thread.workNotes).toBe(false);
  });
});

describe('ruleMatches', () => {
  it.each([
    [{ priorities: [1, 2] }, true],
    [{ priorities: [2] }, false],
    [{ categories: [' NETWORK '] }, true],
    [{ categories: ['database'] }, false],
    [{ sources: ['webhook'] }, true],
    [{ sources: ['console'] }, false],
    [{ priorities: [1], categories: ['network'], sources: ['webhook'] }, true],
    [{ priorities: [1], categories: ['network'], sources: ['api'] }, false],
  ])('%j matches a P1 network webhook incident: %s', (over, expected) => {
    expect(ruleMatches(rule({ id: 'r', channelId: 'C1', ...over }), p1Network)).toBe(expected);
  });

  it('an incident without a category matches only rules with no category', () => {
    const uncategorised = { priority: 2, category: null, source: 'api' } as const;
    expect(ruleMatches(rule({ id: 'r', channelId: 'C1' }), uncategorised)).toBe(true);
    expect(ruleMatches(rule({ id: 'r', channelId: 'C1', categories: ['network'] }), uncategorised)).toBe(
      false,
    );
  });
});
