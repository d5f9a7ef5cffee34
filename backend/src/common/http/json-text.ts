/**
 * JSON already serialised (by PostgreSQL, say) and typed by what it encodes. A handler that
 * returns one must set `content-type: application/json`; Fastify then sends the text as it is.
 */
export type JsonText<T> = string & { readonly __encodes?: T };
