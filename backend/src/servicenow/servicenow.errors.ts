import { DomainError } from '../common/errors/domain-error';

export enum ServiceNowErrorCode {
  /** The connection is set by SERVICENOW_* variables; the console and API only read it. */
  ManagedByEnvironment = 'INTEGRATION_MANAGED_BY_ENVIRONMENT',
  /** A setting the connection needs is missing (e.g. no client secret for a new connection). */
  SettingsIncomplete = 'SERVICENOW_SETTINGS_INCOMPLETE',
}

export const serviceNowErrorStatus = {
  [ServiceNowErrorCode.ManagedByEnvironment]: 409,
  [ServiceNowErrorCode.SettingsIncomplete]: 422,
} satisfies Record<ServiceNowErrorCode, number>;

export class ServiceNowError extends DomainError<ServiceNowErrorCode> {
  get status(): number {
    return serviceNowErrorStatus[this.code];
  }
}

/**
 * What a call to the instance failed with, and whether trying again can help:
 * - `permanent`: the instance refused this request (400, 403 ACL/data policy, 404, 405, 415):
 *   the same request fails the same way, so the outbox marks it failed rather than retrying forever.
 * - `transient`: 429, 5xx, a timeout, the network, or the circuit breaker open: retry later.
 * - `auth`: the token endpoint refused our credentials (and re-running the grant did not help).
 * - `not_configured`: no connection, or it is switched off.
 */
export type ServiceNowCallErrorKind = 'permanent' | 'transient' | 'auth' | 'not_configured';

export interface ServiceNowCallErrorInit {
  readonly kind: ServiceNowCallErrorKind;
  /** The HTTP status the instance answered; null for timeouts, network errors, an open circuit. */
  readonly status?: number | null;
  /** The instance's own words: `error.message` (+ `detail`) of the Table API, `error_description` of OAuth. */
  readonly instanceMessage?: string | null;
  /** Which call: `incident.update`, `token`, … */
  readonly operation: string;
  /** Seconds the instance asked us to wait (Retry-After, or X-RateLimit-Reset − now). */
  readonly retryAfterSeconds?: number | null;
  /** Why, in our words, when the instance said nothing (timeout, network, circuit open). */
  readonly reason?: string;
  readonly failure?: ServiceNowFailureCause;
}

/** Why a transient failure happened when the instance gave no status. */
export type ServiceNowFailureCause = 'timeout' | 'network' | 'circuit_open';

/**
 * A failed call to ServiceNow. A plain Error rather than a DomainError: its `status` is the
 * instance's, not ours, and sync code handles it (the outbox retries or fails the delivery);
 * the connection API reports it inside its own answers.
 */
export class ServiceNowCallError extends Error {
  readonly kind: ServiceNowCallErrorKind;
  readonly status: number | null;
  readonly instanceMessage: string | null;
  readonly operation: string;
  readonly retryAfterSeconds: number | null;
  readonly failure: ServiceNowFailureCause | null;

  constructor(init: ServiceNowCallErrorInit) {
    const words = init.instanceMessage ?? init.reason ?? 'no detail';
    const status = init.status === null || init.status === undefined ? '' : ` ${init.status}`;
    super(`ServiceNow ${init.operation}${status}: ${words}`);
    this.name = 'ServiceNowCallError';
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.instanceMessage = init.instanceMessage ?? null;
    this.operation = init.operation;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.failure = init.failure ?? null;
  }

  /** Worth another attempt within this call (an open circuit is not: it fails fast). */
  get retryable(): boolean {
    return this.kind === 'transient' && this.failure !== 'circuit_open';
  }
}
