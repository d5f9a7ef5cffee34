import { CLOSE_CODES } from '../incidents/incident-state';
import { createModal, readCreateSubmission, readResolveSubmission, resolveModal } from './slack-modals';

const INCIDENT = { id: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d', number: 'INC0001234', title: 'Checkout down' };
const select = (value: string) => ({ value: { type: 'static_select', selected_option: { value } } });
const text = (value: string) => ({ value: { type: 'plain_text_input', value } });

describe('resolve modal', () => {
  it('carries the incident and its card in private_metadata and offers our close codes', () => {
    const view = resolveModal(INCIDENT, { channel: 'C1', messageTs: '1700000000.000100' });
    expect(view.callback_id).toBe('incident.resolve');
    expect(JSON.parse(view.private_metadata!)).toEqual({
      incidentId: INCIDENT.id,
      channel: 'C1',
      messageTs: '1700000000.000100',
    });
    const select = view.blocks.find((b) => b.block_id === 'close_code') as unknown as {
      element: { options: { value: string }[] };
    };
    expect(select.element.options.map((o) => o.value)).toEqual([...CLOSE_CODES]);
    expect(view.title.text.length).toBeLessThanOrEqual(24);
  });

  it('cuts an oversize title and escapes it', () => {
    const view = resolveModal(
      { ...INCIDENT, title: `<b>${'x'.repeat(4000)}` },
      { channel: null, messageTs: null },
    );
    const text = (view.blocks[0] as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/^INC0001234 &lt;b&gt;x+…$/);
  });

  it('reads a valid submission and refuses a missing code or notes per block', () => {
    const meta = JSON.stringify({ incidentId: INCIDENT.id, channel: 'C1', messageTs: '1.2' });
    expect(
      readResolveSubmission(
        { close_code: select('Duplicate'), close_notes: text('  Same as INC0001 ') },
        meta,
      ),
    ).toEqual({
      ok: {
        incidentId: INCIDENT.id,
        channel: 'C1',
        messageTs: '1.2',
        responseUrl: null,
        closeCode: 'Duplicate',
        closeNotes: 'Same as INC0001',
      },
    });
    expect(readResolveSubmission({ close_code: select('Nope'), close_notes: text(' ') }, meta)).toEqual({
      errors: { close_code: 'Choose a close code', close_notes: 'Say what resolved it' },
    });
    expect(readResolveSubmission({}, 'not json')).toMatchObject({
      errors: { close_code: expect.any(String) },
    });
  });
});

describe('create modal', () => {
  it('is prefilled with the title, cut to the title limit', () => {
    const view = createModal('x'.repeat(300), { channel: 'C1', messageTs: null });
    expect(view.callback_id).toBe('incident.create');
    const title = view.blocks.find((b) => b.block_id === 'title') as unknown as {
      element: { initial_value: string };
    };
    expect(title.element.initial_value).toHaveLength(200);
    expect(createModal('', { channel: null, messageTs: null }).blocks[0]).not.toHaveProperty(
      'element.initial_value',
    );
  });

  it('reads a submission and refuses a blank title', () => {
    const values = {
      title: text('Disk full'),
      description: text(''),
      impact: select('1'),
      urgency: select('2'),
    };
    expect(readCreateSubmission(values, JSON.stringify({ channel: 'C9' }))).toEqual({
      ok: {
        channel: 'C9',
        messageTs: null,
        responseUrl: null,
        title: 'Disk full',
        description: '',
        impact: 1,
        urgency: 2,
      },
    });
    expect(readCreateSubmission({ ...values, title: text('  '), urgency: select('9') }, '')).toEqual({
      errors: { title: 'Give the incident a title', urgency: 'Choose 1, 2 or 3' },
    });
  });
});
