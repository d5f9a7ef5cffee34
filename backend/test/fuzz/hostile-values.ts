import fc from 'fast-check';

/** A generated value and the family it belongs to, so a failure says what kind of input caused it. */
export interface Labeled<T> {
  readonly label: string;
  readonly value: T;
}

const labeled = <T>(label: string, arb: fc.Arbitrary<T>): fc.Arbitrary<Labeled<T>> =>
  arb.map((value) => ({ label, value }));

const base64url = (text: string | Uint8Array): string => Buffer.from(text).toString('base64url');

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(5) --',
  "' UNION SELECT password_hash, email FROM users --",
  "%' OR 1=1 --",
  '\\',
  '$1',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

const TRAVERSALS = [
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd%00.png',
  '.',
  '..',
  '//',
  '%2e%2e%2f',
];

const HEADER_SPLITS = [
  'x\r\nSet-Cookie: nx_refresh=evil',
  '%0d%0aSet-Cookie:%20evil=1',
  'a\nb',
  '\r\n\r\nHTTP/1.1 200 OK\r\n',
];

const NUMBER_LIKE = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '-0',
  '0x10',
  '1_000',
  '99999999999999999999',
  '-99999999999999999999',
  '9223372036854775808',
  '-1',
  '0',
  '1.5',
  ' 1',
  '',
  ' ',
  'true',
  'null',
  'undefined',
];

const DATE_JUNK = [
  '9999-99-99 99:99:99',
  '0000-00-00T00:00:00Z',
  '2026-02-30T25:61:61Z',
  '-271821-04-20T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '294277-01-01T00:00:00Z',
  '4714-11-24T00:00:00 BC',
  'infinity',
  '-infinity',
  'epoch',
  'now',
  '2026-11-01',
];

const UNICODE_ODDITIES = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\udc00\ud800',
  '\u202eevil',
  '\u200b',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  '\uffff\ufffe',
  '💥'.repeat(50),
  'Ω≈ç√∫˜µ≤≥÷',
  '\u001b[31mred',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Cursors a client could forge: junk, null, wrong types and dates out of any range. */
export const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    base64url('null'),
    base64url('[]'),
    base64url('{}'),
    base64url('"x"'),
    base64url('1e999'),
    base64url('{"s":"-openedAt","k":"9999-99-99 99:99:99","id":"00000000-0000-0000-0000-000000000000"}'),
    base64url(
      '{"s":"priority","k":"2026-01-01 00:00:00","id":"00000000-0000-0000-0000-000000000000","p":1e308}',
    ),
    base64url('99999999999999999.00000000-0000-0000-0000-000000000000'),
    '9999999999999999999',
    '-1',
    '0',
    '%%%',
    '====',
  ),
  fc
    .record({
      s: fc.constantFrom('-openedAt', 'openedAt', 'priority', '-updatedAt', 'slaDueAt', 'x'),
      k: fc.oneof(fc.constantFrom(...DATE_JUNK), fc.string(), fc.constant(null), fc.double()),
      id: fc.oneof(fc.uuid(), fc.string(), fc.constant(null)),
      p: fc.oneof(fc.integer(), fc.double(), fc.string()),
    })
    .map((position) => base64url(JSON.stringify(position))),
  fc.jsonValue().map((v) => base64url(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 64 }).map(base64url),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.oneof(fc.uuid(), fc.string()))
    .map(([micros, id]) => base64url(`${micros}.${id}`)),
);

/**
 * Hostile strings for any text position: injections, traversal, header splitting, numbers and
 * dates that are not, unicode oddities (NUL, lone surrogates), forged cursors, and very long text
 * when `maxLength` allows (100 kB in bodies; paths and queries stay under the 16 kB request line).
 */
