/** What a redacted query value is replaced with (the same word the logger's own redaction uses). */
export const REDACTED = '[REDACTED]';

/**
 * Query parameter names whose values are credentials or one-time grants, compared after
 * lower-casing and dropping `-`, `_` and `.` (so `access_token`, `accessToken` and
 * `Access-Token` are one name). OAuth's `code` and `state` are here: an authorization code
 * logged before it is exchanged could be replayed.
 */
const SENSITIVE_NAMES: ReadonlySet<string> = new Set([
  'code',
  'state',
  'codeverifier',
  'key',
  'sig',
  'signature',
  'auth',
  'authorization',
  'jwt',
  'otp',
  'pass',
  'passwd',
  'pwd',
]);
/** Any name ending in one of these: `token`, `refresh_token`, `client_secret`, `x-api-key`… */
const SENSITIVE_SUFFIXES: readonly string[] = ['token', 'secret', 'password', 'apikey', 'accesskey'];

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function isSensitive(rawName: string): boolean {
  const name = decodedName(rawName)
    .toLowerCase()
    .replace(/[-_.\s]/g, '');
  return SENSITIVE_NAMES.has(name) || SENSITIVE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/**
 * The URL (a path with its query, as a request line carries it) with the values of credential
 * parameters replaced by `[REDACTED]`, names kept, so a log line still says what was sent.
 * Works on the raw text, without re-encoding anything else.
 */
export function redactQueryString(url: string): string {
  const start = url.indexOf('?');
  if (start < 0 || start === url.length - 1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals <= 0 || equals === pair.length - 1) return pair;
      const name = pair.slice(0, equals);
      return isSensitive(name) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}
