import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters like PagerDuty's routing keys (some producers check the length). */
export const INTEGRATION_KEY_LENGTH = 32;
/** The first characters find the source's row; the rest (124 random bits) are the secret. */
export const KEY_PREFIX_LENGTH = 8;
const KEY_FORMAT = /^[a-z0-9]{32}$/;

export function newIntegrationKey(): string {
  let key = '';
  for (let i = 0; i < INTEGRATION_KEY_LENGTH; i++) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}

export function looksLikeIntegrationKey(value: string): boolean {
  return KEY_FORMAT.test(value);
}

export function prefixOf(key: string): string {
  return key.slice(0, KEY_PREFIX_LENGTH);
}

/** 124 random bits need no slow hash: SHA-256 at rest, as for API keys. */
export function hashOfKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function keyMatches(key: string, hash: Buffer): boolean {
  const actual = hashOfKey(key);
  return actual.length === hash.length && timingSafeEqual(actual, hash);
}
