import { DomainError } from '../common/errors/domain-error';

export enum AuthErrorCode {
  Unauthenticated = 'AUTH_UNAUTHENTICATED',
  TokenExpired = 'AUTH_TOKEN_EXPIRED',
  TokenInvalid = 'AUTH_TOKEN_INVALID',
  ApiKeyInvalid = 'AUTH_API_KEY_INVALID',
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  UserDisabled = 'AUTH_USER_DISABLED',
  AccountLocked = 'AUTH_ACCOUNT_LOCKED',
  RateLimited = 'AUTH_RATE_LIMITED',
  RefreshInvalid = 'AUTH_REFRESH_INVALID',
  RefreshReused = 'AUTH_REFRESH_REUSED',
  PasswordChangeRequired = 'AUTH_PASSWORD_CHANGE_REQUIRED',
  CurrentPasswordIncorrect = 'AUTH_CURRENT_PASSWORD_INCORRECT',
  Forbidden = 'AUTH_FORBIDDEN',
  ScopeMissing = 'AUTH_SCOPE_MISSING',
  SessionNotFound = 'AUTH_SESSION_NOT_FOUND',
  ApiKeyNotFound = 'AUTH_API_KEY_NOT_FOUND',
  SsoProviderUnknown = 'AUTH_SSO_PROVIDER_UNKNOWN',
  CrossSiteRequest = 'AUTH_CROSS_SITE_REQUEST',
}

export const authErrorStatus = {
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.TokenExpired]: 401,
  [AuthErrorCode.TokenInvalid]: 401,
  [AuthErrorCode.ApiKeyInvalid]: 401,
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.UserDisabled]: 403,
  [AuthErrorCode.AccountLocked]: 429,
  [AuthErrorCode.RateLimited]: 429,
  [AuthErrorCode.RefreshInvalid]: 401,
  [AuthErrorCode.RefreshReused]: 401,
  [AuthErrorCode.PasswordChangeRequired]: 403,
  [AuthErrorCode.CurrentPasswordIncorrect]: 403,
  [AuthErrorCode.Forbidden]: 403,
  [AuthErrorCode.ScopeMissing]: 403,
  [AuthErrorCode.SessionNotFound]: 404,
  [AuthErrorCode.ApiKeyNotFound]: 404,
  [AuthErrorCode.SsoProviderUnknown]: 404,
  [AuthErrorCode.CrossSiteRequest]: 403,
} satisfies Record<AuthErrorCode, number>;

export class AuthError extends DomainError<AuthErrorCode> {
  get status(): number {
    return authErrorStatus[this.code];
  }
}
