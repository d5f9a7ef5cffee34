import { randomUUID } from 'node:crypto';
import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

interface PeopleBody {
  items: Record<string, unknown>[];
}

describe('GET /api/people', () => {
  let t: TestApp;
  let responder: SignedIn;
  let admin: SignedIn;
  // A word only this run's people carry, so other specs' users never match.
  const tag = `p${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
    responder = await givenUser(t, 'responder', { name: `Zoe ${tag}` });
    await givenUser(t, 'viewer', { name: `Adam ${tag}` });
    await givenUser(t, 'admin', { name: `Mia ${tag}`, email: `mia-${tag}@test.nexecute` });
    const gone = await givenUser(t, 'responder', { name: `Bea ${tag}` });
    await t.http.post(`/api/users/${gone.user.id}/disable`).set('authorization', admin.bearer).expect(200);
  });
  afterAll(() => t.close());

  const search = (query: Record<string, string>, as: SignedIn = responder) =>
    t.http.get('/api/people').query(query).set('authorization', as.bearer);

  it('lets a responder find the active people by part of a name, sorted by name, with only who they are', async () => {
    const res = await search({ search: tag.toUpperCase() }).expect(200);
    const { items } = res.body as PeopleBody;
    expect(items.map((p) => p['name'])).toEqual([`Adam ${tag}`, `Mia ${tag}`, `Zoe ${tag}`]);
    for (const person of items) {
      expect(Object.keys(person).sort()).toEqual(['email', 'id', 'name']);
    }
    expect(items[2]).toEqual({ id: responder.user.id, name: `Zoe ${tag}`, email: responder.user.email });
  });

  it('matches email addresses too, and takes at most `limit` people', async () => {
    const byEmail = await search({ search: `mia-${tag}` }).expect(200);
    expect((byEmail.body as PeopleBody).items.map((p) => p['name'])).toEqual([`Mia ${tag}`]);

    const limited = await search({ search: tag, limit: '2' }, admin).expect(200);
    expect((limited.body as PeopleBody).items.map((p) => p['name'])).toEqual([`Adam ${tag}`, `Mia ${tag}`]);
  });

  it('refuses a limit out of range with 400', async () => {
    const res = await search({ limit: '101' }).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
