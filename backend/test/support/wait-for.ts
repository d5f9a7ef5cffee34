/**
 * Polls `check` until it answers something other than undefined, and resolves with that; rejects
 * saying `what` after `timeoutMs` (a deadline, not a sleep). For states only the database, a log
 * or another process can tell.
 */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition not met',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} (waited ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once `condition` holds; rejects saying `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await eventually(async () => ((await condition()) ? true : undefined), timeoutMs, what);
}
