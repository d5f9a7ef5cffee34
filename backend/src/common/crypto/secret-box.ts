import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Encrypts secrets we must be able to read back (OAuth provider tokens, integration
 * credentials) before they reach the database: AES-256-GCM, one key per id, so keys can rotate.
 *
 * Token format, plain text so it fits a `text` column and survives logs and dumps unchanged:
 *
 *     v1.<keyId>.<iv>.<ciphertext>.<tag>      (iv, ciphertext and tag in unpadded base64url)
 *
 * - The IV is 12 random bytes per call. With random IVs GCM stays safe for about 2^32
 *   encryptions per key, far beyond what a handful of tokens per user will ever need.
 * - The GCM additional data is the token header (`v1.<keyId>`) plus the caller's
 *   `associatedData` (e.g. `federated_identities:<id>:access_token`). Naming the row and column
 *   there means a ciphertext copied to another row or column fails to decrypt instead of
 *   handing one user's token to another. Binding the header too keeps a future `v2` from
 *   being confused with a `v1` token under the same key.
 * - Tokens name their key, so old keys keep decrypting after a new one becomes active;
 *   `needsReencryption` and `reencrypt` move rows over, after which the old key can go.
 *
 * Error messages name the key id and the problem, never key material, plaintext or the token
 * itself: a "malformed token" may well be a plaintext secret stored before encryption existed.
 */
export class SecretBox {
  /** Key ids become part of the token, which is split on `.`; this alphabet never contains one. */
  static readonly KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
  static readonly KEY_BYTES = 32;

  private static readonly VERSION = 'v1';
  private static readonly IV_BYTES = 12;
  private static readonly TAG_BYTES = 16;

  /** KeyObjects rather than Buffers: logging or inspecting the box never prints key bytes. */
  private readonly keys = new Map<string, KeyObject>();
  readonly activeKeyId: string;

  constructor(keys: readonly { id: string; key: Buffer }[], activeKeyId?: string) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    const seen: { id: string; key: Buffer }[] = [];
    keys.forEach(({ id, key }, index) => {
      if (typeof id !== 'string' || !SecretBox.KEY_ID_PATTERN.test(id)) {
        throw new Error(
          `SecretBox key #${index + 1} has an invalid id: use 1-32 characters of A-Z, a-z, 0-9, '_' or '-'`,
        );
      }
      if (this.keys.has(id)) throw new Error(`SecretBox key id "${id}" is used more than once`);
      if (!Buffer.isBuffer(key) || key.length !== SecretBox.KEY_BYTES) {
        const size = Buffer.isBuffer(key) ? `${key.length} bytes` : 'not a Buffer';
        throw new Error(`SecretBox key "${id}" must be exactly ${SecretBox.KEY_BYTES} bytes (got ${size})`);
      }
      // The same bytes under two ids is a copy-paste slip that makes a "rotation" rotate nothing.
      const twin = seen.find((other) => other.key.equals(key));
      if (twin) throw new Error(`SecretBox keys "${twin.id}" and "${id}" have the same key material`);
      seen.push({ id, key });
      this.keys.set(id, createSecretKey(Buffer.from(key)));
    });

