import { randomUUID } from 'node:crypto';
import type { Role } from '../src/common/auth/roles';
import { SYSTEM_CONTEXT } from '../src/audit/audit-log.service';
import type { UserView } from '../src/users/dto/user.view';
import { UsersService } from '../src/users/users.service';
import { TEST_ADMIN, type TestApp } from './test-app';

export const STRONG_PASSWORD = 'Granite lantern orbit 73';

export interface SignedIn {
  readonly user: UserView;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** `Authorization` header value for supertest's `.set()`. */
  readonly bearer: string;
  readonly password: string;
}

/** Signs in through the real login endpoint (tokens in the body, as an API client would). */
export async function signIn(t: TestApp, email: string, password: string): Promise<SignedIn> {
  const res = await t.http.post('/api/auth/login').send({ email, password });
  if (res.status !== 200)
    throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { user: UserView; accessToken: string; refreshToken: string };
  return { ...body, bearer: `Bearer ${body.accessToken}`, password };
}

export function signInAsAdmin(t: TestApp): Promise<SignedIn> {
  return signIn(t, TEST_ADMIN.email, TEST_ADMIN.password);
}

/** A fresh person with `role` (unique email per call), created through UsersService, signed in. */
export async function givenUser(
  t: TestApp,
  role: Role,
  overrides: { email?: string; name?: string; password?: string } = {},
): Promise<SignedIn> {
  const email = overrides.email ?? `${role}-${randomUUID().slice(0, 8)}@test.nexecute`;
  const password = overrides.password ?? STRONG_PASSWORD;
  await t.app
    .get(UsersService)
    .create({ email, name: overrides.name ?? `Test ${role}`, role, password }, SYSTEM_CONTEXT);
  return signIn(t, email, password);
}
