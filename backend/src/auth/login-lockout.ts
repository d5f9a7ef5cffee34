import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuthError, AuthErrorCode } from './auth.errors';

export interface FailureOutcome {
  readonly failures: number;
  /** Set when this failure crossed the threshold and locked the account. */
  readonly lockedForSeconds: number | null;
}

/**
 * Lock-out after repeated failures, with exponential back-off (base, 2×base, 4×base … up to the
 * maximum). Counted per typed email in PostgreSQL, so it holds across replicas and treats
 * unknown emails exactly like known ones.
 */
@Injectable()
export class LoginLockout {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async assertNotLocked(email: string): Promise<void> {
    const rows: { seconds: number }[] = await this.db.query(
      `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS seconds
         FROM login_failures WHERE email = $1 AND locked_until > now()`,
      [email],
    );
    const seconds = rows[0]?.seconds;
    if (seconds !== undefined) {
      throw new AuthError(
        AuthErrorCode.AccountLocked,
        `Too many failed sign-ins; try again in ${seconds} s`,
        { retryAfterSeconds: Math.max(1, seconds) },
      );
    }
  }

  async recordFailure(email: string): Promise<FailureOutcome> {
    const { maxFailures, lockoutSeconds, lockoutMaxSeconds } = this.config.auth.login;
    // A quiet spell as long as the longest lock-out forgives earlier failures.
    const rows: { failures: number; locked_for: number | null }[] = await this.db.query(
      `INSERT INTO login_failures AS f (email, failures, last_failure_at) VALUES ($1, 1, now())
       ON CONFLICT (email) DO UPDATE SET
         failures = CASE WHEN f.last_failure_at < now() - make_interval(secs => $4) THEN 1 ELSE f.failures + 1 END,
         last_failure_at = now()
       RETURNING failures,
         CASE WHEN failures >= $2 THEN least($3 * power(2, failures - $2), $4)::int END AS locked_for`,
      [email, maxFailures, lockoutSeconds, lockoutMaxSeconds],
    );
    const row = rows[0];
    if (!row) throw new Error('login_failures upsert returned no row');
    if (row.locked_for !== null) {
      await this.db.query(
        `UPDATE login_failures SET locked_until = now() + make_interval(secs => $2) WHERE email = $1`,
        [email, row.locked_for],
      );
    }
    return { failures: row.failures, lockedForSeconds: row.locked_for };
  }

  async clear(email: string): Promise<void> {
    await this.db.query(`DELETE FROM login_failures WHERE email = $1`, [email]);
  }
}
