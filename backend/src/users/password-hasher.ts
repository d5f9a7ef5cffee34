import { hash, parseOptions, verify, type Algorithm, type Options, type Version } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** Argon2id cost; OWASP's baseline is 19 MiB, 2 iterations, parallelism 1. */
export interface Argon2Cost {
  /** Memory per hash in KiB (`m=` in the PHC string); at least 8 × parallelism. */
  memoryKib: number;
  /** Passes over memory (`t=`). */
  iterations: number;
  /** Lanes (`p=`), 1-255. */
  parallelism: number;
}

// @node-rs/argon2 declares Algorithm and Version as `const enum`s. Their values only exist in
// the .d.ts (at runtime the exported objects are empty), and swc compiles each file on its own,
// so `Algorithm.Argon2id` would be undefined under Jest. Hence the numbers, checked against the
// declared types here and against real hashes (`$argon2id$v=19$`) in the spec.
const ARGON2ID: Algorithm = 2;
const VERSION_0X13: Version = 1;
/** The library's defaults, pinned so a change to them shows up as "needs rehash", not drift. */
const OUTPUT_BYTES = 32;
const MIN_SALT_BYTES = 16;

/**
 * Hashes and verifies passwords with argon2id, producing PHC strings
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that carry their own cost, so the cost can
 * rise later: `needsRehash` spots hashes made with other parameters, and the login flow re-hashes
 * the password it has just verified.
 *
 * Passwords are NFKC-normalised before hashing and verifying (NIST SP 800-63B 5.1.1.2): the same
 * password typed as precomposed "é" on one keyboard and "e" + combining accent on another must
 * match. Every hash goes through this class, so both sides always agree.
 */
export class PasswordHasher {
  private readonly options: Options;
  /**
   * A hash of a random password at the current cost, started at construction so it is ready by
   * the first login. `dummyVerify` checks against it so an unknown email costs as much as a
   * known one.
   */
  private readonly dummyHash: Promise<string>;

  constructor(private readonly cost: Argon2Cost) {
    const { memoryKib, iterations, parallelism } = cost;
    const isWhole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;
    if (!isWhole(parallelism, 1, 255))
      throw new Error(`argon2 parallelism must be 1-255, got ${parallelism}`);
    if (!isWhole(iterations, 1, 2 ** 32 - 1))
      throw new Error(`argon2 iterations must be ≥ 1, got ${iterations}`);
    if (!isWhole(memoryKib, 8 * parallelism, 2 ** 32 - 1)) {
      throw new Error(
        `argon2 memory must be a whole number of KiB ≥ 8 × parallelism (${8 * parallelism}), got ${memoryKib}`,
      );
    }
    this.options = {
      algorithm: ARGON2ID,
      version: VERSION_0X13,
      memoryCost: memoryKib,
      timeCost: iterations,
      parallelism,
      outputLen: OUTPUT_BYTES,
    };
    this.dummyHash = hash(randomBytes(32).toString('base64url'), this.options);
    // Never rejects for validated options; this only keeps a surprise from crashing the process
    // as an unhandled rejection before anyone awaits it (dummyVerify would still see it).
    this.dummyHash.catch(() => undefined);
  }

  /** A PHC string with a fresh random salt. */
  hash(password: string): Promise<string> {
    return hash(normalize(password), this.options);
  }

  /**
   * False for a wrong password and also for a hash that cannot be parsed (an empty column, a
   * hash from another scheme): a login must fail closed, not turn a bad row into a 500.
   */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, normalize(password));
    } catch {
      return false;
    }
  }

  /**
   * True when the hash was made with other parameters than the current ones (or cannot be read),
   * so raising the cost upgrades each user's hash at their next successful login.
   */
  needsRehash(passwordHash: string): boolean {
    try {
      const used = parseOptions(passwordHash);
      return (
        used.algorithm !== ARGON2ID ||
        used.version !== VERSION_0X13 ||
        used.memoryCost !== this.cost.memoryKib ||
        used.timeCost !== this.cost.iterations ||
        used.parallelism !== this.cost.parallelism ||
        used.outputLen !== OUTPUT_BYTES ||
        used.saltLen < MIN_SALT_BYTES
      );
    } catch {
      return true;
    }
  }

  /**
   * Spends what a real `verify` spends, against a hash at the current cost, and returns false.
   * Call it when there is no hash to check (unknown email, SSO-only account) so response times
   * do not reveal which emails have accounts.
   */
  async dummyVerify(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}

function normalize(password: string): string {
  return password.normalize('NFKC');
}
