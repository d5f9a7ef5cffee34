import type { FastifyInstance } from 'fastify';
import { RequestValidationError } from '../errors/request-errors';
import { findUnstorableText } from '../validation/storable-text';
import { isCheckedJsonBody } from './json-body';
import { isUnderPrefix } from './url-path';

/**
 * Query keys that class-transformer drops silently instead of letting the whitelist refuse them
 * (a JSON body with `__proto__` is already refused by the parser); refused like any undeclared
 * field, so no handler that reads the raw query object ever sees them.
 */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Refuses, for every API route at once, path parameters and query values PostgreSQL could not
 * store (NUL, unpaired surrogates, including percent-encoded `%00`), which used to reach SQL and
 * answer 500, and so are other parsed bodies (a form). JSON bodies are checked while they are
 * parsed (json-body.ts), without walking them again here. Runs after routing
 * and parsing, before guards: like a malformed body, it is about the request's text, not who
 * sent it.
 */
export function registerStorableTextCheck(fastify: FastifyInstance, prefix: string): void {
  fastify.addHook('preValidation', (req, _reply, done) => {
    if (!isUnderPrefix(req.url, prefix)) {
      done();
      return;
    }
    const query = req.query as Record<string, unknown> | undefined;
    const prototypeKey = query ? PROTOTYPE_KEYS.find((key) => Object.hasOwn(query, key)) : undefined;
    const problem = prototypeKey
      ? { field: prototypeKey, message: `property ${prototypeKey} should not exist` }
      : (findUnstorableText(req.params) ??
        findUnstorableText(query) ??
        (isCheckedJsonBody(req) ? null : findUnstorableText(req.body)));
    done(problem ? new RequestValidationError([problem]) : undefined);
  });
}
