import { parseTimestamp } from './timestamps';

/**
 * class-transformer `@Transform` functions shared by request DTOs: query strings arrive as text,
 * and free text arrives with stray whitespace. Each leaves other values alone so the validators
 * report them.
 */
type TransformInput = { readonly value: unknown };

export const trimmed = ({ value }: TransformInput): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** Decimal digits only: `1e3`, `0x10`, ` 12` and `12abc` stay text, so `@IsInt` names the field. */
const INTEGER_TEXT = /^[+-]?\d+$/;

export const toInteger = ({ value }: TransformInput): unknown =>
  typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;

/** A strict ISO 8601 date or date-time (see parseTimestamp); anything else stays text for `@IsDate`. */
export const toDate = ({ value }: TransformInput): unknown =>
  typeof value === 'string' ? (parseTimestamp(value.trim()) ?? value) : value;

/** `?state=a,b&state=c` → ['a', 'b', 'c']. */
export const toList = ({ value }: TransformInput): unknown => {
  const given: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  return given
    .flatMap((v): unknown[] => (typeof v === 'string' ? v.split(',') : [v]))
    .map((v): unknown => (typeof v === 'string' ? v.trim() : v))
    .filter((v) => v !== '');
};

export const toIntegerList = ({ value }: TransformInput): unknown => {
  const list = toList({ value });
  return Array.isArray(list) ? list.map((v): unknown => toInteger({ value: v })) : list;
};
