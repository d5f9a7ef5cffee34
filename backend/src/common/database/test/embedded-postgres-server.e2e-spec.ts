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
function runChild(mode: 'write' | 'read', dataDir: string): Promise<ChildRun & { pid: number }> {
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

  it('keeps data across a crash: stops the orphaned server, restarts, and finds every committed row', async () => {
    const dataDir = join(root, 'postgres');

    const writer = await runChild('write', dataDir);
    expect(writer.lines.find((l) => l['result'])).toBeDefined();
    expect(
      writer.lines.some((l) => String(l['msg']).startsWith('Initialised and started embedded PostgreSQL')),
    ).toBe(true);
    const credentials = join(root, 'postgres.credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    process.kill(writer.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const orphan = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(isAlive(orphan)).toBe(true); // the crash left PostgreSQL running

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
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false); // stopped cleanly
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