    const active = activeKeyId ?? keys[0]?.id;
    if (active === undefined || !this.keys.has(active)) {
      throw new Error(`SecretBox active key id "${String(activeKeyId)}" is not in the keyring`);
    }
    this.activeKeyId = active;
  }

  /**
   * Parses the `ENCRYPTION_KEYS` format, `k2:<base64 32 bytes>,k1:<base64 32 bytes>`: the first
   * key is active, the rest only decrypt. Standard base64 (padded or not) and base64url are
   * accepted. Messages name the entry and the problem but never echo key material.
   */
  static parseKeyring(spec: string): SecretBox {
    const problem = (detail: string) =>
      new Error(
        `ENCRYPTION_KEYS is invalid: ${detail}. Expected "<id>:<base64 of 32 random bytes>" entries ` +
          `separated by commas, newest first (generate a key with: openssl rand -base64 32)`,
      );
    if (typeof spec !== 'string' || spec.trim() === '') throw problem('it is empty');

    const keys = spec.split(',').map((raw, index) => {
      const entry = raw.trim();
      const position = `entry ${index + 1}`;
      if (entry === '') throw problem(`${position} is empty`);
      const colon = entry.indexOf(':');
      if (colon < 0) throw problem(`${position} has no "<id>:" prefix`);
      const id = entry.slice(0, colon).trim();
      const material = entry.slice(colon + 1).trim();
      // An invalid id is not echoed: a mangled entry may have key bytes where the id belongs.
      if (!SecretBox.KEY_ID_PATTERN.test(id)) {
        throw problem(`${position} has an invalid key id (use 1-32 characters of A-Z, a-z, 0-9, '_' or '-')`);
      }
      if (material === '') throw problem(`key "${id}" has no key material after the ":"`);
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) {
        throw problem(`key "${id}" is not base64 or base64url`);
      }
      const key = Buffer.from(material.replace(/=+$/, ''), 'base64url');
      if (key.length !== SecretBox.KEY_BYTES) {
        throw problem(`key "${id}" decodes to ${key.length} bytes, not ${SecretBox.KEY_BYTES}`);
      }
      return { id, key };
    });

    try {
      return new SecretBox(keys);
    } catch (e) {
      // The constructor's messages carry ids only; re-wrap them in the env var's vocabulary.
      throw problem((e as Error).message.replace(/^SecretBox /, ''));
    }
  }

  /** Base64 of 32 random bytes: one `ENCRYPTION_KEYS` entry's material (local dev keys). */
  static generateKey(): string {
    return randomBytes(SecretBox.KEY_BYTES).toString('base64');
  }

  /** Ids of every key in the ring, active first when it was given first. */
  get keyIds(): readonly string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string, associatedData?: string): string {
    const keyId = this.activeKeyId;
    const iv = randomBytes(SecretBox.IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyFor(keyId), iv, {
      authTagLength: SecretBox.TAG_BYTES,
    });
    cipher.setAAD(SecretBox.aad(keyId, associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      SecretBox.VERSION,
      keyId,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /**
   * Decrypts with the key the token names. `associatedData` must equal the one given to
   * `encrypt` (undefined and '' are the same); anything else fails like tampering does.
   */
  decrypt(token: string, associatedData?: string): string {
    const parsed = SecretBox.parse(token);
    const key = this.keys.get(parsed.keyId);
    if (!key) {
      throw new SecretBoxError(
        SecretBoxErrorCode.KeyUnknown,
        `secret was encrypted with key "${parsed.keyId}", which is not in the keyring`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, {
        authTagLength: SecretBox.TAG_BYTES,
      });
      decipher.setAAD(SecretBox.aad(parsed.keyId, associatedData));
      decipher.setAuthTag(parsed.tag);
      return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // GCM cannot tell these apart, and neither should an attacker probing us.
      throw new SecretBoxError(
        SecretBoxErrorCode.Unreadable,
        `secret failed authentication with key "${parsed.keyId}": it was altered, or belongs to another record or field`,
      );
    }
  }

  /**
   * True when the token was written with a key other than the active one (including one no
   * longer in the ring; `reencrypt` then reports it). Throws `SECRET_MALFORMED` for non-tokens.
   */
  needsReencryption(token: string): boolean {
    return SecretBox.parse(token).keyId !== this.activeKeyId;
  }

  /** Decrypts (with whichever key the token names) and encrypts again under the active key. */
  reencrypt(token: string, associatedData?: string): string {
    return this.encrypt(this.decrypt(token, associatedData), associatedData);
  }

  private keyFor(keyId: string): KeyObject {
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(SecretBoxErrorCode.KeyUnknown, `key "${keyId}" is not in the keyring`);
    return key;
  }

  private static aad(keyId: string, associatedData: string | undefined): Buffer {
    // The header cannot contain a NUL, so splitting at the first one recovers (header, data):
    // two different pairs never produce the same bytes.
    return Buffer.from(`${SecretBox.VERSION}.${keyId}\0${associatedData ?? ''}`, 'utf8');
  }

  private static parse(token: string): { keyId: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
    const malformed = (why: string) =>
      new SecretBoxError(SecretBoxErrorCode.Malformed, `value is not a SecretBox token: ${why}`);
    if (typeof token !== 'string') throw malformed('not a string');
    const parts = token.split('.');
    if (parts.length !== 5) throw malformed(`expected 5 dot-separated parts, found ${parts.length}`);
    const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    if (version !== SecretBox.VERSION) throw malformed('unsupported format version');
    if (!SecretBox.KEY_ID_PATTERN.test(keyId)) throw malformed('invalid key id');
    const ivBytes = SecretBox.decodePart(iv, 'iv', malformed);
    const tagBytes = SecretBox.decodePart(tag, 'tag', malformed);
    if (ivBytes.length !== SecretBox.IV_BYTES) throw malformed(`iv must be ${SecretBox.IV_BYTES} bytes`);
    if (tagBytes.length !== SecretBox.TAG_BYTES) throw malformed(`tag must be ${SecretBox.TAG_BYTES} bytes`);
    return {
      keyId,
      iv: ivBytes,
      ciphertext: SecretBox.decodePart(ciphertext, 'ciphertext', malformed),
      tag: tagBytes,
    };
  }

  /**
   * Node's base64url decoder skips characters it does not know; insisting on the canonical
   * encoding means every edit to a token is an error rather than sometimes a no-op.
   */
  private static decodePart(text: string, name: string, malformed: (why: string) => SecretBoxError): Buffer {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw malformed(`${name} is not base64url`);
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.toString('base64url') !== text) throw malformed(`${name} is not canonical base64url`);
    return bytes;
  }
}

export enum SecretBoxErrorCode {
  /** Not a `v1.` token at all, or one whose parts do not decode. */
  Malformed = 'SECRET_MALFORMED',
  /** A well-formed token naming a key that has been removed from ENCRYPTION_KEYS. */
  KeyUnknown = 'SECRET_KEY_UNKNOWN',
  /** GCM authentication failed: tampered, wrong associated data, or the key was replaced. */
  Unreadable = 'SECRET_UNREADABLE',
}

/**
 * A plain Error, not a DomainError: an unreadable secret is our fault (a lost key, a corrupted
 * row), never the client's, so it has no HTTP status of its own and surfaces as a logged 500.
 * Callers that can recover (e.g. asking the user to reconnect an integration) branch on `code`.
 */
export class SecretBoxError extends Error {
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}
