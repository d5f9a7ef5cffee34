import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { AuthError, AuthErrorCode } from './auth.errors';

export const LOGIN_BY_IP = 'login-ip';
export const LOGIN_BY_ACCOUNT = 'login-account';

/** Counts sign-in attempts per client IP and per typed email (see AuthModule's throttlers). */
export function loginAccountTracker(req: Record<string, unknown>): string {
  const body = req['body'] as { email?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  return `account:${email}`;
}

/** Applied to the login route only: answers AUTH_RATE_LIMITED with Retry-After, as problem+json. */
@Injectable()
export class LoginThrottleGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfterSeconds = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    const scope = detail.tracker.startsWith('account:') ? 'for this account' : 'from this address';
    throw new AuthError(
      AuthErrorCode.RateLimited,
      `Too many sign-in attempts ${scope}; retry in ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
      },
    );
  }
}
