import { startTestApp, type TestApp } from '../../../../test/test-app';

describe('requests Node refuses before Fastify has them', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('answers a request line over 16 kB with a 431 problem, not Fastify JSON', async () => {
    const res = await t.http.get(`/api/health/live?q=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.text)).toMatchObject({
      status: 431,
      code: 'HTTP_431',
      title: 'Request Header Fields Too Large',
    });
  });
});
