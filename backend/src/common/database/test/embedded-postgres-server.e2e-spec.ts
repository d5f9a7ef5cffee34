import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../embedded-postgres-server';

const support = join(__dirname, '../../../../test/support');

interface ChildRun {
  readonly lines: Record<string, unknown>[];
  readonly exitCode: number | null;
  readonly stderr: string;
}

/** Runs the child; resolves when it exits, or (for `write`) once it reports, handing back its pid. */
function runChild(mode: 'write' | 'read' | 'crash', dataDir: string): Promise<ChildRun & { pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(support, 'register-typescript.cjs'),
        join(support, 'embedded-postgres-child.ts'),
        mode,
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    let buffer = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const p of parts.filter(Boolean)) {
        const line = JSON.parse(p) as Record<string, unknown>;
        lines.push(line);
        if (mode === 'write' && line['result'])
          resolve({ lines, exitCode: null, stderr, pid: child.pid ?? 0 });
      }
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ lines, exitCode, stderr, pid: child.pid ?? 0 }));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('EmbeddedPostgresServer', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexecute-embedded-'));
    await chmod(root, 0o755);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** The pid in postmaster.pid: the running PostgreSQL that holds `dataDir`. */
  function postmasterPid(dataDir: string): number {
    return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  function parentPid(pid: number): number {
    return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  }

  function childPids(pid: number): number[] {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  }

  async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return !isAlive(pid);
  }

  it('stops PostgreSQL when the process that started it is killed (kill -9), keeping every committed row', async () => {
    const dataDir = join(root, 'postgres');

    const writer = await runChild('write', dataDir);
    expect(writer.lines.find((l) => l['result'])).toBeDefined();
    expect(
      writer.lines.some((l) => String(l['msg']).startsWith('Initialised and started embedded PostgreSQL')),
    ).toBe(true);
    const credentials = join(root, 'postgres.credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    const server = postmasterPid(dataDir);
    expect(isAlive(server)).toBe(true);
    process.kill(writer.pid, 'SIGKILL');
    expect(await waitForExit(server, 10_000)).toBe(true); // its watchdog stopped it

    const reader = await runChild('read', dataDir);
    expect(reader.stderr).toBe('');
    expect(reader.exitCode).toBe(0);
    expect(reader.lines.some((l) => l['level'] === 'warn')).toBe(false); // nothing left behind
    expect(reader.lines.find((l) => l['result'])?.['result']).toMatchObject({
      notes: ['committed before the crash'],
    });
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false); // stopped cleanly
  });

  it('stops PostgreSQL when the process that started it crashes (an uncaught exception)', async () => {
    const dataDir = join(root, 'postgres');
    const crashed = await runChild('crash', dataDir);
    expect(crashed.exitCode).toBe(1);
    expect(crashed.stderr).toContain('an unhandled crash');
    const { postgresPid } = crashed.lines.find((l) => l['result'])?.['result'] as { postgresPid: number };
    expect(postgresPid).toBeGreaterThan(0);
    expect(await waitForExit(postgresPid, 10_000)).toBe(true); // its watchdog stopped it
  });

  it('stops a server orphaned with its watchdog at the next start, and finds every committed row', async () => {
    const dataDir = join(root, 'postgres');
    const writer = await runChild('write', dataDir);
    const orphan = postmasterPid(dataDir);
    // the watchdog first (the shell and its reader), so nothing stops the server
    const watchdog = parentPid(orphan);
    for (const pid of [...childPids(watchdog).filter((p) => p !== orphan), watchdog])
      process.kill(pid, 'SIGKILL');
    process.kill(writer.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(orphan)).toBe(true);

    const reader = await runChild('read', dataDir);
    expect(reader.stderr).toBe('');
    expect(reader.exitCode).toBe(0);
    expect(
      reader.lines.some((l) => l['level'] === 'warn' && String(l['msg']).includes(`pid ${orphan}`)),
    ).toBe(true);
    expect(reader.lines.find((l) => l['result'])?.['result']).toMatchObject({
      notes: ['committed before the crash'],
    });
    expect(isAlive(orphan)).toBe(false);

    const again = await runChild('read', dataDir);
    expect(again.exitCode).toBe(0);
    expect(again.lines.some((l) => l['level'] === 'warn')).toBe(false);
    expect(again.lines.some((l) => String(l['msg']).startsWith('Started embedded PostgreSQL'))).toBe(true);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('refuses a data folder that holds something other than a cluster, and leaves it alone', async () => {
    const dataDir = join(root, 'postgres');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'precious');
    await expect(EmbeddedPostgresServer.start({ dataDir, port: 0, database: 'x' })).rejects.toThrow(
      /not empty/,
    );
    expect(readFileSync(join(dataDir, 'notes.txt'), 'utf8')).toBe('precious');
  });

  it('explains a cluster whose credentials file is gone', async () => {
    const dataDir = join(root, 'postgres');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'PG_VERSION'), '18\n');
    await expect(EmbeddedPostgresServer.start({ dataDir, port: 0, database: 'x' })).rejects.toThrow(
      /postgres\.credentials\.json is missing/,
    );
  });
});
