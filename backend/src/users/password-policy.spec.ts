import { COMMON_PASSWORDS } from './common-passwords';
import { PasswordPolicy } from './password-policy';

const TOO_SHORT = /at least 12 characters/;
const TOO_LONG = /at most 128 characters/;
const EMAIL = /must not contain your email address/;
const NAME = /must not contain your name/;
const SERVICE = /must not contain the name of this service/;
const COMMON = /too common/;
const REPEATED_CHAR = /one character repeated/;
const REPEATED_PATTERN = /short pattern repeated/;
const SEQUENCE = /simple sequence/;

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy();
  const context = { email: 'jane.doe@example.com', name: 'Jane Doe' };

  describe('acceptable passwords', () => {
    it.each([
      'correct horse battery staple',
      'Tr0ub4dor&3 is not as good as a passphrase',
      'my cat eats cucumbers on tuesdays',
      'vK9#mQ2$xL7@pR4!',
      'zebra-lantern-otter-quilt',
      'ünïcödé pässphrâsé',
      '雨の日は図書館で本を読む',
      'purple monkey dishwasher',
    ])('accepts %j', (password) => {
      expect(policy.violations(password, context)).toEqual([]);
    });

    it('imposes no composition rules: lowercase letters and spaces alone are fine', () => {
      expect(policy.violations('lowercase words only here', {})).toEqual([]);
    });

    it('works without any context', () => {
      expect(policy.violations('correct horse battery staple')).toEqual([]);
    });
  });

  describe('length', () => {
    it('refuses passwords shorter than the minimum, with a message naming it', () => {
      expect(policy.violations('plumtree47', context)).toEqual([
        'Password must be at least 12 characters long.',
      ]);
      expect(policy.violations('', context)).toContainEqual(expect.stringMatching(TOO_SHORT));
    });

    it('accepts exactly the minimum', () => {
      expect(policy.violations('plumtree47xz', context)).toEqual([]);
    });

    it('counts code points, not UTF-16 units', () => {
      // Eleven emoji are 22 UTF-16 units but 11 characters: still too short.
      const eleven = '🐢🦊🐙🦉🐝🦋🐳🦄🐲🦀🦔';
      expect(eleven.length).toBe(22);
      expect(policy.violations(eleven, {})).toEqual([expect.stringMatching(TOO_SHORT)]);
      expect(policy.violations(`${eleven}🐧`, {})).toEqual([]);
    });

    it('counts an accented letter once however it was typed (NFKC, as the hasher hashes)', () => {
      // 11 characters; typed with combining accents they are 14 code points, still 11 letters.
      const decomposed = 'crème brûlé'.normalize('NFD');
      expect([...decomposed].length).toBe(14);
      expect(policy.violations(decomposed, {})).toEqual([expect.stringMatching(TOO_SHORT)]);
      expect(policy.violations('crème brûlée'.normalize('NFD'), {})).toEqual([]);
    });

    it('honours a configured minimum', () => {
      const strict = new PasswordPolicy({ minLength: 16 });
      expect(strict.minLength).toBe(16);
      expect(strict.violations('fifteen chars!!', {})).toEqual([
        'Password must be at least 16 characters long.',
      ]);
      expect(strict.violations('sixteen chars!!!', {})).toEqual([]);
    });

    it('defaults to 12', () => {
      expect(policy.minLength).toBe(12);
      expect(PasswordPolicy.DEFAULT_MIN_LENGTH).toBe(12);
    });

    it('refuses passwords longer than 128 characters', () => {
      const long = 'correct horse battery staple '.repeat(5).slice(0, 129);
      expect([...long].length).toBe(129);
      expect(policy.violations(long, {})).toEqual(['Password must be at most 128 characters long.']);
      expect(policy.violations(long.slice(0, 128), {})).toEqual([]);
    });

    it('measures the maximum in code points too', () => {
      // Distinct animal emoji: each is two UTF-16 units but one character.
      const emoji = (count: number) =>
        Array.from({ length: count }, (_, i) => String.fromCodePoint(0x1f400 + i)).join('');
      expect(emoji(128).length).toBe(256);
      expect(policy.violations(emoji(128), {})).toEqual([]);
      expect(policy.violations(emoji(129), {})).toEqual([expect.stringMatching(TOO_LONG)]);
    });

    it.each([7, 0, -1, 12.5, 129, Number.NaN])('rejects a minimum of %p', (minLength) => {
      expect(() => new PasswordPolicy({ minLength })).toThrow(/from 8 to 128/);
    });

    it('accepts minimums from 8 to 128', () => {
      expect(new PasswordPolicy({ minLength: 8 }).minLength).toBe(8);
      expect(new PasswordPolicy({ minLength: 128 }).minLength).toBe(128);
    });
  });

  describe('context words', () => {
    it('refuses the email local part, case-insensitively', () => {
      const ctx = { email: 'jane.doe@example.com' };
      expect(policy.violations('JANE.DOE is my password', ctx)).toEqual([expect.stringMatching(EMAIL)]);
    });

    it('refuses parts of the email local part of 4+ characters', () => {
      const ctx = { email: 'johnny.appleseed+nx@example.com' };
      expect(policy.violations('orchard Appleseed tree', ctx)).toEqual([expect.stringMatching(EMAIL)]);
      expect(policy.violations('ride with johnny today', ctx)).toEqual([expect.stringMatching(EMAIL)]);
    });

    it('ignores email parts shorter than 4 characters', () => {
      expect(policy.violations('bo and al went fishing', { email: 'bo.al@example.com' })).toEqual([]);
    });

    it('catches a short-part local part that is 4+ characters as a whole', () => {
      expect(policy.violations('here is bo.al again!', { email: 'bo.al@example.com' })).toEqual([
        expect.stringMatching(EMAIL),
      ]);
    });

    it('does not refuse the email domain', () => {
      expect(policy.violations('example bicycle lantern', { email: 'x@example.com' })).toEqual([]);
    });

    it('refuses name parts of 4+ characters, case-insensitively', () => {
      const ctx = { name: 'Maria José Fernández' };
      expect(policy.violations('i love MARIA forever!!', ctx)).toEqual([expect.stringMatching(NAME)]);
      expect(policy.violations('fernández rides a bike', ctx)).toEqual([expect.stringMatching(NAME)]);
      expect(policy.violations('FERNÁNDEZ rides a bike', ctx)).toEqual([expect.stringMatching(NAME)]);
    });

    it('ignores name parts shorter than 4 characters', () => {
      expect(policy.violations('the sun and the sea ok', { name: 'Sun Li' })).toEqual([]);
    });

    it('reports email and name separately when both appear', () => {
      expect(policy.violations('jane.doe and jane again', context)).toEqual([
        expect.stringMatching(EMAIL),
        expect.stringMatching(NAME),
      ]);
    });

    it('refuses the name of the service', () => {
      expect(policy.violations('I work at NEXECUTE daily', {})).toEqual([expect.stringMatching(SERVICE)]);
    });

    it('tolerates empty context fields', () => {
      expect(policy.violations('correct horse battery staple', { email: '', name: '' })).toEqual([]);
      expect(policy.violations('correct horse battery staple', { email: 'no-at-sign' })).toEqual([]);
    });
  });

  describe('common passwords', () => {
    it('holds about 200 lower-case entries', () => {
      expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(200);
      for (const entry of COMMON_PASSWORDS) expect(entry).toBe(entry.toLowerCase());
    });

    it.each(['password1234', 'qwertyuiop12', 'administrator', '1q2w3e4r5t6y', 'PASSWORD1234', 'BaseBall'])(
      'refuses %j, case-insensitively',
      (password) => {
        expect(policy.violations(password, {})).toContainEqual(expect.stringMatching(COMMON));
      },
    );

    it.each([
      'Password123!',
      'password2024!!',
      'Dragon12345678',
      '!!letmein2024',
      'Football#1234',
      'sunshine 1234',
    ])('refuses a common word with trivial padding: %j', (password) => {
      expect(policy.violations(password, {})).toContainEqual(expect.stringMatching(COMMON));
    });

    it.each(['P@ssw0rd1234', 'Pa55word!!!!', 'l3tm3in12345', 'sh4d0w123456'])(
      'refuses a common word disguised with look-alikes: %j',
      (password) => {
        expect(policy.violations(password, {})).toContainEqual(expect.stringMatching(COMMON));
      },
    );

    it('pads only words of 6+ characters, so short common words can still start a password', () => {
      // "admin" and "test" are blocklisted, but "admin" + digits is not the same guess.
      expect(policy.violations('admin-2024-0931', {})).toEqual([]);
      expect(policy.violations('test-8429-1375', {})).toEqual([]);
    });

    it('does not refuse a passphrase merely containing a common word', () => {
      expect(policy.violations('my password is a purple giraffe', {})).toEqual([]);
      expect(policy.violations('dragon slayer of the north', {})).toEqual([]);
    });

    it('refuses a short common password for both reasons', () => {
      expect(policy.violations('letmein', {})).toEqual([
        expect.stringMatching(TOO_SHORT),
        expect.stringMatching(COMMON),
      ]);
    });
  });

  describe('repetition', () => {
    it.each(['aaaaaaaaaaaa', 'ZZZZZZZZZZZZZZZZ', '!!!!!!!!!!!!', '777777777777', '🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊'])(
      'refuses one repeated character: %j',
      (password) => {
        expect(policy.violations(password, {})).toContainEqual(expect.stringMatching(REPEATED_CHAR));
      },
    );

    it('refuses one repeated character with trivial padding', () => {
      expect(policy.violations('xxxxxxxxxxxx12', {})).toContainEqual(expect.stringMatching(REPEATED_CHAR));
    });

    it.each([
      'abababababab',
      'abcabcabcabc',
      'Abcd'.repeat(4),
      '1212121212121',
      '12341234123412'.slice(0, 12),
    ])('refuses a short pattern repeated: %j', (password) => {
      expect(policy.violations(password, {})).toContainEqual(expect.stringMatching(REPEATED_PATTERN));
    });

    it('does not call a longer repeated word a pattern', () => {
      expect(policy.violations('hello world hello world', {})).toEqual([]);
    });
  });

  describe('sequences', () => {
    it.each([
      'abcdefghijkl',
      'ABCDEFGHIJKLMN',
      'zyxwvutsrqpo',
      '123456789012',
      '098765432109',
      'qwertyuiopas',
      'QWERTYUIOPASDFGH',
      'lkjhgfdsapoi',
      '1234567890-=',
      '!@#$%^&*()_+',
    ])('refuses %j', (password) => {
      expect(policy.violations(password, {})).toContainEqual(expect.stringMatching(SEQUENCE));
    });

    it('refuses a sequence with trivial padding', () => {
      expect(policy.violations('abcdefghij!!', {})).toContainEqual(expect.stringMatching(SEQUENCE));
      expect(policy.violations('qwertyuiop2024', {})).toContainEqual(expect.stringMatching(SEQUENCE));
    });

    it('does not refuse a passphrase merely containing a sequence', () => {
      expect(policy.violations('my pin is not 123456 at all', {})).toEqual([]);
    });
  });

  describe('the current password', () => {
    it('refuses it, alone or with other violations last', () => {
      expect(policy.violations('correct horse battery staple', { isCurrentPassword: true })).toEqual([
        'Password must differ from the current password.',
      ]);
      expect(policy.violations('Jane123', { ...context, isCurrentPassword: true })).toEqual([
        expect.stringMatching(TOO_SHORT),
        expect.stringMatching(EMAIL),
        expect.stringMatching(NAME),
        'Password must differ from the current password.',
      ]);
    });

    it('is fine when the caller says it is not the current one', () => {
      expect(policy.violations('correct horse battery staple', { isCurrentPassword: false })).toEqual([]);
    });
  });

  describe('describe', () => {
    it('joins the sentences with a space, never ".;"', () => {
      const message = PasswordPolicy.describe(policy.violations('Jane123', context));
      expect(message).toBe(
        'Password must be at least 12 characters long. Password must not contain your email address or part of it. Password must not contain your name.',
      );
      expect(message).not.toContain('.;');
      expect(PasswordPolicy.describe(['Password must not contain your name.'])).toBe(
        'Password must not contain your name.',
      );
    });
  });

  it('lists every violation at once', () => {
    expect(policy.violations('Jane123', context)).toEqual([
      expect.stringMatching(TOO_SHORT),
      expect.stringMatching(EMAIL),
      expect.stringMatching(NAME),
    ]);
  });
});
