import { randomInt } from 'node:crypto';

// No 0/O, 1/l/I: temporary passwords are read off a screen and typed by hand.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password in dash-separated groups of four, at least `minLength` long (≥ 95 bits at 16). */
export function generateTemporaryPassword(minLength: number): string {
  const letters = Math.max(16, minLength);
  const chars = Array.from({ length: letters }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return (chars.join('').match(/.{1,4}/g) ?? []).join('-');
}
