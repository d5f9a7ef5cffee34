import { helpReply, parseIncidentCommand } from './slack-commands';

describe('/incident command text', () => {
  it.each([
    ['', { verb: 'help', problem: null }],
    ['help', { verb: 'help', problem: null }],
    ['create Checkout  API down', { verb: 'create', title: 'Checkout  API down' }],
    ['create', { verb: 'create', title: '' }],
    ['create a &lt; b &amp;&amp; c', { verb: 'create', title: 'a < b && c' }],
    ['list', { verb: 'list', mine: false }],
    ['list open', { verb: 'list', mine: false }],
    ['LIST mine', { verb: 'list', mine: true }],
    ['show inc0001234', { verb: 'show', reference: 'INC0001234' }],
    ['ack INC0010002', { verb: 'ack', reference: 'INC0010002' }],
    ['acknowledge INC0010002', { verb: 'ack', reference: 'INC0010002' }],
    ['resolve INC0001234', { verb: 'resolve', reference: 'INC0001234' }],
  ])('reads %j', (text, command) => {
    expect(parseIncidentCommand(text)).toEqual(command);
  });

  it('answers an unknown verb, a bad filter and a missing number with help that says what was wrong', () => {
    expect(parseIncidentCommand('frobnicate now')).toEqual({
      verb: 'help',
      problem: 'Unknown command "frobnicate"',
    });
    expect(parseIncidentCommand('list everything')).toMatchObject({ verb: 'help' });
    expect(parseIncidentCommand('ack')).toMatchObject({
      verb: 'help',
      problem: expect.stringMatching(/needs one incident/),
    });
    expect(parseIncidentCommand('show INC1 INC2')).toMatchObject({ verb: 'help' });
    expect(parseIncidentCommand('resolve <script>')).toMatchObject({ verb: 'help' });
  });

  it('escapes user text in help and keeps every text within its limit', () => {
    const reply = helpReply('/incident', `Unknown command "<${'x'.repeat(5000)}>"`);
    for (const block of reply.blocks) {
      const text = (block as { text?: { text: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(3000);
      expect(text).not.toMatch(/<x/);
    }
    expect(reply.blocks.at(-1)).toMatchObject({
      text: { text: expect.stringContaining('create &lt;title&gt;') },
    });
  });
});
