/*
 * STAND-IN (helper H3, issue 13): the contract's ServiceNowCallError, so the sync compiles and
 * runs before H2's client lands. H2's servicenow.errors.ts replaces this file at merge; nothing
 * of the sync lives here.
 */

export type ServiceNowCallErrorKind = 'permanent' | 'transient' | 'auth' | 'not_configured';

/** A Table API or token call that failed, classified for the caller. */
export class ServiceNowCallError extends Error {
  constructor(
    /** 400/403/404/405/415 permanent; 429/5xx/timeout/network transient; token refusal auth. */
    readonly kind: ServiceNowCallErrorKind,
    readonly status: number | null,
    /** ServiceNow's own error.message / error.detail, when it sent its envelope. */
    readonly instanceMessage: string | null,
    message?: string,
  ) {
    super(
      message ??
        `ServiceNow call failed (${kind}${status === null ? '' : `, ${status}`})${instanceMessage ? `: ${instanceMessage}` : ''}`,
    );
    this.name = 'ServiceNowCallError';
  }
}
