import { changeValue } from './incident-timeline';

describe('changeValue', () => {
  it.each<[string, unknown, string | RegExp]>([
    ['state', 'on_hold', 'On hold'],
    ['impact', 1, 'High'],
    ['priority', 2, 'P2'],
    ['assignee', { id: 'a', name: 'Alice Moreau', email: 'a@example.test' }, 'Alice Moreau'],
    ['closeCode', null, '—'],
    ['category', '', '—'],
    ['title', 'Checkout 502', 'Checkout 502'],
    ['acknowledgedAt', '2026-11-25T09:14:30.000Z', /^Nov 25, 2026, \d{1,2}:\d{2}:\d{2}\s?[AP]M$/],
  ])('shows %s %j as people read it', (field, value, shown) => {
    if (typeof shown === 'string') {
      expect(changeValue(field, value)).toBe(shown);
    } else {
      expect(changeValue(field, value)).toMatch(shown);
    }
  });
});
