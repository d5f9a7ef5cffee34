import { DomainError } from '../errors/domain-error';

export enum DatabaseErrorCode {
  Unavailable = 'DATABASE_UNAVAILABLE',
}

export const databaseErrorStatus = {
  [DatabaseErrorCode.Unavailable]: 503,
} satisfies Record<DatabaseErrorCode, number>;

/** Clients should come back after this long; the availability check runs far more often. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The database cannot serve this request right now (unreachable, shutting down, saturated). Not
 * the caller's fault and not a bug: 503 with Retry-After, so a console keeps its session and a
 * producer retries, instead of a 401 that signs people out or a 500 that pages someone.
 */
export class DatabaseUnavailableError extends DomainError<DatabaseErrorCode> {
  /** `message` replaces the default when a write may have happened (an answer cut short by a deadline). */
  constructor(reason: string, message?: string) {
    super(
      DatabaseErrorCode.Unavailable,
      message ?? `The database is unavailable (${reason}); nothing was changed. Retry shortly`,
      { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
    );
  }

  get status(): number {
    return databaseErrorStatus[this.code];
  }
}
