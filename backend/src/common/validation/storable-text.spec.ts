import { findUnstorableText, unstorableReason } from './storable-text';

describe('unstorableReason', () => {
  it('admits ordinary text, emoji included', () => {
    expect(unstorableReason('Disk full on db-01 \u{1f525} – ünïcödé')).toBeNull();
  });

  it('names a NUL and an unpaired surrogate (high, low, or high at the end)', () => {
    expect(unstorableReason('a\u0000b')).toBe('must not contain NUL characters (\\u0000)');
    for (const text of ['\ud800x', 'x\udc00', 'end\udbff']) {
      expect(unstorableReason(text)).toBe('must not contain unpaired UTF-16 surrogates');
    }
  });
});

describe('findUnstorableText', () => {
  it('finds nothing in storable values of any shape', () => {
    expect(findUnstorableText({ a: ['x', 1, null, { b: true }], c: 'y' })).toBeNull();
    expect(findUnstorableText(undefined)).toBeNull();
  });

  it('names the first offending value by its dotted path', () => {
    expect(findUnstorableText({ title: 'ok', items: [{ note: 'ok' }, { note: 'n\u0000' }] })).toEqual({
      field: 'items.1.note',
      message: 'items.1.note must not contain NUL characters (\\u0000)',
    });
  });

  it('names an offending key, escaped', () => {
    expect(findUnstorableText({ a: { ['k\u0000']: 1 } })).toEqual({
      field: 'a.k\\u0000',
      message: 'the name of a.k\\u0000 must not contain NUL characters (\\u0000)',
    });
  });

  it('names a whole body that is one bad string "body"', () => {
    expect(findUnstorableText('\ud800')?.field).toBe('body');
  });
});
