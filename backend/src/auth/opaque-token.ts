import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque secrets (refresh tokens, API keys) carry 256 random bits, so a plain SHA-256 digest at
 * rest is enough: there is nothing to brute-force, unlike a password.
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function matchesDigest(secret: string, expected: Buffer): boolean {
  const actual = digest(secret);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
