import { ApiSchema, enumValues } from '../api/api-schema';

/** A person as the API shows them (`UserView` in docs/auth.md). */
export type UserView = ApiSchema<'UserView'>;
/** The three roles (docs/auth.md). Each route names the roles it admits; none outranks another in code. */
export type Role = UserView['role'];
export type UserStatus = UserView['status'];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  responder: 'Responder',
  viewer: 'Viewer',
};
export const ROLES = enumValues(ROLE_LABELS);

/**
 * What `POST /api/auth/login` and `POST /api/auth/refresh` answer. The console asks for cookie
 * delivery, so `refreshToken` is absent: the refresh token lives only in the HttpOnly cookie.
 */
export type TokenResponse = ApiSchema<'TokenView'>;
