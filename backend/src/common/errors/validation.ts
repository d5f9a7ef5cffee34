import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldError } from './request-errors';

/** Constraints that say what type a value must have; when one fails, the others add nothing. */
const TYPE_CONSTRAINTS = [
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isDate',
  'isObject',
  'nestedValidation',
] as const;

/**
 * What to tell the client about one field: "is required" once when it is missing (not one
 * message per rule it would have had to meet), only the type when the type is wrong, else every
 * rule it breaks. Optional fields never fail when missing (`@IsOptional`), so a failure on a
 * missing value means the field is required.
 */
function messagesOf(error: ValidationError, field: string): string[] {
  const constraints = error.constraints ?? {};
  if (Object.keys(constraints).length === 0) return [];
  const undeclared = 'whitelistValidation' in constraints;
  if (!undeclared && (error.value === undefined || error.value === null)) return [`${field} is required`];
  const wrongType = TYPE_CONSTRAINTS.find((name) => name in constraints);
  if (wrongType) return [constraints[wrongType]!];
  return Object.values(constraints);
}

export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = messagesOf(e, field).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** The one ValidationPipe: unknown fields are rejected, payloads become DTO instances. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
  });
}
