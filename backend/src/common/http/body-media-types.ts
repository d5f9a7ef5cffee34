import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RequestError, RequestErrorCode } from '../errors/request-errors';
import { STRUCTURED_JSON } from './json-body';
import { isUnderPrefix } from './url-path';

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `AcceptsFormBody()`; read before the body is parsed. */
    acceptsFormBody?: boolean;
  }
}

/**
 * Opts one route in to `application/x-www-form-urlencoded` bodies, for callers that cannot send
 * JSON (Slack's slash commands and interactions, an OAuth token endpoint). The raw bytes stay in
 * `req.rawBody` for signature checks. Such a route must authenticate its caller by signature or
 * secret, never by a cookie: forms are what other sites can make a browser send.
 *
 * It is Fastify route config (`@RouteConfig`), which holds one object per handler: a route that
 * needs more config must merge it into one `@RouteConfig({ acceptsFormBody: true, … })`.
 */
export const AcceptsFormBody = (): MethodDecorator => RouteConfig({ acceptsFormBody: true });

function mediaTypeOf(req: FastifyRequest): string | undefined {
  const header = req.headers['content-type'];
  return header === undefined ? undefined : (header.split(';')[0] ?? '').trim().toLowerCase();
}

function isJson(mediaType: string | undefined, header: string | undefined): boolean {
  return (
    mediaType === 'application/json' || (header !== undefined && STRUCTURED_JSON.test(header.toLowerCase()))
  );
}

function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The API takes JSON bodies only (`application/json`, `application/*+json`): an HTML form on
 * another site can post urlencoded, multipart or text/plain bodies without a CORS preflight,
 * which is how a login form once signed a victim's browser into an attacker's account. Any
 * other body under `prefix` is refused with 415 before it is parsed, unless its route says
 * `@AcceptsFormBody()` (and then only urlencoded forms are let through besides JSON).
 */
export function registerJsonOnlyBodies(app: NestFastifyApplication, prefix: string): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  fastify.addHook('preParsing', (req, _reply, payload, done) => {
    if (req.is404 || !hasBody(req) || !isUnderPrefix(req.url, prefix)) {
      done(null, payload);
      return;
    }
    const header = req.headers['content-type'];
    const mediaType = mediaTypeOf(req);
    const formAllowed = req.routeOptions.config.acceptsFormBody === true;
    if (isJson(mediaType, header) || (formAllowed && mediaType === FORM_MEDIA_TYPE)) {
      done(null, payload);
      return;
    }
    done(
      new RequestError(
        RequestErrorCode.UnsupportedMediaType,
        `Send the body as application/json${formAllowed ? ` or ${FORM_MEDIA_TYPE}` : ''}` +
          (mediaType ? `, not ${mediaType}` : ': the request names no Content-Type'),
      ),
      payload,
    );
  });
}
