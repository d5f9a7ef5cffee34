/**
 * class-transformer `@Transform` functions shared by request DTOs: query strings arrive as text,
 * and free text arrives with stray whitespace. Each leaves other values alone so the validators
 * report them.
 */
type TransformInput = { readonly value: unknown };

export const trimmed = ({ value }: TransformInput): unknown =>
  typeof value === 'string' ? value.trim() : value;

export const toNumber = ({ value }: TransformInput): unknown =>
  typeof value === 'string' ? Number(value) : value;

export const toDate = ({ value }: TransformInput): unknown =>
  typeof value === 'string' && value.trim() !== '' ? new Date(value) : value;

/** `?state=a,b&state=c` → ['a', 'b', 'c']. */
export const toList = ({ value }: TransformInput): unknown => {
  const given: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  return given
    .flatMap((v): unknown[] => (typeof v === 'string' ? v.split(',') : [v]))
    .map((v): unknown => (typeof v === 'string' ? v.trim() : v))
    .filter((v) => v !== '');
};

export const toNumberList = ({ value }: TransformInput): unknown => {
  const list = toList({ value });
  return Array.isArray(list) ? list.map((v): unknown => (typeof v === 'string' ? Number(v) : v)) : list;
};
