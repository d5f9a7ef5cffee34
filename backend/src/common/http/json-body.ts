import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RequestError, RequestErrorCode, RequestValidationError } from '../errors/request-errors';
import { findUnstorableText } from '../validation/storable-text';

/**
 * How deeply a JSON body may nest arrays and objects. No request of ours needs more than a few
 * levels; 5,000 levels overflowed the stack in class-transformer (a 500) on every JSON route.
 */
export const MAX_JSON_DEPTH = 64;

/** Structured-syntax JSON types such as `application/merge-patch+json` (RFC 6839). */
export const STRUCTURED_JSON = /^application\/[^\s;/]+\+json(?:;|$)/;

export interface JsonScan {
  /** Arrays and objects nest deeper than the limit somewhere (the scan stops there). */
  readonly tooDeep: boolean;
  /**
   * A string has a `\u0000` escape or a surrogate escape (`\ud800`…`\udfff`): the parsed body
   * must be searched for text PostgreSQL cannot store. Valid surrogate pairs (an emoji written as
   * escapes) also set it; the search then finds nothing.
   */
  readonly suspectText: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const LETTER_U = 0x75;
const DIGIT_0 = 0x30;

/** `\u` followed by 0000 or by D800–DFFF, at `i` (the first hex digit). */
function isSuspectEscape(bytes: Uint8Array, i: number): boolean {
  const first = bytes[i];
  if (first === DIGIT_0)
    return bytes[i + 1] === DIGIT_0 && bytes[i + 2] === DIGIT_0 && bytes[i + 3] === DIGIT_0;
  if (first !== 0x64 && first !== 0x44) return false; // d or D
  const second = bytes[i + 1] ?? 0;
  // 8 9 a-f A-F
  return second === 0x38 || second === 0x39 || ((second | 0x20) >= 0x61 && (second | 0x20) <= 0x66);
}

/**
 * One pass over the raw bytes, before JSON.parse: nesting depth, and whether a string might
 * hold text PostgreSQL cannot store. Brackets inside strings do not count. It does not check
 * the JSON is valid; the parser does that next. Cost: see bench/json-body.
 */
export function scanJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonScan {
  let depth = 0;
  let suspectText = false;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      for (i++; i < length; i++) {
        const c = bytes[i];
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          i++; // the escaped character; a \u escape's hex digits are never a quote or a backslash
          if (!suspectText && bytes[i] === LETTER_U) suspectText = isSuspectEscape(bytes, i + 1);
        }
      }
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return { tooDeep: true, suspectText };
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return { tooDeep: false, suspectText };
}

/** Requests whose body this parser has already checked for unstorable text. */
const checkedBodies = new WeakSet<object>();

/** Whether the request's body came through registerJsonBodyParser (so its text is checked). */
export function isCheckedJsonBody(req: object): boolean {
  return checkedBodies.has(req);
}

/** Fastify's default JSON parser is the callback kind (its type also admits a promise kind). */
type CallbackJsonParser = (
  req: object,
  body: Buffer,
  done: (err: Error | null, parsed?: unknown) => void,
) => void;

/**
 * Replaces Nest's JSON parser (for `application/json` and `application/*+json`) with one that enforces MAX_JSON_DEPTH and refuses unstorable text
 * before anything walks the body, for every JSON route. It is registered through
 * `app.useBodyParser`, so Nest still keeps `req.rawBody` (webhook signatures) and skips its own
 * parser; the parsing itself is Fastify's (prototype-poisoning checks included).
 */
export function registerJsonBodyParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error') as unknown as CallbackJsonParser;
  const parse: CallbackJsonParser = (req, body, done) => {
    checkedBodies.add(req);
    const scan = scanJson(body);
    if (scan.tooDeep) {
      const detail = `The JSON body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;
      done(new RequestError(RequestErrorCode.Malformed, detail), undefined);
      return;
    }
    parseJson(req, body, (err, parsed) => {
      const unstorable = err || !scan.suspectText ? null : findUnstorableText(parsed);
      if (unstorable) done(new RequestValidationError([unstorable]), undefined);
      else done(err, parsed);
    });
  };
  const options = { bodyLimit: fastify.initialConfig.bodyLimit };
  app.useBodyParser('application/json', options, parse);
  // The +json family (merge-patch, problem…) gets the same checks.
  app.useBodyParser(STRUCTURED_JSON, options, parse);
}
