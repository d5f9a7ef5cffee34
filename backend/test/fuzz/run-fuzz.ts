/**
 * The fuzz suite: `npm run test:fuzz`. Reads the served OpenAPI document and sends hostile path,
 * query and body values to every operation as anonymous, viewer, responder, admin and an API key
 * holding every scope, against the real app on its own database clone. Per request it asserts:
 * no 5xx; every error is application/problem+json with a `code` (and its `status`); a refused
 * (4xx) request changed nothing (see ChangeJournal). After each operation the app must still be
 * ready. Prints the figures and writes reports/fuzz.json ({ passed, failed } per property).
 *
 * FUZZ_SEED (default 20261210) and FUZZ_RUNS (runs per property, default 20) make a run; each
 * failure is printed with the property and fast-check path that replay it:
 *   FUZZ_SEED=<seed> FUZZ_ONLY='<property>' FUZZ_PATH=<path> npm run test:fuzz
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { API_KEY_SCOPES, type Role } from '../../src/common/auth/roles';
import { repositoryRoot } from '../../src/config/repository-root';
import globalSetup from '../global-setup';
import globalTeardown from '../global-teardown';
import { givenUser, signIn, type SignedIn } from '../sign-in';
import { startTestApp, type TestApp } from '../test-app';
import { ChangeJournal, type JournalEntry } from './change-journal';
import { hostileRequests, vectorsOf, type FuzzRequest, type ValidIds, type Vector } from './hostile-requests';
import { operationsOf, type OpenApiDocument, type Operation } from './operations';
import { RawHttpClient, type RawResponse } from './raw-http';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261210);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 20);
const ONLY = process.env['FUZZ_ONLY'];
const PATH = process.env['FUZZ_PATH'];
const REPORT = process.env['FUZZ_REPORT'] ?? join(repositoryRoot(), 'reports', 'fuzz.json');
const REQUEST_TIMEOUT_MS = 15_000;

const PRINCIPALS = ['anonymous', 'viewer', 'responder', 'admin', 'apiKey'] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

interface Failure {
  readonly property: string;
  readonly seed: number;
  readonly path: string;
  readonly request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    labels: readonly string[];
  };
  readonly status: number | null;
  readonly code: string | null;
  readonly problems: readonly string[];
  readonly requestId: string | null;
  logged?: string;
}

/** A property's own seed: the run's seed mixed with its name, so adding an operation moves no other. */
function propertySeed(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash ^ SEED) >>> 0;
}

const excerpt = (text: string, max = 200): string =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

function describeChanges(changes: readonly JournalEntry[]): string {
  return changes.map((c) => `${c.operation} ${c.table}${c.rowId ? ` ${c.rowId}` : ''}`).join(', ');
}

/** What is wrong with one answer (empty: nothing). */
function problemsWith(
  res: RawResponse,
  changes: readonly JournalEntry[],
): { problems: string[]; code: string | null } {
  const problems: string[] = [];
  let code: string | null = null;
  if (res.status >= 500) problems.push(`answered ${res.status}`);
  if (res.status >= 400) {
    const type = res.headers['content-type'] ?? '';
    if (!type.startsWith('application/problem+json')) {
      problems.push(`error is ${type || 'untyped'}, not application/problem+json: ${excerpt(res.body, 120)}`);
    } else {
      try {
        const problem = JSON.parse(res.body) as { code?: unknown; status?: unknown };
        code = typeof problem.code === 'string' ? problem.code : null;
        if (!code) problems.push('problem without a code');
        if (problem.status !== res.status)
          problems.push(`problem status ${String(problem.status)} on a ${res.status}`);
      } catch {
        problems.push(`problem body is not JSON: ${excerpt(res.body, 120)}`);
      }
    }
    if (changes.length) problems.push(`refused, yet changed: ${describeChanges(changes)}`);
  }
  return { problems, code };
}

/** Fresh people and a key for one operation's batch, so what the batch does (log out, revoke, lock out) stays in it. */
async function freshPrincipals(
  t: TestApp,
): Promise<Record<PrincipalName, Record<string, string>> & { admin: Record<string, string> }> {
  const people = new Map<Role, SignedIn>();
  for (const role of ['viewer', 'responder', 'admin'] as const) people.set(role, await givenUser(t, role));
  const admin = people.get('admin')!;
  const key = await t.http
    .post('/api/api-keys')
    .set('authorization', admin.bearer)
    .send({ name: 'fuzz', scopes: [...API_KEY_SCOPES] })
    .expect(201);
  return {
    anonymous: {},
    viewer: { authorization: people.get('viewer')!.bearer },
    responder: { authorization: people.get('responder')!.bearer },
    admin: { authorization: admin.bearer },
    apiKey: { 'x-api-key': (key.body as { key: string }).key },
  };
}

