import fc from 'fast-check';
import {
  forgedCursor,
  hostileJson,
  hostileString,
  nested,
  percentEncode,
  toJsonText,
  type Labeled,
} from './hostile-values';
import { validBody, validValue, type Operation } from './operations';

/** Where the hostile input goes. */
export type Vector = 'path' | 'query' | 'body' | 'raw';

export interface FuzzRequest {
  readonly method: string;
  /** Already encoded, query included. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** The families of hostile input in it, e.g. `body.title:nul`. */
  readonly labels: readonly string[];
}

/** Real ids to put in path parameters, so hostile bodies reach the services, not only the 404. */
export type ValidIds = (template: string, param: string) => readonly string[];

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The vectors worth trying on an operation. */
export function vectorsOf(op: Operation): Vector[] {
  return [
    ...(op.pathParams.length ? (['path'] as const) : []),
    ...(op.method === 'GET' ? (['query'] as const) : []),
    ...(op.body ? (['body'] as const) : []),
    ...(BODY_METHODS.has(op.method) ? (['raw'] as const) : []),
  ];
}

function fillPath(op: Operation, values: Readonly<Record<string, string>>): string {
  return op.template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'x');
}

function validPathArbitrary(op: Operation, ids: ValidIds): fc.Arbitrary<Record<string, string>> {
  return fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => {
        const candidates = ids(op.template, p.name);
        const fallback = String(validValue(p.schema));
        return [p.name, candidates.length ? fc.constantFrom(...candidates) : fc.constant(fallback)];
      }),
    ),
  );
}

const ifMatchHeader = (value: string | undefined): Record<string, string> =>
  value === undefined ? {} : { 'if-match': value };
const contentTypeHeader = (value: string | undefined): Record<string, string> =>
  value === undefined ? {} : { 'content-type': value };
const json = (value: unknown): Buffer => Buffer.from(toJsonText(value));
const JSON_TYPE = { 'content-type': 'application/json' };

function pathVector(op: Operation, ids: ValidIds): fc.Arbitrary<FuzzRequest> {
  const hostile = fc.oneof(
    { weight: 4, arbitrary: hostileString(3000).map((h) => ({ ...h, value: percentEncode(h.value) })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('%', '%zz', '%00', '%C0%AE', '%ED%A0%80', '..', '%2e%2e', ';', '%3B', 'a/b', '*')
        .map((value) => ({ label: 'raw-path', value })),
    },
  );
  return fc
    .tuple(validPathArbitrary(op, ids), fc.constantFrom(...op.pathParams.map((p) => p.name)), hostile)
    .map(([valid, name, h]) => ({
      method: op.method,
      path: fillPath(op, { ...valid, [name]: h.value }),
      headers: BODY_METHODS.has(op.method) ? JSON_TYPE : {},
      body: BODY_METHODS.has(op.method) ? json(validBody(op.body)) : undefined,
      labels: [`path.${name}:${h.label}`],
    }));
}

const UNKNOWN_KEYS = [
  '__proto__',
  'constructor',
  '__proto__[role]',
  'constructor[prototype][role]',
  'a[b]',
  '',
  'x'.repeat(300),
];

function queryVector(op: Operation, ids: ValidIds): fc.Arbitrary<FuzzRequest> {
  const names = op.queryParams.map((p) => p.name);
  const declared = names.length ? fc.constantFrom(...names) : fc.constant('q');
  const numeric = op.queryParams
    .filter(
      (p) => p.schema.minimum !== undefined || p.schema.type === 'integer' || p.schema.type === 'number',
    )
    .map((p) => p.name);
  const mutation: fc.Arbitrary<Labeled<[string, string][]>> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(declared, hostileString(3000))
        .map(([k, h]) => ({ label: `${k}:${h.label}`, value: [[k, h.value]] as [string, string][] })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          numeric.length ? fc.constantFrom(...numeric) : declared,
          fc.constantFrom('99999999999999999999', '-1', '0', 'NaN', '1e9', '1.5', '2147483648'),
        )
        .map(([k, v]) => ({ label: `${k}:number-like`, value: [[k, v]] as [string, string][] })),
    },
    {
      weight: names.includes('cursor') ? 3 : 0,
      arbitrary: forgedCursor.map((v) => ({
        label: 'cursor:forged-cursor',
        value: [['cursor', v]] as [string, string][],
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(declared, fc.array(hostileString(100), { minLength: 2, maxLength: 4 }))
        .map(([k, hs]) => ({ label: `${k}:array`, value: hs.map((h) => [k, h.value] as [string, string]) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...UNKNOWN_KEYS), hostileString(100))
        .map(([k, h]) => ({ label: `unknown-key:${h.label}`, value: [[k, h.value]] as [string, string][] })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ label: 'long-url', value: [['q', 'a'.repeat(20_000)]] as [string, string][] }),
    },
  );
  const base = fc.subarray(
    op.queryParams.map((p) => [p.name, String(validValue(p.schema))] as [string, string]),
  );
  const ifMatch = op.headerParams.some((p) => p.name.toLowerCase() === 'if-match')
    ? fc.option(fc.constantFrom('"-1"', '"99999999999"', 'W/"x"', '*', '"1", "2"', '\u00ff'), {
        nil: undefined,
      })
    : fc.constant(undefined);
  return fc
    .tuple(
      validPathArbitrary(op, ids),
      base,
      // Mostly one hostile parameter among valid ones, so it is not refused for another's fault.
      fc.oneof(
        { weight: 3, arbitrary: mutation.map((m) => [m]) },
        { weight: 1, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 3 }) },
      ),
      ifMatch,
    )
    .map(([valid, pairs, mutations, match]) => {
      const hostile = mutations.flatMap((m) => m.value);
      const replaced = new Set(hostile.map(([k]) => k));
      const all = [...pairs.filter(([k]) => !replaced.has(k)), ...hostile];
      const query = all.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
      return {
        method: op.method,
        path: `${fillPath(op, valid)}?${query}`,
        headers: ifMatchHeader(match),
        labels: [
          ...mutations.map((m) => `query.${m.label}`),
          ...(match === undefined ? [] : ['header.if-match']),
        ],
      };
    });
}

