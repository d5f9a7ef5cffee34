import type { IncomingHttpHeaders } from 'node:http';

/** The credential in `Authorization: Bearer <value>` (a JWT or an API key), if there is one. */
export function bearerTokenOf(req: { readonly headers: IncomingHttpHeaders }): string | undefined {
  return req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
}
