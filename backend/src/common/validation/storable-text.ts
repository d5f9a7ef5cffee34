import type { FieldError } from '../errors/request-errors';

/**
 * Text PostgreSQL cannot store. A `text` column refuses U+0000 and a `jsonb` value refuses an
 * unpaired UTF-16 surrogate (`\ud800` alone), each with an error that used to answer 500; the
 * pg driver also silently turns an unpaired surrogate into U+FFFD in `text`. Requests carrying
 * either are refused up front, wherever the string is (query, path, body, a key or a value).
 */
const NUL = '\u0000';
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored, phrased after the field's name; null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes(NUL)) return 'must not contain NUL characters (\\u0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

function fieldName(parent: string, key: string): string {
  // JSON.stringify writes a NUL or a lone surrogate in a key as an escape, never raw.
  const shown = unstorableReason(key) ? JSON.stringify(key).slice(1, -1) : key;
  return parent ? `${parent}.${shown}` : shown;
}

/** Whether any string in `value`, key or value, is unstorable; allocates nothing on the way. */
function containsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return unstorableReason(value) !== null;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(containsUnstorableText);
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (unstorableReason(key) || containsUnstorableText((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function firstUnstorableText(value: unknown, parent: string): FieldError | null {
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    const field = parent || 'body';
    return reason ? { field, message: `${field} ${reason}` } : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item: unknown, i) => [String(i), item])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const field = fieldName(parent, key);
    const keyReason = unstorableReason(key);
    if (keyReason) return { field, message: `the name of ${field} ${keyReason}` };
    const found = firstUnstorableText(item, field);
    if (found) return found;
  }
  return null;
}

/**
 * The first unstorable string in a parsed request part (a query object, path params, a body),
 * named by its dotted path (`assignee.email`, `ids.0`); null when there is none, found without
 * building a single path. Bodies reach this only after the nesting limit is enforced, so the
 * recursion is bounded.
 */
export function findUnstorableText(value: unknown): FieldError | null {
  return containsUnstorableText(value) ? firstUnstorableText(value, '') : null;
}
