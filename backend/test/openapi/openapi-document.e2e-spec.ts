import { startTestApp, type TestApp } from '../test-app';
import { DOCUMENT_ENV, openApiDocument } from './openapi-document';

// `npm run api:types` generates the console's types from the document built without a database;
// it must be the very document the running app serves.
describe('the OpenAPI document built for the console types', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: DOCUMENT_ENV });
  });
  afterAll(() => t.close());

  it('is the document the app serves at /api/docs-json', async () => {
    const served = (await t.http.get('/api/docs-json').expect(200)).body as Record<string, unknown>;
    expect(await openApiDocument()).toEqual(served);
  });
});
