import { escapeMrkdwn, mrkdwn, SLACK_LIMITS, truncate } from './slack-block-limits';

describe('Block Kit limits', () => {
  it('leaves text within the limit alone', () => {
    expect(truncate('Database down', SLACK_LIMITS.headerText)).toBe('Database down');
    expect(truncate('x'.repeat(150), SLACK_LIMITS.headerText)).toHaveLength(150);
  });

  it('cuts longer text to the limit with an ellipsis', () => {
    const cut = truncate('x'.repeat(5000), SLACK_LIMITS.sectionText);
    expect(cut).toHaveLength(3000);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(148)}😀😀`;
    const cut = truncate(text, 150);
    expect(cut.length).toBeLessThanOrEqual(150);
    expect(cut).toBe(`${'a'.repeat(148)}…`);
  });

  it('escapes mrkdwn control characters and never cuts inside an entity', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    const cut = mrkdwn(`${'a'.repeat(8)}&&&`, 12);
    expect(cut.length).toBeLessThanOrEqual(12);
    expect(cut).toMatch(/^(a{8}(&amp;)*…)$/);
  });
});
