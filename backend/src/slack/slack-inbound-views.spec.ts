import type { IncidentView } from '../incidents/dto/incident.view';
import { SLACK_LIMITS } from './slack-block-limits';
import { incidentList, incidentSummary, LIST_LIMIT } from './slack-inbound-views';

const CONSOLE = 'https://nexecute.example';

function incident(n: number, title: string): IncidentView {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    number: `INC${String(n).padStart(7, '0')}`,
    title,
    description: `<desc> ${'d'.repeat(30000)}`,
    state: 'in_progress',
    priority: 1,
    assignee: { id: 'u', name: `Ana <${'n'.repeat(3000)}>`, email: 'ana@example.com' },
    externalNumber: 'INC0010002',
    slaDueAt: '2026-12-04T12:00:00.000Z',
    slaBreached: true,
  } as unknown as IncidentView;
}

/** Every text of a message's blocks. */
function texts(blocks: unknown[]): { text: string; limit: number }[] {
  const out: { text: string; limit: number }[] = [];
  for (const b of blocks as {
    type: string;
    text?: { text: string };
    fields?: { text: string }[];
    elements?: { text: string }[];
  }[]) {
    if (b.text) out.push({ text: b.text.text, limit: SLACK_LIMITS.sectionText });
    for (const f of b.fields ?? []) out.push({ text: f.text, limit: SLACK_LIMITS.sectionFieldText });
    for (const e of b.elements ?? []) out.push({ text: e.text, limit: SLACK_LIMITS.contextText });
  }
  return out;
}

describe('inbound answers (summary, list)', () => {
  it('keeps an oversize summary within Block Kit limits, escaped, with the number linked', () => {
    const reply = incidentSummary(incident(1, `<!channel> ${'t'.repeat(5000)}`), CONSOLE);
    for (const { text, limit } of texts(reply.blocks)) expect(text.length).toBeLessThanOrEqual(limit);
    const all = JSON.stringify(reply.blocks);
    expect(all).toContain(`<${CONSOLE}/incidents/00000000-0000-4000-8000-000000000001|INC0000001>`);
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('INC0010002');
  });

  it('lists at most LIST_LIMIT incidents in a few sections, each within its limit', () => {
    const many = Array.from({ length: 30 }, (_, i) => incident(i + 1, `Title ${'x'.repeat(500)}`));
    const reply = incidentList(many, true, 'Open incidents', CONSOLE);
    expect(reply.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    for (const { text, limit } of texts(reply.blocks)) expect(text.length).toBeLessThanOrEqual(limit);
    const all = JSON.stringify(reply.blocks);
    expect(all).toContain(`INC${String(LIST_LIMIT).padStart(7, '0')}`);
    expect(all).not.toContain(`INC${String(LIST_LIMIT + 1).padStart(7, '0')}`);
    expect(all).toContain('all incidents');
    expect(incidentList([], false, 'Open incidents assigned to you', CONSOLE).text).toBe(
      'Open incidents assigned to you: none.',
    );
  });
});
