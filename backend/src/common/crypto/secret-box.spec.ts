import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretBox, SecretBoxError, SecretBoxErrorCode } from './secret-box';

const key1 = randomBytes(32);
const key2 = randomBytes(32);
const AD = 'federated_identities:42:access_token';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

function codeOf(fn: () => unknown): SecretBoxErrorCode {
  const error = errorOf(fn);
  expect(error).toBeInstanceOf(SecretBoxError);
  return (error as SecretBoxError).code;
}

/** Replaces one part of a token (0 = version … 4 = tag). */
function withPart(token: string, index: number, edit: (part: string) => string): string {
  const parts = token.split('.');
  parts[index] = edit(parts[index] ?? '');
  return parts.join('.');
}

/** Flips one bit of a base64url part's first byte and re-encodes it canonically. */
function flipFirstByte(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

describe('SecretBox', () => {
  const box = new SecretBox([{ id: 'k1', key: key1 }]);

  describe('encrypt/decrypt', () => {
    it('round-trips a secret', () => {
      const token = box.encrypt('gho_abc123', AD);
      expect(box.decrypt(token, AD)).toBe('gho_abc123');
    });

    it('round-trips without associated data', () => {
      expect(box.decrypt(box.encrypt('s3cret'))).toBe('s3cret');
    });

    it('round-trips unicode, including astral characters', () => {
      const secret = 'pässwörd ✓ 密码 🔑 \u0000 end';
      expect(box.decrypt(box.encrypt(secret, AD), AD)).toBe(secret);
    });

    it('round-trips the empty string', () => {
      const token = box.encrypt('', AD);
      expect(token.split('.')[3]).toBe('');
      expect(box.decrypt(token, AD)).toBe('');
    });

    it('round-trips a long secret', () => {
      const secret = 'x'.repeat(100_000);
      expect(box.decrypt(box.encrypt(secret), undefined)).toBe(secret);
    });

    it('writes a self-describing v1 token with a 12-byte IV and 16-byte tag', () => {
      const token = box.encrypt('hello', AD);
      expect(token).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
      const [, , iv, ciphertext, tag] = token.split('.');
      expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12);
      expect(Buffer.from(ciphertext ?? '', 'base64url')).toHaveLength(5);
      expect(Buffer.from(tag ?? '', 'base64url')).toHaveLength(16);
    });

    it('never puts the plaintext in the token', () => {
      const token = box.encrypt('plain-secret-value');
      expect(token).not.toContain('plain-secret-value');
      expect(token).not.toContain(Buffer.from('plain-secret-value').toString('base64url'));
    });

    it('uses a fresh IV on every call, so equal secrets give different tokens', () => {
      const tokens = Array.from({ length: 50 }, () => box.encrypt('same', AD));
      expect(new Set(tokens).size).toBe(50);
      expect(new Set(tokens.map((t) => t.split('.')[2])).size).toBe(50);
      for (const token of tokens) expect(box.decrypt(token, AD)).toBe('same');
    });

    it('treats undefined and empty associated data as the same', () => {
      expect(box.decrypt(box.encrypt('a', ''))).toBe('a');
      expect(box.decrypt(box.encrypt('a'), '')).toBe('a');
    });
  });

  describe('associated data', () => {
    it('refuses a token copied to another row', () => {
      const token = box.encrypt('secret', 'federated_identities:1:access_token');
      expect(codeOf(() => box.decrypt(token, 'federated_identities:2:access_token'))).toBe(
        SecretBoxErrorCode.Unreadable,
      );
    });

    it('refuses a token copied to another column', () => {
      const token = box.encrypt('secret', 'federated_identities:1:access_token');
      expect(codeOf(() => box.decrypt(token, 'federated_identities:1:refresh_token'))).toBe(
        SecretBoxErrorCode.Unreadable,
      );
    });

    it('refuses a token written with associated data when read without, and vice versa', () => {
      expect(codeOf(() => box.decrypt(box.encrypt('secret', AD)))).toBe(SecretBoxErrorCode.Unreadable);
      expect(codeOf(() => box.decrypt(box.encrypt('secret'), AD))).toBe(SecretBoxErrorCode.Unreadable);
    });

    it('does not put the associated data or plaintext in the error message', () => {
      const token = box.encrypt('top-secret-plaintext', AD);
      const error = errorOf(() => box.decrypt(token, 'other:row'));
      expect(error.message).not.toContain('top-secret-plaintext');
      expect(error.message).not.toContain(token);
      expect(error.message).toContain('k1');
    });
  });

  describe('tampering', () => {
    const token = box.encrypt('tamper-me', AD);

    it.each([
      ['iv', 2],
      ['ciphertext', 3],
      ['tag', 4],
    ])('refuses a token whose %s was altered', (_name, index) => {
      const altered = withPart(token, index, flipFirstByte);
      expect(altered).not.toBe(token);
      expect(codeOf(() => box.decrypt(altered, AD))).toBe(SecretBoxErrorCode.Unreadable);
    });

    it('refuses a token whose ciphertext was truncated or extended', () => {
      const shorter = withPart(token, 3, (p) =>
        Buffer.from(p, 'base64url').subarray(1).toString('base64url'),
      );
      const longer = withPart(token, 3, (p) =>
        Buffer.concat([Buffer.from(p, 'base64url'), Buffer.from([0])]).toString('base64url'),
      );
      expect(codeOf(() => box.decrypt(shorter, AD))).toBe(SecretBoxErrorCode.Unreadable);
      expect(codeOf(() => box.decrypt(longer, AD))).toBe(SecretBoxErrorCode.Unreadable);
    });

    it('refuses a token whose key id was switched to another key in the ring', () => {
      const ring = new SecretBox([
        { id: 'k1', key: key1 },
        { id: 'k2', key: key2 },
      ]);
      const switched = withPart(ring.encrypt('x', AD), 1, () => 'k2');
      expect(codeOf(() => ring.decrypt(switched, AD))).toBe(SecretBoxErrorCode.Unreadable);
    });

    it('refuses a token whose version was changed', () => {
      expect(
        codeOf(() =>
          box.decrypt(
            withPart(token, 0, () => 'v2'),
            AD,
          ),
        ),
      ).toBe(SecretBoxErrorCode.Malformed);
    });

    it('refuses a non-canonical base64url edit rather than ignoring it', () => {
      // A 12-byte IV is 16 base64url characters with no spare bits, so this targets the tag
      // (16 bytes = 22 characters, the last carrying 4 unused bits).
      const tag = token.split('.')[4] ?? '';
      const last = tag.at(-1) ?? 'A';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sameBits = alphabet[alphabet.indexOf(last) ^ 0x01] ?? 'A'; // differs only in an unused bit
      const altered = withPart(token, 4, (p) => p.slice(0, -1) + sameBits);
      expect(Buffer.from(altered.split('.')[4] ?? '', 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
      expect(codeOf(() => box.decrypt(altered, AD))).toBe(SecretBoxErrorCode.Malformed);
    });
  });

  describe('malformed tokens', () => {
    const good = box.encrypt('x');

    it.each([
      ['an empty string', ''],
      ['a plaintext secret', 'ghp_plaintextTokenStoredBeforeEncryption'],
      ['too few parts', 'v1.k1.abc.def'],
      ['too many parts', `${good}.extra`],
      ['an invalid key id', withPart(good, 1, () => 'k!1')],
      ['an empty key id', withPart(good, 1, () => '')],
      ['a short IV', withPart(good, 2, () => Buffer.alloc(8).toString('base64url'))],
      ['a short tag', withPart(good, 4, () => Buffer.alloc(12).toString('base64url'))],
      ['non-base64url characters', withPart(good, 3, () => 'ab+/')],
      ['base64 padding', withPart(good, 2, (p) => `${p}==`)],
    ])('rejects %s as SECRET_MALFORMED without echoing it', (_name, token) => {
      const error = errorOf(() => box.decrypt(token));
      expect(error).toBeInstanceOf(SecretBoxError);
      expect((error as SecretBoxError).code).toBe(SecretBoxErrorCode.Malformed);
      if (token.length > 3) expect(error.message).not.toContain(token);
    });

    it('rejects a non-string', () => {
      expect(codeOf(() => box.decrypt(undefined as unknown as string))).toBe(SecretBoxErrorCode.Malformed);
    });

    it('reports a well-formed token under an unknown key as SECRET_KEY_UNKNOWN', () => {
      const other = new SecretBox([{ id: 'gone', key: key2 }]);
      const error = errorOf(() => box.decrypt(other.encrypt('x')));
      expect(error).toBeInstanceOf(SecretBoxError);
      expect((error as SecretBoxError).code).toBe(SecretBoxErrorCode.KeyUnknown);
      expect(error.message).toContain('"gone"');
    });

    it('is a plain Error subclass carrying a code', () => {
      const error = errorOf(() => box.decrypt('nope'));
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('SecretBoxError');
    });
  });

  describe('key rotation', () => {
    const oldBox = new SecretBox([{ id: 'k1', key: key1 }]);
    const rotated = new SecretBox([
      { id: 'k2', key: key2 },
      { id: 'k1', key: key1 },
    ]);

    it('makes the first key active by default', () => {
      expect(rotated.activeKeyId).toBe('k2');
      expect(rotated.keyIds).toEqual(['k2', 'k1']);
      expect(rotated.encrypt('x').startsWith('v1.k2.')).toBe(true);
    });

    it('honours an explicit active key id', () => {
      const box2 = new SecretBox(
        [
          { id: 'k2', key: key2 },
          { id: 'k1', key: key1 },
        ],
        'k1',
      );
      expect(box2.activeKeyId).toBe('k1');
      expect(box2.encrypt('x').startsWith('v1.k1.')).toBe(true);
    });

    it('still decrypts tokens written with an old key', () => {
      const old = oldBox.encrypt('legacy', AD);
      expect(rotated.decrypt(old, AD)).toBe('legacy');
    });

    it('says which tokens need re-encryption', () => {
      expect(rotated.needsReencryption(oldBox.encrypt('legacy'))).toBe(true);
      expect(rotated.needsReencryption(rotated.encrypt('fresh'))).toBe(false);
      // A key that has left the ring also needs it; reencrypt then reports the unknown key.
      const orphan = new SecretBox([{ id: 'k0', key: randomBytes(32) }]).encrypt('x');
      expect(rotated.needsReencryption(orphan)).toBe(true);
      expect(codeOf(() => rotated.reencrypt(orphan))).toBe(SecretBoxErrorCode.KeyUnknown);
    });

    it('needsReencryption rejects non-tokens', () => {
      expect(codeOf(() => rotated.needsReencryption('plaintext'))).toBe(SecretBoxErrorCode.Malformed);
    });

    it('reencrypt moves a token to the active key, keeping plaintext and associated data', () => {
      const old = oldBox.encrypt('legacy', AD);
      const moved = rotated.reencrypt(old, AD);
      expect(moved.startsWith('v1.k2.')).toBe(true);
      expect(rotated.needsReencryption(moved)).toBe(false);
      expect(rotated.decrypt(moved, AD)).toBe('legacy');
      // Once moved, the old key can leave the ring.
      expect(new SecretBox([{ id: 'k2', key: key2 }]).decrypt(moved, AD)).toBe('legacy');
      expect(codeOf(() => rotated.decrypt(moved, 'another:row'))).toBe(SecretBoxErrorCode.Unreadable);
    });

    it('reencrypt refuses a token with the wrong associated data', () => {
      const old = oldBox.encrypt('legacy', AD);
      expect(codeOf(() => rotated.reencrypt(old, 'another:row'))).toBe(SecretBoxErrorCode.Unreadable);
    });

    it('a key replaced under the same id makes old tokens unreadable, not garbage', () => {
      const token = oldBox.encrypt('x');
      const replaced = new SecretBox([{ id: 'k1', key: key2 }]);
      expect(codeOf(() => replaced.decrypt(token))).toBe(SecretBoxErrorCode.Unreadable);
    });
  });

  describe('constructor', () => {
    it('rejects an empty keyring', () => {
      expect(() => new SecretBox([])).toThrow(/at least one key/);
    });

    it.each([16, 31, 33, 64])('rejects a %i-byte key', (size) => {
      expect(() => new SecretBox([{ id: 'k1', key: randomBytes(size) }])).toThrow(
        `SecretBox key "k1" must be exactly 32 bytes (got ${size} bytes)`,
      );
    });

    it('rejects a key that is not a Buffer', () => {
      expect(() => new SecretBox([{ id: 'k1', key: 'a'.repeat(32) as unknown as Buffer }])).toThrow(
        /not a Buffer/,
      );
    });

    it.each(['', 'k.1', 'k:1', 'k 1', 'ключ', 'a'.repeat(33)])('rejects the key id %j', (id) => {
      expect(() => new SecretBox([{ id, key: key1 }])).toThrow(/invalid id/);
    });

    it('accepts ids of letters, digits, _ and - up to 32 characters', () => {
      const id = `Key_2024-01${'x'.repeat(21)}`;
      expect(id).toHaveLength(32);
      expect(new SecretBox([{ id, key: key1 }]).activeKeyId).toBe(id);
    });

    it('rejects duplicate ids', () => {
      expect(
        () =>
          new SecretBox([
            { id: 'k1', key: key1 },
            { id: 'k1', key: key2 },
          ]),
      ).toThrow('SecretBox key id "k1" is used more than once');
    });

    it('rejects the same key material under two ids', () => {
      expect(
        () =>
          new SecretBox([
            { id: 'k2', key: key1 },
            { id: 'k1', key: Buffer.from(key1) },
          ]),
      ).toThrow('SecretBox keys "k2" and "k1" have the same key material');
    });

    it('rejects an active key id that is not in the ring', () => {
      expect(() => new SecretBox([{ id: 'k1', key: key1 }], 'k9')).toThrow(/"k9" is not in the keyring/);
    });

    it('copies the key, so later changes to the caller’s buffer do not matter', () => {
      const key = Buffer.from(key1);
      const own = new SecretBox([{ id: 'k1', key }]);
      const token = own.encrypt('x');
      key.fill(0);
      expect(own.decrypt(token)).toBe('x');
    });

    it('never shows key bytes when inspected or serialized', () => {
      const shown = inspect(box, { depth: 10 }) + JSON.stringify(box);
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        expect(shown).not.toContain(key1.toString(encoding));
      }
    });
  });

  describe('parseKeyring', () => {
    const b64 = (key: Buffer) => key.toString('base64');

    it('parses the env format, first key active', () => {
      const ring = SecretBox.parseKeyring(`k2:${b64(key2)},k1:${b64(key1)}`);
      expect(ring.activeKeyId).toBe('k2');
      expect(ring.keyIds).toEqual(['k2', 'k1']);
      expect(ring.decrypt(new SecretBox([{ id: 'k1', key: key1 }]).encrypt('x', AD), AD)).toBe('x');
      expect(new SecretBox([{ id: 'k2', key: key2 }]).decrypt(ring.encrypt('y', AD), AD)).toBe('y');
    });

    it('accepts base64 with or without padding, base64url, and surrounding whitespace', () => {
      const url = key1.toString('base64url');
      const unpadded = b64(key2).replace(/=+$/, '');
      const ring = SecretBox.parseKeyring(` a : ${url} ,\n b:${unpadded} , c:${b64(randomBytes(32))} `);
      expect(ring.keyIds).toEqual(['a', 'b', 'c']);
      expect(ring.decrypt(new SecretBox([{ id: 'a', key: key1 }]).encrypt('x'))).toBe('x');
      expect(ring.decrypt(new SecretBox([{ id: 'b', key: key2 }]).encrypt('x'))).toBe('x');
    });

    it('accepts keys made by generateKey', () => {
      expect(SecretBox.parseKeyring(`dev:${SecretBox.generateKey()}`).activeKeyId).toBe('dev');
    });

    const material = b64(key1);
    const shortMaterial = b64(randomBytes(16));
    it.each([
      ['an empty spec', '', /it is empty/],
      ['a blank spec', '   ', /it is empty/],
      ['a bare key without id', material, /entry 1 has no "<id>:" prefix/],
      ['an empty entry', `k1:${material},`, /entry 2 is empty/],
      ['an invalid id', `bad.id:${material}`, /entry 1 has an invalid key id/],
      ['key material in the id position', `${material}:k1`, /entry 1 has an invalid key id/],
      ['a missing key', 'k1:', /key "k1" has no key material/],
      ['non-base64 material', `k1:${material.slice(0, 20)}!!${material.slice(22)}`, /key "k1" is not base64/],
      ['a short key', `k1:${shortMaterial}`, /key "k1" decodes to 16 bytes, not 32/],
      ['a hex key', `k1:${key1.toString('hex')}`, /key "k1" decodes to 48 bytes, not 32/],
      ['a duplicate id', `k1:${material},k1:${b64(key2)}`, /key id "k1" is used more than once/],
      ['a repeated key', `k2:${material},k1:${material}`, /keys "k2" and "k1" have the same key material/],
    ])('rejects %s with a message that names the problem but not the key', (_name, spec, expected) => {
      const error = errorOf(() => SecretBox.parseKeyring(spec));
      expect(error.message).toMatch(expected);
      expect(error.message).toMatch(/^ENCRYPTION_KEYS is invalid: /);
      for (const secret of [material, material.slice(0, 20), shortMaterial, key1.toString('hex')]) {
        expect(error.message).not.toContain(secret);
      }
    });
  });

  describe('generateKey', () => {
    it('returns base64 of 32 random bytes, different each time', () => {
      const a = SecretBox.generateKey();
      const b = SecretBox.generateKey();
      expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(a, 'base64')).toHaveLength(32);
      expect(a).not.toBe(b);
    });
  });
});
