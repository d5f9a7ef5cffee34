/**
 * A JSON document already serialised and UTF-8 encoded, typed by what it encodes. A handler
 * that returns one must set `content-type: application/json`; Fastify then sends the bytes as
 * they are. Encoding once matters when one body answers many requests (a shared list page).
 */
export type JsonBytes<T> = Buffer & { readonly __encodes?: T };

export function jsonBytes<T>(json: string): JsonBytes<T> {
  return Buffer.from(json, 'utf8');
}
