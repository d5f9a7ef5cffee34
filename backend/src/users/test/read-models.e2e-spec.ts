import { givenUser, signIn, STRONG_PASSWORD, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { PasswordHasher } from '../password-hasher';
import { UserCredentials } from '../user-credentials.service';
import { UsersService } from '../users.service';

const passwordHashOf = async (t: TestApp, id: string): Promise<string | null> => {
  const [row] = await t.dataSource.query<{ password_hash: string | null }[]>(
    'SELECT password_hash FROM users WHERE id = $1',
    [id],
  );
  return row?.password_hash ?? null;
};

// What the users module hands other modules: read models, never the User entity.
describe('users read models', () => {
  let t: TestApp;
  let credentials: UserCredentials;
  let person: SignedIn;

  beforeAll(async () => {
    t = await startTestApp();
    credentials = t.app.get(UserCredentials);
    person = await givenUser(t, 'responder');
  });
  afterAll(() => t.close());

  describe('UserCredentials.verifyPassword', () => {
    it('answers the right password with the sign-in account and nothing more: no password hash', async () => {
      const account = await credentials.verifyPassword(person.user.email, STRONG_PASSWORD);
      expect(account).toEqual({
        id: person.user.id,
        email: person.user.email,
        name: person.user.name,
        role: 'responder',
        status: 'active',
        mustChangePassword: false,
        sessionsValidAfter: expect.any(Date) as unknown,
      });
    });

    it('answers null for a wrong password, an unknown email and an account without a password', async () => {
      expect(await credentials.verifyPassword(person.user.email, 'Not the password 99')).toBeNull();
      expect(await credentials.verifyPassword('nobody@test.nexecute', STRONG_PASSWORD)).toBeNull();
      const ssoOnly = await givenUser(t, 'viewer');
      await t.dataSource.query('UPDATE users SET password_hash = NULL WHERE id = $1', [ssoOnly.user.id]);
      expect(await credentials.verifyPassword(ssoOnly.user.email, STRONG_PASSWORD)).toBeNull();
    });
  });

  describe('UsersService.findById', () => {
    it('answers a Person: who someone is and whether they are active, nothing more', async () => {
      expect(await t.app.get(UsersService).findById(person.user.id)).toEqual({
        id: person.user.id,
        email: person.user.email,
        name: person.user.name,
        role: 'responder',
        status: 'active',
      });
      expect(await t.app.get(UsersService).findById('6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71')).toBeNull();
    });
  });

  describe('POST /api/auth/login', () => {
    it("upgrades a hash made at another cost to the current one with the owner's next sign-in", async () => {
      const someone = await givenUser(t, 'viewer');
      const older = await new PasswordHasher({ memoryKib: 2048, iterations: 2, parallelism: 1 }).hash(
        STRONG_PASSWORD,
      );
      await t.dataSource.query('UPDATE users SET password_hash = $2 WHERE id = $1', [someone.user.id, older]);

      await signIn(t, someone.user.email, STRONG_PASSWORD);

      // The test app's cost (test/test-app.ts): 1024 KiB, one pass.
      const upgraded = await passwordHashOf(t, someone.user.id);
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      await signIn(t, someone.user.email, STRONG_PASSWORD);
      expect(await passwordHashOf(t, someone.user.id)).toBe(upgraded);
    });
  });
});
