/**
 * Base of every module's error. A module declares a code enum and a status table checked with
 * `satisfies Record<Code, number>`, so adding a code without an HTTP status fails to compile.
 */
export abstract class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    readonly detail: string,
    /** Extra RFC 9457 members, e.g. which health checks failed. */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  abstract get status(): number;
}

/** `instanceof` on the generic class yields DomainError<any>; this keeps the code a string. */
export function isDomainError(error: unknown): error is DomainError<string> {
  return error instanceof DomainError;
}
