import { humanDuration, inUnit, unitFor } from './durations';
import { countDelta, durationDelta, pointsDelta } from './kpi-delta';

describe('KPI deltas', () => {
  it('calls fewer open incidents good and more bad', () => {
    expect(countDelta(37, 42, 'lower', 'Open')).toMatchObject({
      direction: 'down',
      text: '−5',
      verdict: 'good',
    });
    expect(countDelta(42, 37, 'lower', 'Open')).toMatchObject({
      direction: 'up',
      text: '+5',
      verdict: 'bad',
    });
    expect(countDelta(4, 4, 'lower', 'Open')).toMatchObject({
      direction: 'flat',
      text: '0',
      verdict: 'neutral',
    });
  });

  it('gives duration changes in % and calls a lower MTTA good', () => {
    expect(durationDelta(540, 600, 'lower', 'MTTA')).toMatchObject({
      direction: 'down',
      text: '−10 %',
      verdict: 'good',
      description: 'MTTA: down 10 % against the previous period (better)',
    });
    expect(durationDelta(15_400, 14_000, 'lower', 'MTTR')).toMatchObject({ text: '+10 %', verdict: 'bad' });
    expect(durationDelta(540, null, 'lower', 'MTTA')).toBeNull();
  });

  it('gives SLA changes in points and calls a higher SLA % good', () => {
    expect(pointsDelta(91.7, 88.9, 'higher', 'SLA')).toMatchObject({
      direction: 'up',
      text: '+2.8 pts',
      verdict: 'good',
    });
    expect(pointsDelta(80, 90, 'higher', 'SLA')).toMatchObject({ text: '−10 pts', verdict: 'bad' });
  });

  it('writes durations for people and picks a readable axis unit', () => {
    expect(humanDuration(45)).toBe('45 s');
    expect(humanDuration(270)).toBe('4 min 30 s');
    expect(humanDuration(1500)).toBe('25 min');
    expect(humanDuration(12_000)).toBe('3 h 20 min');
    expect(humanDuration(190_800)).toBe('2 d 5 h');
    expect(humanDuration(null)).toBe('—');
    expect(unitFor(90).label).toBe('seconds');
    expect(unitFor(1800).label).toBe('minutes');
    expect(unitFor(18_000).label).toBe('hours');
    expect(inUnit(5400, unitFor(18_000))).toBe(1.5);
  });
});
