/**
 * The `returnUrl` to follow after signing in, or `null` when it is not a path on this console.
 * Only a same-origin relative path qualifies: it starts with exactly one `/`. `//host/x` and
 * `/\host/x` are protocol-relative to a browser (an open redirect), control characters can hide
 * either, and the login page itself would be a loop.
 */
export function safeReturnUrl(value: string | null | undefined): string | null {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return null;
  }
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    return null;
  }
  if (value === '/login' || value.startsWith('/login?') || value.startsWith('/login/')) {
    return null;
  }
  return value;
}
