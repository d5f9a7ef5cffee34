/**
 * Whether a request URL (query included) is `prefix` itself or below it: `/api` and `/api/x`,
 * not `/apiary`. The one test for "this request is the API's" that every hook shares.
 */
export function isUnderPrefix(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url.charCodeAt(prefix.length);
  // end of string, '/', or '?' (the query)
  return Number.isNaN(next) || next === 0x2f || next === 0x3f;
}
