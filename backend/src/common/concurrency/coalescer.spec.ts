import { Coalescer } from './coalescer';

/** A run the test finishes by hand, counting how often work started. */
function controlledWork() {
  const runs: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const work = () =>
    new Promise<string>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { runs, work };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Coalescer', () => {
  it('runs at once when nothing is in flight', async () => {
    const c = new Coalescer<string>();
    const { runs, work } = controlledWork();
    const a = c.run('k', work);
    expect(runs).toHaveLength(1);
    runs[0]!.resolve('one');
    await expect(a).resolves.toBe('one');
    expect(c.size).toBe(0);
  });

  it('never hands a caller a run that started before it asked: latecomers share the next run', async () => {
    const c = new Coalescer<string>();
    const { runs, work } = controlledWork();
    const first = c.run('k', work);
    const second = c.run('k', work);
    const third = c.run('k', work);
    expect(runs).toHaveLength(1); // the next run waits for the one in flight
    runs[0]!.resolve('before');
    await expect(first).resolves.toBe('before');
    await tick();
    expect(runs).toHaveLength(2); // one run for both latecomers
    runs[1]!.resolve('after');
    await expect(second).resolves.toBe('after');
    await expect(third).resolves.toBe('after');
    expect(c.size).toBe(0);
  });

  it('keeps different keys apart', async () => {
    const c = new Coalescer<string>();
    const { runs, work } = controlledWork();
    const a = c.run('a', work);
    const b = c.run('b', work);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve('b');
    runs[0]!.resolve('a');
    await expect(a).resolves.toBe('a');
    await expect(b).resolves.toBe('b');
  });

  it('fails the callers of a failed run only, and runs again for those queued behind it', async () => {
    const c = new Coalescer<string>();
    const { runs, work } = controlledWork();
    const failing = c.run('k', work);
    const queued = c.run('k', work);
    runs[0]!.reject(new Error('statement timeout'));
    await expect(failing).rejects.toThrow('statement timeout');
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve('recovered');
    await expect(queued).resolves.toBe('recovered');
  });

  it('starts afresh once everything has settled', async () => {
    const c = new Coalescer<string>();
    const { runs, work } = controlledWork();
    const a = c.run('k', work);
    runs[0]!.resolve('1');
    await a;
    const b = c.run('k', work);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve('2');
    await expect(b).resolves.toBe('2');
  });
});
