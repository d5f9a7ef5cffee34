import {
  decodeStoredRequest,
  parseEventEnvelope,
  parseInteraction,
  parseSlashCommand,
} from './slack-inbound';

const envelope = {
  token: 'legacy',
  team_id: 'T1',
  api_app_id: 'A1',
  type: 'event_callback',
  event_id: 'Ev01',
  event_time: 1700000000,
  event: {
    type: 'app_mention',
    user: 'U1',
    text: '<@UBOT> INC0001234',
    ts: '1.2',
    channel: 'C1',
    event_ts: '1.2',
  },
};

describe('Slack request bodies', () => {
  it('reads url_verification and event_callback envelopes and refuses anything else', () => {
    expect(parseEventEnvelope({ type: 'url_verification', challenge: 'abc', token: 't' })).toEqual({
      type: 'url_verification',
      challenge: 'abc',
    });
    expect(parseEventEnvelope(envelope)).toMatchObject({
      type: 'event_callback',
      eventId: 'Ev01',
      teamId: 'T1',
    });
    expect(parseEventEnvelope({ type: 'event_callback', event: {} })).toBeNull();
    expect(parseEventEnvelope([1])).toBeNull();
  });

  it('reads block_actions with the card it came from', () => {
    const payload = {
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'U1', username: 'ana' },
      trigger_id: 'tr1',
      response_url: 'http://x/resp',
      container: { type: 'message', message_ts: '1.2', channel_id: 'C1' },
      channel: { id: 'C1', name: 'ops' },
      actions: [{ action_id: 'incident.acknowledge', value: 'id-1', action_ts: '3.4' }],
    };
    expect(parseInteraction({ payload: JSON.stringify(payload) })).toEqual({
      type: 'block_actions',
      user: { id: 'U1', teamId: 'T1' },
      teamId: 'T1',
      triggerId: 'tr1',
      responseUrl: 'http://x/resp',
      channelId: 'C1',
      messageTs: '1.2',
      actions: [{ actionId: 'incident.acknowledge', value: 'id-1', actionTs: '3.4' }],
    });
    expect(parseInteraction({ payload: '{nope' })).toBeNull();
    expect(parseInteraction({})).toBeNull();
    expect(parseInteraction({ payload: JSON.stringify({ type: 'view_closed' }) })).toEqual({
      type: 'other',
      slackType: 'view_closed',
    });
  });

  it('tells stored events, interactions and commands apart by their bytes', () => {
    expect(decodeStoredRequest(Buffer.from(JSON.stringify(envelope)))).toMatchObject({ kind: 'event' });
    const form = new URLSearchParams({ command: '/incident', text: 'list', user_id: 'U1', team_id: 'T1' });
    expect(decodeStoredRequest(Buffer.from(form.toString()))).toMatchObject({
      kind: 'command',
      command: { command: '/incident', text: 'list', userId: 'U1' },
    });
    const submission = {
      type: 'view_submission',
      user: { id: 'U1' },
      team: { id: 'T1' },
      view: { id: 'V1', callback_id: 'incident.create', private_metadata: '{}', state: { values: {} } },
    };
    const stored = new URLSearchParams({ payload: JSON.stringify(submission) }).toString();
    expect(decodeStoredRequest(Buffer.from(stored))).toMatchObject({
      kind: 'interaction',
      payload: { type: 'view_submission', view: { callbackId: 'incident.create' } },
    });
    expect(parseSlashCommand({ text: 'x' })).toBeNull();
  });
});
