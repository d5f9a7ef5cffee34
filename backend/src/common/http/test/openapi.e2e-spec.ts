import { startTestApp, type TestApp } from '../../../../test/test-app';

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
    expect(doc.paths['/api/health/ready'].get.responses['503'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ProblemDetailsDto',
    );
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
