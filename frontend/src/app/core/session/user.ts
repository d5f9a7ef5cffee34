/** The three roles (docs/auth.md). Each route names the roles it admits; none outranks another in code. */
export const ROLES = ['admin', 'responder', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  responder: 'Responder',
  viewer: 'Viewer',
};

export type UserStatus = 'active' | 'disabled';

/** A person as the API shows them (`UserView` in docs/auth.md). */
export interface UserView {
  readonly kind: 'user';
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly status: UserStatus;
  readonly mustChangePassword: boolean;
  readonly lastLoginAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly ssoProviders: readonly string[];
}

/**
 * What `POST /api/auth/login` and `POST /api/auth/refresh` answer. The console asks for cookie
 * delivery, so `refreshToken` is absent: the refresh token lives only in the HttpOnly cookie.
 */
export interface TokenResponse {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly user: UserView;
  readonly refreshExpiresIn?: number;
}
