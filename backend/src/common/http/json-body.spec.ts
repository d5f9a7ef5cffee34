import { MAX_JSON_DEPTH, scanJson } from './json-body';

const scan = (text: string, maxDepth = MAX_JSON_DEPTH) => scanJson(Buffer.from(text, 'utf8'), maxDepth);
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('scanJson', () => {
  it('admits nesting up to the limit and stops at the first level beyond it', () => {
    expect(scan(nested(MAX_JSON_DEPTH)).tooDeep).toBe(false);
    expect(scan(nested(MAX_JSON_DEPTH + 1)).tooDeep).toBe(true);
    expect(scan('{"a":{"b":[1,{"c":2}]}}', 3).tooDeep).toBe(true);
    expect(scan('{"a":{"b":[1,{"c":2}]}}', 4).tooDeep).toBe(false);
  });

  it('counts depth, not the number of siblings', () => {
    expect(scan(`[${'[],'.repeat(1000)}[]]`, 2).tooDeep).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(scan(`["${'[{'.repeat(100)}"]`, 1).tooDeep).toBe(false);
    expect(scan(String.raw`["a\"[[[[", "\\", "[["]`, 1).tooDeep).toBe(false);
  });

  it('flags a \\u0000 escape and surrogate escapes, in keys too, and nothing else', () => {
    expect(scan(String.raw`{"a":"x\u0000"}`).suspectText).toBe(true);
    expect(scan(String.raw`{"x\u0000":1}`).suspectText).toBe(true);
    expect(scan(String.raw`{"a":"\ud800"}`).suspectText).toBe(true);
    expect(scan(String.raw`{"a":"\uDFFF"}`).suspectText).toBe(true);
    expect(scan(String.raw`{"a":"\u00e9 \u0001 \u2028 \ue000"}`).suspectText).toBe(false);
    // an escaped backslash followed by "u0000" is text, not an escape
    expect(scan(String.raw`{"a":"\\u0000"}`).suspectText).toBe(false);
    expect(scan('{"a":"plain"}').suspectText).toBe(false);
  });
});
