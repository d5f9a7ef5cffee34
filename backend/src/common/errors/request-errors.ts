import { DomainError } from './domain-error';

/** Errors about the request itself, shared by every module. */
export enum RequestErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Malformed = 'REQUEST_MALFORMED',
  Unauthorized = 'UNAUTHORIZED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  NotAcceptable = 'NOT_ACCEPTABLE',
  Conflict = 'CONFLICT',
  Gone = 'GONE',
  PreconditionFailed = 'PRECONDITION_FAILED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unprocessable = 'UNPROCESSABLE',
  RateLimited = 'RATE_LIMITED',
  Internal = 'INTERNAL_ERROR',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Timeout = 'GATEWAY_TIMEOUT',
  UriTooLong = 'URI_TOO_LONG',
}

export const requestErrorStatus = {
  [RequestErrorCode.ValidationFailed]: 400,
  [RequestErrorCode.Malformed]: 400,
  [RequestErrorCode.Unauthorized]: 401,
  [RequestErrorCode.Forbidden]: 403,
  [RequestErrorCode.NotFound]: 404,
  [RequestErrorCode.MethodNotAllowed]: 405,
  [RequestErrorCode.NotAcceptable]: 406,
  [RequestErrorCode.Conflict]: 409,
  [RequestErrorCode.Gone]: 410,
  [RequestErrorCode.PreconditionFailed]: 412,
  [RequestErrorCode.PayloadTooLarge]: 413,
  [RequestErrorCode.UnsupportedMediaType]: 415,
  [RequestErrorCode.Unprocessable]: 422,
  [RequestErrorCode.RateLimited]: 429,
  [RequestErrorCode.Internal]: 500,
  [RequestErrorCode.ServiceUnavailable]: 503,
  [RequestErrorCode.Timeout]: 504,
  [RequestErrorCode.UriTooLong]: 414,
} satisfies Record<RequestErrorCode, number>;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `assignee.email`. */
  readonly field: string;
  readonly message: string;
}

export class RequestError extends DomainError<RequestErrorCode> {
  get status(): number {
    return requestErrorStatus[this.code];
  }
}

/** Thrown by the global ValidationPipe; carries one entry per failed constraint. */
export class RequestValidationError extends RequestError {
  /** The list travels as the problem's `errors` member (an extension), not as separate state. */
  constructor(errors: readonly FieldError[]) {
    super(
      RequestErrorCode.ValidationFailed,
      errors.length === 1
        ? `${errors[0]?.field}: ${errors[0]?.message}`
        : `${errors.length} fields are invalid`,
      { errors },
    );
  }
}