/** A JSON body derived from the valid one: hostile fields, unknown keys, missing fields, or no object at all. */
function hostileBody(op: Operation): fc.Arbitrary<Labeled<unknown>> {
  const valid = validBody(op.body);
  const fields = Object.keys(valid);
  const field = fields.length ? fc.constantFrom(...fields) : fc.constant('x');
  return fc.oneof(
    {
      weight: 6,
      // Mostly one hostile field among valid ones, so it is not refused for another's fault.
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: fc.tuple(field, hostileJson()).map((change) => [change]) },
          { weight: 1, arbitrary: fc.array(fc.tuple(field, hostileJson()), { minLength: 2, maxLength: 3 }) },
        )
        .map((changes) => ({
          label: changes.map(([k, h]) => `${k}:${h.label}`).join(','),
          value: changes.reduce<Record<string, unknown>>((body, [k, h]) => ({ ...body, [k]: h.value }), {
            ...valid,
          }),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...UNKNOWN_KEYS, 'id', 'role', 'version', 'createdAt'), hostileJson())
        .map(([k, h]) => ({ label: `unknown-key:${h.label}`, value: { ...valid, [k]: h.value } })),
    },
    {
      weight: 1,
      arbitrary: fc.subarray(fields).map((keep) => ({
        label: 'missing-fields',
        value: Object.fromEntries(keep.map((k) => [k, valid[k]])),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<unknown>([], [valid], 'x', 42, true, null, JSON.parse('{"__proto__":{"role":"admin"}}'))
        .map((value) => ({ label: 'not-an-object', value })),
    },
  );
}

function bodyVector(op: Operation, ids: ValidIds): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(validPathArbitrary(op, ids), hostileBody(op)).map(([valid, h]) => ({
    method: op.method,
    path: fillPath(op, valid),
    headers: JSON_TYPE,
    body: json(h.value),
    labels: [`body.${h.label}`],
  }));
}

/** Bodies that are not (quite) JSON, or not JSON at all, or too deep or too big to be reasonable. */
function rawBody(op: Operation): fc.Arbitrary<{ label: string; contentType?: string; body: Buffer }> {
  const valid = validBody(op.body);
  const text = JSON.stringify(valid);
  const first = Object.keys(valid)[0] ?? 'x';
  const asJson = (
    label: string,
    body: string | Buffer,
  ): { label: string; contentType: string; body: Buffer } => ({
    label,
    contentType: 'application/json',
    body: Buffer.from(body),
  });
  return fc.oneof(
    fc
      .constantFrom(64, 1000, 5000)
      .map((depth) => asJson(`deep-json-${depth}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
    fc
      .constantFrom(64, 1000, 5000)
      .map((depth) => asJson(`deep-array-${depth}`, `${'['.repeat(depth)}${']'.repeat(depth)}`)),
    fc
      .constantFrom(64, 1000, 5000)
      .map((depth) =>
        asJson(`deep-field-${depth}`, toJsonText({ ...valid, [first]: nested(depth, '"x"', true) })),
      ),
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => asJson('truncated-json', text.slice(0, n))),
    fc.constantFrom(
      asJson('empty', ''),
      asJson('top-level-scalar', 'null'),
      asJson('top-level-scalar', '"x"'),
      asJson('duplicate-keys', `{"${first}":"a","${first}":"b"}`),
      asJson('huge-number', `{"${first}":1e999999}`),
      asJson('huge-number', `{"${first}":123456789012345678901234567890}`),
      asJson('bom', `\ufeff${text}`),
      asJson(
        'invalid-utf8',
        Buffer.concat([
          Buffer.from(`{"${first}":"`),
          Buffer.from([0xff, 0xfe, 0xc0, 0xae]),
          Buffer.from('"}'),
        ]),
      ),
      asJson('oversized', JSON.stringify({ ...valid, [first]: 'a'.repeat(1_100_000) })),
    ),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/vnd.api+json',
        '',
      )
      .map((contentType) => ({
        label: `content-type:${contentType || 'none'}`,
        contentType: contentType || undefined,
        body: Buffer.from(contentType.startsWith('application/x-www') ? `${first}=x&role=admin` : text),
      })),
  );
}

function rawVector(op: Operation, ids: ValidIds): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(validPathArbitrary(op, ids), rawBody(op)).map(([valid, raw]) => ({
    method: op.method,
    path: fillPath(op, valid),
    headers: contentTypeHeader(raw.contentType),
    body: raw.body,
    labels: [`raw.${raw.label}`],
  }));
}

export function hostileRequests(op: Operation, vector: Vector, ids: ValidIds): fc.Arbitrary<FuzzRequest> {
  switch (vector) {
    case 'path':
      return pathVector(op, ids);
    case 'query':
      return queryVector(op, ids);
    case 'body':
      return bodyVector(op, ids);
    case 'raw':
      return rawVector(op, ids);
  }
}
