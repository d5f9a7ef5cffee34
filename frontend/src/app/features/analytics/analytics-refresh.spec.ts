import { pollWhileVisible } from './analytics-refresh';

describe('pollWhileVisible', () => {
  /** A document whose visibility the test sets. */
  function fakeDocument(initial: DocumentVisibilityState) {
    const target = new EventTarget();
    let state = initial;
    // A getter, not a copied value: the poll reads the state at each change.
    Object.defineProperty(target, 'visibilityState', { get: () => state });
    return {
      doc: target as unknown as Document,
      show(next: DocumentVisibilityState) {
        state = next;
        target.dispatchEvent(new Event('visibilitychange'));
      },
    };
  }

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks every period while visible, never while hidden, and at once on coming back', () => {
    const visibility = fakeDocument('visible');
    const { doc } = visibility;
    let ticks = 0;
    const sub = pollWhileVisible(doc, 60_000).subscribe(() => ticks++);

    vi.advanceTimersByTime(59_999);
    expect(ticks).toBe(0);
    vi.advanceTimersByTime(1);
    expect(ticks).toBe(1);

    visibility.show('hidden');
    vi.advanceTimersByTime(300_000);
    expect(ticks).toBe(1);

    visibility.show('visible');
    vi.advanceTimersByTime(0);
    expect(ticks).toBe(2);
    vi.advanceTimersByTime(60_000);
    expect(ticks).toBe(3);
    sub.unsubscribe();
  });
});
