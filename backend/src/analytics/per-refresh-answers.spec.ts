import { PerRefreshAnswers } from './per-refresh-answers';

const at = (s: number): Date => new Date(Date.UTC(2026, 11, 4, 12, 0, s));
const value =
  <V>(v: V) =>
  (): Promise<V> =>
    Promise.resolve(v);

describe('PerRefreshAnswers', () => {
  it('computes an answer once per refresh and key, and shares it with concurrent requests', async () => {
    const memo = new PerRefreshAnswers();
    let runs = 0;
    const compute = (): Promise<number> => Promise.resolve(++runs);
    const answers = await Promise.all([
      memo.answer(at(0), 'summary:{}', compute),
      memo.answer(at(0), 'summary:{}', compute),
      memo.answer(at(0), 'summary:{}', compute),
    ]);
    expect(answers).toEqual([1, 1, 1]);
    expect(await memo.answer(at(0), 'summary:{"priority":1}', compute)).toBe(2);
    expect(memo.computed).toBe(2);
  });

  it('never serves an answer across refreshes, and lets an older snapshot compute its own', async () => {
    const memo = new PerRefreshAnswers();
    expect(await memo.answer(at(0), 'k', value('first refresh'))).toBe('first refresh');
    expect(await memo.answer(at(1), 'k', value('second refresh'))).toBe('second refresh');
    // A reader whose snapshot began before the second refresh committed.
    expect(await memo.answer(at(0), 'k', value('its own'))).toBe('its own');
    expect(await memo.answer(at(1), 'k', value('not computed'))).toBe('second refresh');
  });

  it('keeps no failure: the next request, and whoever waited on it, compute again', async () => {
    const memo = new PerRefreshAnswers();
    let fail = true;
    const compute = (): Promise<string> =>
      fail ? Promise.reject(new Error('connection lost')) : Promise.resolve('answer');
    const first = memo.answer(at(0), 'k', compute);
    fail = false;
    const waiter = memo.answer(at(0), 'k', compute);
    await expect(first).rejects.toThrow('connection lost');
    expect(await waiter).toBe('answer');
    expect(await memo.answer(at(0), 'k', compute)).toBe('answer');
  });

  it('holds at most maxEntries answers, dropping the oldest', async () => {
    const memo = new PerRefreshAnswers(2);
    await memo.answer(at(0), 'a', value('a'));
    await memo.answer(at(0), 'b', value('b'));
    await memo.answer(at(0), 'c', value('c'));
    expect(await memo.answer(at(0), 'a', value('a again'))).toBe('a again');
    expect(await memo.answer(at(0), 'c', value('not computed'))).toBe('c');
  });
});
