import { LiveMessageLimiter } from './live-message-limiter';

describe('LiveMessageLimiter', () => {
  it('accepts the budget, limits past it, and calls a flood past five times it', () => {
    let now = 0;
    const limiter = new LiveMessageLimiter(20, () => now);
    const verdicts = Array.from({ length: 101 }, () => limiter.take());
    expect(verdicts.slice(0, 20).every((v) => v === 'accept')).toBe(true);
    expect(verdicts.slice(20, 100).every((v) => v === 'limit')).toBe(true);
    expect(verdicts[100]).toBe('disconnect');
    now = 1000;
    expect(limiter.take()).toBe('accept');
  });
});
