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

/** Polls GET /api/health/ready until 200; resolves with the milliseconds it took. */
export async function waitUntilReady(baseUrl, timeoutMs = 60000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      if ((await fetch(`${baseUrl}/api/health/ready`)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${baseUrl} not ready within ${timeoutMs} ms`);
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