export function hostileString(maxLength: number): fc.Arbitrary<Labeled<string>> {
  const arbs: fc.Arbitrary<Labeled<string>>[] = [
    labeled('injection', fc.constantFrom(...INJECTIONS)),
    labeled('traversal', fc.constantFrom(...TRAVERSALS)),
    labeled('header-split', fc.constantFrom(...HEADER_SPLITS)),
    labeled('number-like', fc.constantFrom(...NUMBER_LIKE)),
    labeled('date-junk', fc.constantFrom(...DATE_JUNK)),
    labeled('unicode', fc.constantFrom(...UNICODE_ODDITIES)),
    labeled(
      'nul',
      fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
    ),
    labeled(
      'lone-surrogate',
      fc.tuple(fc.string({ maxLength: 10 }), loneSurrogate).map(([a, s]) => `${a}${s}`),
    ),
    labeled('forged-cursor', forgedCursor),
    labeled(
      'uuid-like',
      fc.oneof(
        fc.uuid(),
        fc.uuid().map((u) => `${u}x`),
        fc.constant('00000000-0000-0000-0000-000000000000'),
      ),
    ),
    labeled('random', fc.string({ unit: 'binary', maxLength: 40 })),
  ];
  if (maxLength >= 3000) arbs.push(labeled('long', fc.constantFrom('9'.repeat(3000), 'é'.repeat(1000))));
  if (maxLength >= 100_000) {
    arbs.push(
      labeled('100kB', fc.constantFrom('a'.repeat(100_000), '\u0000'.repeat(100_000), '💥'.repeat(25_000))),
    );
  }
  return fc.oneof(...arbs);
}

const NUMBERS = [
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -(Number.MAX_SAFE_INTEGER + 2),
  2 ** 31,
  2 ** 63,
  -1,
  0,
  -0,
  0.5,
  1.0000001,
  Number.MIN_VALUE,
];

/**
 * JSON text spliced in as is where a value goes: nesting 5,000 levels deep is beyond what
 * JSON.stringify can walk (and what the server must refuse), so it is written as text.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `depth` levels of `{"a": …}` (or `[…]`) around `inner`. */
export function nested(depth: number, inner: string, asObject: boolean): RawJson {
  return new RawJson(
    asObject
      ? `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`,
  );
}

/** JSON.stringify, with each RawJson's text in its place. */
export function toJsonText(value: unknown): string {
  const raw: string[] = [];
  const text =
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof RawJson ? `\u0000raw${raw.push(v.text) - 1}` : v,
    ) ?? 'null';
  return text.replace(/"\\u0000raw(\d+)"/g, (_, i: string) => raw[Number(i)] ?? 'null');
}

/** An object with an own `__proto__` (or constructor.prototype) key, as JSON.parse would build it. */
const prototypePollution = fc.constantFrom(
  JSON.parse('{"__proto__":{"role":"admin","isAdmin":true}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"role":"admin"}}}') as unknown,
  JSON.parse('{"__proto__":null}') as unknown,
);

/** Hostile values for any JSON position: wrong types, extreme numbers, deep nesting, pollution keys. */
export function hostileJson(): fc.Arbitrary<Labeled<unknown>> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileString(100_000) },
    {
      weight: 2,
      arbitrary: labeled<unknown>('number', fc.oneof(fc.constantFrom(...NUMBERS), fc.double(), fc.integer())),
    },
    {
      weight: 1,
      arbitrary: labeled<unknown>('wrong-type', fc.constantFrom(true, false, null, {}, [], [[]], [null], 0)),
    },
    {
      weight: 1,
      arbitrary: labeled<unknown>(
        'array-for-scalar',
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      ),
    },
    {
      weight: 1,
      arbitrary: labeled<unknown>('big-array', fc.constantFrom(Array.from({ length: 10_000 }, (_, i) => i))),
    },
    { weight: 1, arbitrary: labeled('prototype-key', prototypePollution) },
    {
      weight: 1,
      arbitrary: labeled<unknown>(
        'deep-json',
        fc.tuple(fc.constantFrom(20, 100, 1000, 5000), fc.boolean()).map(([d, o]) => nested(d, '1', o)),
      ),
    },
    { weight: 1, arbitrary: labeled<unknown>('json', fc.jsonValue({ maxDepth: 3 })) },
  );
}

/** Percent-encodes every code unit; a lone surrogate becomes its WTF-8 bytes (invalid UTF-8). */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}
