// Starting the app as a user would (`npm start`), finding it under npm (npm -> sh -> node) and
// reading its memory, for the start-up benchmark and the CI smoke test. Linux /proc only.
import { readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

/**
 * Polls GET /api/health/ready until it answers 200; resolves with the milliseconds it took.
 * `exited` (a promise that settles when the app's process ends) makes a crash fail fast.
 */
export async function waitUntilReady(baseUrl, { timeoutMs = 60000, exited } = {}) {
  const started = performance.now();
  let exit;
  void exited?.then((status) => (exit = status ?? 'exited'));
  let last = 'no answer yet';
  while (performance.now() - started < timeoutMs) {
    if (exit !== undefined) throw new Error(`the app exited during start-up (${JSON.stringify(exit)})`);
    try {
      const res = await fetch(`${baseUrl}/api/health/ready`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return performance.now() - started;
      last = `HTTP ${res.status}`;
      await res.body?.cancel();
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(
    `GET ${baseUrl}/api/health/ready did not return 200 within ${timeoutMs / 1000} s (last: ${last})`,
  );
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function descendants(pid) {
  return children(pid).flatMap((c) => [c, ...descendants(c)]);
}

export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function isNode(pid) {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)).startsWith('node');
  } catch {
    return false;
  }
}

/** The node process running scripts/start.mjs below an `npm start` process. */
export function appUnderNpm(npmPid) {
  const app = descendants(npmPid).find((p) => isNode(p) && cmdline(p).includes('scripts/start.mjs'));
  if (!app) throw new Error(`no app process under npm (pid ${npmPid})`);
  return app;
}

export function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
