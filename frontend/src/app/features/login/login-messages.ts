import { Problem } from '../../core/problem';

/** `?error=` reasons the SSO callback redirects with (docs/auth.md), in words. */
export const SSO_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  sso_denied: 'Single sign-on was cancelled: the sign-in provider did not grant access.',
  sso_state_invalid:
    'Single sign-on could not be verified (the sign-in attempt expired or was started in another browser). Please try again.',
  sso_user_disabled: 'Your account is disabled. Ask an administrator to enable it.',
  sso_no_account: 'There is no console account for you yet. Ask an administrator to invite you.',
  sso_failed: 'Single sign-on failed. Please try again, or sign in with your email and password.',
};

/** The sentence the login form shows for a failed sign-in, by problem `code`. */
export function loginFailureMessage(problem: Problem): string {
  switch (problem.code) {
    case 'AUTH_INVALID_CREDENTIALS':
      return 'The email or password is incorrect.';
    case 'AUTH_ACCOUNT_LOCKED':
      return `This account is locked after too many failed sign-in attempts. Try again ${waitFor(problem.retryAfterSeconds)}.`;
    case 'AUTH_RATE_LIMITED':
      return `Too many sign-in attempts. Try again ${waitFor(problem.retryAfterSeconds)}.`;
    case 'AUTH_USER_DISABLED':
      return 'This account is disabled. Ask an administrator to enable it.';
    case 'NETWORK_UNREACHABLE':
      return 'The console could not reach the server. Check your connection and try again.';
    default:
      return problem.detail || problem.title || 'Signing in failed. Please try again.';
  }
}

/** "in 45 seconds", "in 15 minutes", or "later" when the API gave no time. */
export function waitFor(seconds: number | undefined): string {
  if (seconds === undefined) {
    return 'later';
  }
  if (seconds < 60) {
    return seconds === 1 ? 'in 1 second' : `in ${seconds} seconds`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? 'in 1 minute' : `in ${minutes} minutes`;
}
