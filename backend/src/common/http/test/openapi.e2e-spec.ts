import { signInAsAdmin } from '../../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../../test/test-app';

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { description: string; content?: Record<string, unknown> }>;
        requestBody?: { required?: boolean };
      }
    >
  >;
}

interface SchemaObject {
  properties?: Record<string, { example?: unknown; $ref?: string; items?: unknown }>;
}

describe('GET /api/docs and /api/docs-json', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('serves Swagger UI', async () => {
    const res = await t.http
      .get('/api/docs')
      .expect(200)
      .expect('content-type', /text\/html/);
    expect(res.text).toContain('swagger-ui');
    await t.http.get('/api/docs/swagger-ui-init.js').expect(200);
  });

  it('publishes an OpenAPI 3 document with the bearer scheme and the health routes', async () => {
    const res = await t.http.get('/api/docs-json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'Nexecute Connect API', version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health/live', '/api/health/ready']));
    expect(
      doc.paths['/api/health/ready'].get.responses['503'].content['application/problem+json'].schema.$ref,
    ).toBe('#/components/schemas/ProblemDetailsDto');
  });

  it('gives every error response the problem+json schema and names its codes', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    const errors = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, r]) => ({ at: `${method} ${path} ${status}`, ...r })),
      ),
    );
    expect(errors.length).toBeGreaterThan(100);
    for (const e of errors) {
      expect({ at: e.at, content: Object.keys(e.content ?? {}) }).toEqual({
        at: e.at,
        content: ['application/problem+json'],
      });
      expect({ at: e.at, codes: /[A-Z]+_[A-Z_]+/.test(e.description) }).toEqual({ at: e.at, codes: true });
    }
  });

  it('derives the statuses every route of its kind answers from its access rules and inputs', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    const statuses = (path: string, method: string): string[] =>
      Object.keys(doc.paths[path]?.[method]?.responses ?? {});
    expect(statuses('/api/incidents', 'post')).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '413', '415', '422', '503']),
    );
    expect(statuses('/api/auth/password', 'post')).toEqual([
      '204',
      '400',
      '401',
      '403',
      '413',
      '415',
      '422',
      '429',
      '503',
    ]);
    expect(doc.paths['/api/auth/password']?.post?.responses['403']?.description).toContain(
      'AUTH_CURRENT_PASSWORD_INCORRECT',
    );
    // A temporary password may be changed here, so that refusal does not apply.
    expect(doc.paths['/api/auth/password']?.post?.responses['403']?.description).not.toContain(
      'AUTH_PASSWORD_CHANGE_REQUIRED',
    );
    expect(statuses('/api/users/{id}', 'get')).toEqual(['200', '400', '401', '403', '404', '503']);
    expect(statuses('/api/incidents/{id}/hold', 'post')).toContain('409');
    expect(statuses('/api/health/live', 'get')).toEqual(['200']);
    // Public: its 401 is its own (bad credentials), not the guards'.
    expect(doc.paths['/api/auth/login']?.post?.responses['401']?.description).not.toContain(
      'AUTH_UNAUTHENTICATED',
    );
  });

  it('marks a body that requires nothing as optional, and such an operation accepts none', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    expect(doc.paths['/api/incidents/{id}/acknowledge']?.post?.requestBody?.required).toBe(false);
    expect(doc.paths['/api/incidents']?.post?.requestBody?.required).toBe(true);
    const admin = await signInAsAdmin(t);
    const created = await t.http
      .post('/api/incidents')
      .set('authorization', admin.bearer)
      .send({ title: 'Printer on fire', impact: 2, urgency: 2 })
      .expect(201);
    const acknowledged = await t.http
      .post(`/api/incidents/${created.body.id}/acknowledge`)
      .set('authorization', admin.bearer)
      .expect(200);
    expect(acknowledged.body).toMatchObject({ state: 'in_progress' });
  });

  it('gives every documented property an example', async () => {
    const res = await t.http.get('/api/docs-json').expect(200);
    const schemas = res.body.components.schemas as Record<string, SchemaObject>;
    expect(Object.keys(schemas).length).toBeGreaterThan(0);
    const missing = Object.entries(schemas).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, p]) => p.example === undefined && p.$ref === undefined && p.items === undefined)
        .map(([prop]) => `${name}.${prop}`),
    );
    expect(missing).toEqual([]);
  });
});
