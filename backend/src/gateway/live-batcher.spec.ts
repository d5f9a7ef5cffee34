import { LiveBatcher } from './live-batcher';

describe('LiveBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function batcher(windowMs: number): { batches: number[][]; b: LiveBatcher<number> } {
    const batches: number[][] = [];
    const b = new LiveBatcher<number>(
      windowMs,
      (batch) => batches.push(batch),
      () => Date.now(),
    );
    return { batches, b };
  }

  it('sends the first item after a quiet spell at once (leading edge)', () => {
    const { batches, b } = batcher(50);
    b.push([1]);
    expect(batches).toEqual([[1]]);
    jest.advanceTimersByTime(60);
    b.push([2]);
    expect(batches).toEqual([[1], [2]]);
  });

  it('coalesces a burst into one batch per window, in order', () => {
    const { batches, b } = batcher(50);
    for (let i = 1; i <= 100; i++) b.push([i]);
    expect(batches).toEqual([[1]]);
    jest.advanceTimersByTime(50);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual(Array.from({ length: 99 }, (_, i) => i + 2));
  });

  it('sends each push at once with a window of 0', () => {
    const { batches, b } = batcher(0);
    b.push([1]);
    b.push([2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
  });
});
