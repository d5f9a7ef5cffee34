import type { FastifyRequest } from 'fastify';

/** What the check reads of a request (Fastify's `protocol` and `host` honour TRUST_PROXY). */
export type OriginEvidence = Pick<FastifyRequest, 'headers' | 'protocol' | 'host'>;

function originOf(value: string): string | undefined {
  try {
    const { origin } = new URL(value);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined; // "null" (sandboxed frames, some redirects) and garbage are nobody's
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a browser sent a request on behalf of a page that is not ours: the defence against
 * cross-site request forgery for requests a cookie authenticates (or that set one). Browsers
 * send `Origin` on every POST and `Sec-Fetch-Site` on every request; a page cannot forge either.
 *
 * Ours: this request's own origin (scheme and Host as the client used them, so behind a proxy
 * only with TRUST_PROXY), PUBLIC_URL's origin and the CORS_ORIGINS allow-list. A request with
 * neither header is not a browser's (curl, another server) and is not cross-site.
 */
export class CrossSiteCheck {
  private readonly trusted: ReadonlySet<string>;

  constructor(trustedOrigins: readonly string[]) {
    this.trusted = new Set(trustedOrigins.map(originOf).filter((o): o is string => o !== undefined));
  }

  isCrossSite(req: OriginEvidence): boolean {
    const origin = single(req.headers.origin);
    if (origin !== undefined) return !this.isOurs(origin, req);
    // No Origin to judge: trust only the browser's own verdict. "same-site" is still another
    // origin (a sibling subdomain may host anyone's pages).
    const site = single(req.headers['sec-fetch-site']);
    return site === 'cross-site' || site === 'same-site';
  }

  private isOurs(origin: string, req: OriginEvidence): boolean {
    const claimed = originOf(origin);
    if (claimed === undefined) return false;
    return this.trusted.has(claimed) || claimed === originOf(`${req.protocol}://${req.host}`);
  }
}
