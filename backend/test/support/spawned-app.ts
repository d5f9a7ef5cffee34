// The real app (backend/src/main.ts) as a child process in a process group of its own, the way a
// terminal runs it, so a test can send a Ctrl-C to the whole group, kill -9 it, or watch it fail.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../../src/config/repository-root';
import { CONSOLE_FIXTURE, TEST_ADMIN, type LogRecord } from '../test-app';

const REGISTER_TYPESCRIPT = join(__dirname, 'register-typescript.cjs');
const MAIN = join(repositoryRoot(), 'backend/src/main.ts');

export interface SpawnedAppOptions {
  /** The embedded PostgreSQL's data folder (EMBEDDED_POSTGRES_DIR). */
  readonly dataDir: string;
  readonly port: number;
  /** `node` runs main.ts directly; `npm` puts npm and a shell in between, as `npm start` does. */
  readonly via?: 'node' | 'npm';
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedApp {
  readonly baseUrl: string;
  /** The process group the app (and npm, when used) runs in; the test created it. */
  readonly pgid: number;
  /** The process running main(): the spawned node, or the node below npm. */
  appPid(): number;
  /** Settles when the process the test spawned (node, or npm) exits. */
  readonly exited: Promise<ExitStatus>;
  /** Everything written to stdout and stderr. */
  output(): string;
  /** The JSON log lines, parsed. */
  logs(): LogRecord[];
  /** SIGKILL to whatever of it still runs, for clean-up after a failed test. */
  killRemains(): void;
}

/** Settings for a quick, self-contained app: embedded PostgreSQL, fixed secrets, cheap hashing. */
function childEnv(options: SpawnedAppOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    EMBEDDED_POSTGRES_DIR: options.dataDir,
    CONSOLE_DIR: CONSOLE_FIXTURE,
    JWT_SECRET: 'spawned-app-jwt-secret-0123456789abcdefghijklmnop',
    ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 9).toString('base64')}`,
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    PASSWORD_HASH_MEMORY_KIB: '1024',
    PASSWORD_HASH_ITERATIONS: '1',
    ...options.env,
  };
  delete env['DATABASE_URL']; // the test runner's server; the app under test brings its own
  return env;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts the app in a new session (so a new process group), without waiting for it to be ready. */
export function spawnApp(options: SpawnedAppOptions): SpawnedApp {
  const node = `${process.execPath} -r ${REGISTER_TYPESCRIPT} ${MAIN}`;
  const child: ChildProcess =
    options.via === 'npm'
      ? spawn('npm', ['exec', '--call', node], {
          cwd: repositoryRoot(),
          env: childEnv(options),
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, ['-r', REGISTER_TYPESCRIPT, MAIN], {
          cwd: repositoryRoot(),
          env: childEnv(options),
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid ?? 0;
  let appPid: number | undefined = options.via === 'npm' ? undefined : pid;
  return {
    baseUrl: `http://127.0.0.1:${options.port}`,
    pgid: pid,
    exited,
    output: () => output,
    logs: () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogRecord),
    killRemains() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-pid, 'SIGKILL');
      else if (appPid !== undefined && isAlive(appPid) && cmdline(appPid).includes(MAIN))
        process.kill(appPid, 'SIGKILL');
    },
    appPid() {
      if (appPid === undefined) {
        // npm -> sh -> node: the node that runs main.ts
        const below = (p: number): number[] => childPids(p).flatMap((c) => [c, ...below(c)]);
        appPid = below(pid).find((p) => cmdline(p).includes(MAIN) && !cmdline(p).startsWith('sh'));
        if (appPid === undefined) throw new Error(`no app process below npm (pid ${pid})`);
      }
      return appPid;
    },
  };
}

/** Polls the readiness check until it answers 200; fails at once if the app exits. */
export async function waitUntilReady(app: SpawnedApp, timeoutMs = 90_000): Promise<void> {
  let exit: ExitStatus | undefined;
  void app.exited.then((s) => (exit = s));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) throw new Error(`the app exited during start-up (${JSON.stringify(exit)}):\n${app.output()}`);
    try {
      const res = await fetch(`${app.baseUrl}/api/health/ready`, { signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String((e as { cause?: { code?: string } }).cause?.code ?? e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${app.baseUrl} was not ready within ${timeoutMs} ms (last: ${last}):\n${app.output()}`);
}

/** Signs in as the bootstrap admin; returns the access token. */
export async function signInAsAdmin(app: SpawnedApp): Promise<string> {
  const res = await fetch(`${app.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }),
  });
  const body = (await res.json()) as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken) throw new Error(`sign-in failed: ${res.status}`);
  return body.accessToken;
}

/** The pid of the PostgreSQL that holds `dataDir`, from its postmaster.pid (undefined if none). */
export function postgresPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Fast-stops a PostgreSQL still holding `dataDir` (one a failed test left), if it is really it. */
export function stopLeftoverPostgres(dataDir: string): void {
  const pid = postgresPid(dataDir);
  if (pid && isAlive(pid) && cmdline(pid).includes(dataDir)) process.kill(pid, 'SIGINT');
}
