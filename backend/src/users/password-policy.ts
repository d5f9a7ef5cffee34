import { COMMON_PASSWORDS } from './common-passwords';

export interface PasswordPolicyOptions {
  /** Minimum length in characters (Unicode code points); 8-128, default 12. */
  minLength?: number;
}

/** Who the password is for: their own name and email make easy guesses. */
export interface PasswordContext {
  email?: string;
  name?: string;
  /**
   * The password is the one the account has now (the caller checked it against the stored
   * hash): a forced change to the same password would keep a logged or admin-issued one valid.
   */
  isCurrentPassword?: boolean;
}

/** Digits, whitespace and ASCII punctuation: what people bolt onto a word to pass a rule. */
const TRIVIAL_AFFIX = /^[\s0-9!-/:-@[-`{-~]+|[\s0-9!-/:-@[-`{-~]+$/g;

/** Look-alike substitutions ("p@ssw0rd"); '1' reads as either 'i' or 'l'. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

/** Runs people type without thinking: alphabet, digits (9 wraps to 0), keyboard rows. */
const SEQUENCES: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789'.repeat(14), // longer than any allowed password, so any run fits
  'qwertyuiopasdfghjklzxcvbnm',
  '`1234567890-=',
  '~!@#$%^&*()_+',
].flatMap((s) => [s, [...s].reverse().join('')]);

/** Context words shorter than this are too likely to occur by chance ("ann", "li"). */
const MIN_CONTEXT_WORD = 4;
/** A blocklisted word must be at least this long before its padded variants are refused too. */
const MIN_PADDED_BASE = 6;
/** The product's name, which NIST lists among context-specific words to refuse. */
const SERVICE_WORDS: readonly string[] = ['nexecute'];

/**
 * Password rules after NIST SP 800-63B (5.1.1.2): a minimum and maximum length, no blocklisted,
 * repetitive, sequential or context-derived passwords, and deliberately no composition rules
 * (mandatory digits/symbols), which push people towards "Password1!" rather than strength.
 *
 * Lengths count Unicode code points of the NFKC form, the form `PasswordHasher` hashes, so an
 * emoji or a CJK character is one character and "é" is one however it was typed.
 */
export class PasswordPolicy {
  static readonly DEFAULT_MIN_LENGTH = 12;
  /** Long enough for any passphrase; the cap keeps hashing cost bounded. */
  static readonly MAX_LENGTH = 128;

  readonly minLength: number;

  constructor({ minLength = PasswordPolicy.DEFAULT_MIN_LENGTH }: PasswordPolicyOptions = {}) {
    if (!Number.isInteger(minLength) || minLength < 8 || minLength > PasswordPolicy.MAX_LENGTH) {
      // NIST's floor is 8; anything lower is a configuration mistake, not a policy.
      throw new Error(
        `Password minimum length must be a whole number from 8 to ${PasswordPolicy.MAX_LENGTH}`,
      );
    }
    this.minLength = minLength;
  }

  /** Human-readable reasons the password is refused; empty when it is acceptable. */
  violations(password: string, context: PasswordContext = {}): string[] {
    const normalized = password.normalize('NFKC');
    const lower = normalized.toLowerCase();
    const length = [...normalized].length;
    // The password with padding like "123!" removed from either end: weak cores stay weak.
    const core = lower.replace(TRIVIAL_AFFIX, '');
    const cores = [...core].length >= MIN_PADDED_BASE && core !== lower ? [lower, core] : [lower];
    const found: string[] = [];

    if (length < this.minLength) found.push(`Password must be at least ${this.minLength} characters long.`);
    if (length > PasswordPolicy.MAX_LENGTH) {
      found.push(`Password must be at most ${PasswordPolicy.MAX_LENGTH} characters long.`);
    }
    if (containsAny(lower, emailWords(context.email))) {
      found.push('Password must not contain your email address or part of it.');
    }
    if (containsAny(lower, words(context.name))) found.push('Password must not contain your name.');
    if (containsAny(lower, SERVICE_WORDS)) found.push('Password must not contain the name of this service.');
    if (isCommon(lower, core)) {
      found.push(
        'Password is too common: it appears in lists of breached passwords, even with digits or symbols added.',
      );
    }
    const repeatedUnit = cores.map(repeatedUnitLength).find((unit) => unit > 0);
    if (repeatedUnit === 1) found.push('Password must not be one character repeated.');
    else if (repeatedUnit !== undefined) found.push('Password must not be a short pattern repeated.');
    if (cores.some(isSequence)) {
      found.push('Password must not be a simple sequence such as "abcdef", "123456" or "qwerty".');
    }
    if (context.isCurrentPassword === true) found.push('Password must differ from the current password.');
    return found;
  }

  /** The violations as one message: each is a sentence of its own, so they are joined by a space. */
  static describe(violations: readonly string[]): string {
    return violations.join(' ');
  }
}

function words(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => [...word].length >= MIN_CONTEXT_WORD);
}

/** The local part itself ("j.doe") and its pieces ("john", "smith" of "john.smith+nx"). */
function emailWords(email: string | undefined): string[] {
  if (!email) return [];
  const at = email.lastIndexOf('@');
  const local = (at < 0 ? email : email.slice(0, at)).normalize('NFKC').toLowerCase().trim();
  return [...([...local].length >= MIN_CONTEXT_WORD ? [local] : []), ...words(local)];
}

function containsAny(password: string, candidates: readonly string[]): boolean {
  return candidates.some((word) => password.includes(word));
}

function isCommon(lower: string, core: string): boolean {
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(lower.trim())) return true;
  // Padded or disguised variants count only for longer words: "abc" + "12345678" is not
  // "abc123", and short words would refuse too much by accident.
  return [core, ...unLookalike(core)].some(
    (base) => [...base].length >= MIN_PADDED_BASE && COMMON_PASSWORDS.has(base),
  );
}

function unLookalike(text: string): string[] {
  const swap = (one: string) => [...text].map((c) => (c === '1' ? one : (LOOKALIKES[c] ?? c))).join('');
  return [swap('i'), swap('l')];
}

/**
 * The length (1-4) of the unit the whole text repeats, at least twice and possibly ending part
 * way through it ("aaaa" → 1, "abcabcab" → 3), or 0. Needs at least three characters, so "aa"
 * is not called a pattern.
 */
function repeatedUnitLength(text: string): number {
  const chars = [...text];
  if (chars.length < 3) return 0;
  for (let unit = 1; unit <= 4 && unit * 2 <= chars.length; unit++) {
    if (chars.every((c, i) => c === chars[i % unit])) return unit;
  }
  return 0;
}

function isSequence(text: string): boolean {
  return [...text].length >= 3 && SEQUENCES.some((sequence) => sequence.includes(text));
}
