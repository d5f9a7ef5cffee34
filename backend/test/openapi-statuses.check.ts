import { readObservedStatuses, type ObservedStatus } from './http-status-log';
import { startTestApp, type TestApp } from './test-app';

/**
 * Every status the integration specs saw an operation answer must be in the OpenAPI document
 * (`/api/docs-json`). Runs after the whole suite (jest.statuses.config.js, from `npm test`), so it
 * does not depend on Jest's file order. 500 is left out: the document states once that any
 * operation may fail unexpectedly. HEAD and OPTIONS are Fastify's and CORS's, not operations.
 */
const dir = (globalThis as Record<string, unknown>)['nexecuteStatusLogRead'] as string;

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

const openApiPath = (route: string): string => route.replace(/:(\w+)/g, '{$1}');

describe('the OpenAPI document lists every status the integration specs observed', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  const observed = readObservedStatuses(dir);

  beforeAll(async () => {
    // SSO configured, so its routes are in the document as in the specs that use them.
    t = await startTestApp({
      env: {
        SSO_PROVIDER: 'servicenow',
        SSO_BASE_URL: 'http://127.0.0.1:9',
        SSO_CLIENT_ID: 'check-client',
        SSO_CLIENT_SECRET: 'check-secret',
      },
    });
    doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(() => t.close());

  const operationOf = (o: ObservedStatus): string => `${o.method} ${openApiPath(o.route)}`;

  it('has observations of every documented operation (the specs ran and were recorded)', () => {
    const seen = new Set(observed.map(operationOf));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.filter((op) => !seen.has(op))).toEqual([]);
  });

  it('documents each observed (operation, status)', () => {
    const undocumented = new Map<string, Set<string>>();
    for (const o of observed) {
      const op = doc.paths[openApiPath(o.route)]?.[o.method.toLowerCase()];
      if (!op || o.status === 500) continue;
      if (op.responses[String(o.status)] !== undefined) continue;
      const key = `${operationOf(o)} answered ${o.status}`;
      undocumented.set(key, (undocumented.get(key) ?? new Set()).add(o.spec));
    }
    expect(
      [...undocumented].map(([key, specs]) => `${key} (seen in ${[...specs].sort().join(', ')})`).sort(),
    ).toEqual([]);
  });
});