/**
 * Things for the batch to aim at, none of them the fuzzer's own principals: two incidents, a
 * person, an API key, a second session of a spare person, the newest delivery.
 */
async function freshTargets(t: TestApp, adminBearer: string): Promise<ValidIds> {
  const incidents: string[] = [];
  for (const title of ['Fuzz target one', 'Fuzz target two']) {
    const res = await t.http
      .post('/api/incidents')
      .set('authorization', adminBearer)
      .send({ title, impact: 2, urgency: 2 })
      .expect(201);
    const body = res.body as { id: string; number: string };
    incidents.push(body.id, body.number);
  }
  const person = await givenUser(t, 'viewer');
  const spare = await signIn(t, person.user.email, person.password);
  const sessionId = (
    JSON.parse(Buffer.from(spare.accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }
  ).sid;
  const key = await t.http
    .post('/api/api-keys')
    .set('authorization', adminBearer)
    .send({ name: 'fuzz target', scopes: ['incidents:read'] })
    .expect(201);
  const deliveries = await t.dataSource.query<{ id: string }[]>(
    'SELECT id FROM deliveries ORDER BY created_at DESC LIMIT 1',
  );
  const byResource: Record<string, readonly string[]> = {
    incidents,
    users: [person.user.id],
    'api-keys': [(key.body as { apiKey: { id: string } }).apiKey.id],
    sessions: [sessionId],
    deliveries: deliveries.map((d) => d.id),
    sso: ['servicenow'],
  };
  return (template, param) => {
    if (param === 'provider') return byResource['sso'] ?? [];
    const segments = template.split('/');
    const resource = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
    return byResource[resource] ?? [];
  };
}

async function main(): Promise<number> {
  const started = Date.now();
  await globalSetup(undefined, { globals: {} });
  const t = await startTestApp({
    env: {
      SSO_PROVIDER: 'servicenow',
      SSO_BASE_URL: 'http://127.0.0.1:9',
      SSO_CLIENT_ID: 'fuzz-client',
      SSO_CLIENT_SECRET: 'fuzz-secret',
      LOGIN_RATE_LIMIT_PER_IP: '100000',
      // Accepted inbound events are processed in the background, and what that writes would be
      // blamed on whichever request is in flight: the fuzzer judges requests (the events specs
      // test processing), so events stay stored and queued here.
      DELIVERY_WORKER_ENABLED: 'false',
    },
  });
  const journal = await ChangeJournal.install(t.database.url);
  const client = new RawHttpClient(new URL(t.baseUrl.replace('[::1]', '127.0.0.1')), REQUEST_TIMEOUT_MS);
  const byStatus = new Map<string, number>();
  const failures: Failure[] = [];
  const results = { passed: 0, failed: 0 };
  let requests = 0;
  try {
    const doc = JSON.parse(
      (await client.send({ method: 'GET', path: '/api/docs-json', headers: {} })).body,
    ) as OpenApiDocument;
    const operations: Operation[] = operationsOf(doc);
    for (const op of operations) {
      const properties = PRINCIPALS.flatMap((p) =>
        vectorsOf(op).map((v) => [p, v] as [PrincipalName, Vector]),
      )
        .map(([principal, vector]) => ({ principal, vector, name: `${op.key} as ${principal} (${vector})` }))
        .filter((p) => !ONLY || p.name.includes(ONLY));
      if (properties.length === 0) continue;
      const principals = await freshPrincipals(t);
      const targets = await freshTargets(t, principals.admin['authorization'] ?? '');
      // The set-up just wrote rows: a journal that saw none would let every refused request pass.
      if ((await journal.changesSinceLastCall()).length === 0) {
        throw new Error('The change journal recorded none of the set-up; the no-change check would be blind');
      }
      for (const { principal, vector, name } of properties) {
        const seed = propertySeed(name);
        let run = PATH ? Number(PATH.split(':')[0]) : 0;
        const before = failures.length;
        await journal.changesSinceLastCall(); // the batch's own set-up is not the requests' doing
        await fc.check(
          fc.asyncProperty(hostileRequests(op, vector, targets), async (req: FuzzRequest) => {
            const path = String(run++);
            const headers = { ...principals[principal], ...req.headers };
            requests++;
            let res: RawResponse | undefined;
            let failure: string[];
            let code: string | null = null;
            try {
              res = await client.send({ method: req.method, path: req.path, headers, body: req.body });
              const cls = `${Math.floor(res.status / 100)}xx`;
              byStatus.set(String(res.status), (byStatus.get(String(res.status)) ?? 0) + 1);
              byStatus.set(cls, (byStatus.get(cls) ?? 0) + 1);
              ({ problems: failure, code } = problemsWith(res, await journal.changesSinceLastCall()));
            } catch (e) {
              byStatus.set('no answer', (byStatus.get('no answer') ?? 0) + 1);
              failure = [`no answer: ${(e as Error).message}`];
              await journal.changesSinceLastCall();
            }
            if (failure.length === 0) return;
            const requestId = res?.headers['x-request-id'];
            failures.push({
              property: name,
              seed,
              path,
              request: {
                method: req.method,
                path: excerpt(req.path),
                headers: Object.fromEntries(Object.entries(req.headers)),
                ...(req.body ? { body: excerpt(req.body.toString('utf8')) } : {}),
                labels: req.labels,
              },
              status: res?.status ?? null,
              code,
              problems: failure,
              requestId: typeof requestId === 'string' ? requestId : null,
            });
          }),
          // Every run is checked and every failure recorded (the predicate never fails the
          // property), so one family of failure does not hide the others behind it.
          { seed, ...(PATH ? { path: PATH, numRuns: 1 } : { numRuns: RUNS }) },
        );
        results[failures.length > before ? 'failed' : 'passed']++;
      }
      const ready = await client.send({ method: 'GET', path: '/api/health/ready', headers: {} });
      if (ready.status === 200) results.passed++;
      else {
        results.failed++;
        failures.push({
          property: `ready after ${op.key}`,
          seed: SEED,
          path: '',
          request: { method: 'GET', path: '/api/health/ready', headers: {}, labels: [] },
          status: ready.status,
          code: null,
          problems: [`not ready: ${excerpt(ready.body)}`],
          requestId: null,
        });
      }
    }
  } finally {
    client.close();
    await journal.close();
    const logs = t.logs();
    for (const f of failures) {
      const line = logs.find(
        (l) => l.requestId === f.requestId && l.level === 'error' && l.msg !== 'request completed',
      );
      if (line) f.logged = excerpt(String(line.msg ?? ''), 300);
    }
    await t.close();
    await globalTeardown();
  }

  const seconds = Math.round((Date.now() - started) / 100) / 10;
  // A family is what went wrong (status, code, the first problem's kind, the error the app
  // logged), whatever mix of hostile values carried it; `labels` counts the values seen with it.
  const families = new Map<
    string,
    { count: number; operations: Set<string>; labels: Map<string, number>; example: Failure }
  >();
  for (const f of failures) {
    const logged = (f.logged ?? '').replace(/^\S+ \S+ failed: /, '').replace(/[0-9a-f-]{36}|\d+/g, '…');
    const kind = (f.problems[0] ?? '').split(/[:,]/)[0] ?? '';
    const key = [f.status ?? 'no answer', f.code, kind, logged && `(${excerpt(logged, 80)})`]
      .filter(Boolean)
      .join(' ');
    const family = families.get(key) ?? {
      count: 0,
      operations: new Set<string>(),
      labels: new Map(),
      example: f,
    };
    family.count++;
    family.operations.add(f.property.split(' as ')[0] ?? f.property);
    for (const label of f.request.labels) {
      const general = label.replace(/^(\w+)\.[^:]*:/, '$1:');
      family.labels.set(general, (family.labels.get(general) ?? 0) + 1);
    }
    families.set(key, family);
  }
  const report = {
    seed: SEED,
    runsPerProperty: RUNS,
    durationSeconds: seconds,
    requests,
    byStatus: Object.fromEntries([...byStatus].sort()),
    passed: results.passed,
    failed: results.failed,
    families: [...families].map(([family, f]) => ({
      family,
      count: f.count,
      operations: [...f.operations],
      seenWith: Object.fromEntries([...f.labels].sort((a, b) => b[1] - a[1])),
      example: f.example,
      reproduce: `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_ONLY='${f.example.property}' FUZZ_PATH=${f.example.path} npm run test:fuzz`,
    })),
    failures,
  };
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);

  const classes = ['2xx', '3xx', '4xx', '5xx', 'no answer']
    .map((c) => `${c} ${byStatus.get(c) ?? 0}`)
    .join(', ');
  const out = [
    `fuzz: seed ${SEED}, ${RUNS} runs per property: ${requests} requests in ${seconds} s (${classes})`,
    `fuzz: ${failures.length} failing requests in ${families.size} families`,
    ...report.families.map(
      (f) =>
        `  ${f.family}: ${f.count} requests on ${f.operations.length} operations` +
        ` (seen with ${Object.keys(f.seenWith).slice(0, 4).join(', ')})\n` +
        `    e.g. ${f.example.request.method} ${excerpt(f.example.request.path, 120)}` +
        `${f.example.request.body ? ` body ${excerpt(f.example.request.body, 120)}` : ''}\n` +
        `    reproduce: ${f.reproduce}`,
    ),
    `fuzz: ${results.passed} properties passed, ${results.failed} failed (report: ${REPORT})`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return results.failed === 0 && requests > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz: could not run: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
