import argon2 from '@node-rs/argon2';
import { PasswordHasher, type Argon2Cost } from './password-hasher';

// Cheap parameters keep the spec fast; the argon2 minimum is 8 KiB per lane.
const cost: Argon2Cost = { memoryKib: 64, iterations: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(cost);

  afterEach(() => jest.restoreAllMocks());

  describe('hash', () => {
    it('produces an argon2id v19 PHC string with the configured cost', async () => {
      const phc = await hasher.hash('correct horse battery staple');
      expect(phc).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    });

    it('salts every hash, so the same password hashes differently', async () => {
      const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
      expect(a).not.toBe(b);
      expect(await hasher.verify(a, 'same password')).toBe(true);
      expect(await hasher.verify(b, 'same password')).toBe(true);
    });

    it('uses the configured parallelism and memory', async () => {
      const wide = new PasswordHasher({ memoryKib: 128, iterations: 2, parallelism: 4 });
      expect(await wide.hash('x')).toMatch(/^\$argon2id\$v=19\$m=128,t=2,p=4\$/);
    });
  });

  describe('verify', () => {
    it('accepts the right password', async () => {
      const phc = await hasher.hash('correct horse battery staple');
      expect(await hasher.verify(phc, 'correct horse battery staple')).toBe(true);
    });

    it('refuses a wrong password, including near misses', async () => {
      const phc = await hasher.hash('correct horse battery staple');
      for (const attempt of [
        '',
        'correct horse battery stapl',
        'Correct horse battery staple',
        'correct horse battery staple ',
      ]) {
        expect(await hasher.verify(phc, attempt)).toBe(false);
      }
    });

    it('verifies unicode and the empty password', async () => {
      expect(await hasher.verify(await hasher.hash('пароль 密码 🔑'), 'пароль 密码 🔑')).toBe(true);
      expect(await hasher.verify(await hasher.hash(''), '')).toBe(true);
    });

    it('matches the same password in either Unicode normal form', async () => {
      const composed = 'caf\u00e9 au lait, s\u2019il vous pla\u00eet';
      const decomposed = composed.normalize('NFD');
      expect(decomposed).not.toBe(composed);
      expect(await hasher.verify(await hasher.hash(composed), decomposed)).toBe(true);
      expect(await hasher.verify(await hasher.hash(decomposed), composed)).toBe(true);
    });

    it('verifies a hash made with another cost (before it is upgraded)', async () => {
      const old = await new PasswordHasher({ memoryKib: 32, iterations: 2, parallelism: 1 }).hash('pw');
      expect(await hasher.verify(old, 'pw')).toBe(true);
    });

    it.each([
      ['an empty hash', ''],
      ['a garbage hash', 'not a hash'],
      ['a bcrypt hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
      ['a truncated argon2 hash', '$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ'],
      [
        'an argon2 hash with a bad parameter',
        '$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2g',
      ],
    ])('returns false rather than throwing for %s', async (_name, malformed) => {
      await expect(hasher.verify(malformed, 'pw')).resolves.toBe(false);
    });
  });

  describe('needsRehash', () => {
    it('is false for a hash made with the current cost', async () => {
      expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    });

    it.each([
      ['memory', { memoryKib: 128 }],
      ['iterations', { iterations: 2 }],
      ['parallelism', { parallelism: 2 }],
    ])('is true once the %s cost changes', async (_name, change) => {
      const phc = await hasher.hash('pw');
      expect(new PasswordHasher({ ...cost, ...change }).needsRehash(phc)).toBe(true);
    });

    it('is true when the cost went down too (the configured cost is the one wanted)', async () => {
      const strong = await new PasswordHasher({ memoryKib: 128, iterations: 2, parallelism: 1 }).hash('pw');
      expect(hasher.needsRehash(strong)).toBe(true);
    });

    it('is true for another argon2 variant or output length', async () => {
      const argon2i = await argon2.hash('pw', { algorithm: 1, memoryCost: 64, timeCost: 1, parallelism: 1 });
      expect(argon2i.startsWith('$argon2i$')).toBe(true);
      expect(hasher.needsRehash(argon2i)).toBe(true);
      const longer = await argon2.hash('pw', { memoryCost: 64, timeCost: 1, parallelism: 1, outputLen: 64 });
      expect(hasher.needsRehash(longer)).toBe(true);
    });

    it('is true for a hash it cannot read', () => {
      expect(hasher.needsRehash('')).toBe(true);
      expect(hasher.needsRehash('$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')).toBe(true);
    });

    it('drives the upgrade at login: verify with the old hash, rehash with the new cost', async () => {
      const stored = await hasher.hash('pw');
      const stronger = new PasswordHasher({ ...cost, iterations: 2 });
      expect(await stronger.verify(stored, 'pw')).toBe(true);
      expect(stronger.needsRehash(stored)).toBe(true);
      const upgraded = await stronger.hash('pw');
      expect(stronger.needsRehash(upgraded)).toBe(false);
      expect(await stronger.verify(upgraded, 'pw')).toBe(true);
    });
  });

  describe('dummyVerify', () => {
    it('returns false for any password', async () => {
      await expect(hasher.dummyVerify('anything')).resolves.toBe(false);
      await expect(hasher.dummyVerify('')).resolves.toBe(false);
    });

    it('runs a real argon2 verify against a hash at the current cost', async () => {
      // Equal work is what makes the timing equal; timing it directly would make a flaky test.
      const stronger = new PasswordHasher({ memoryKib: 96, iterations: 3, parallelism: 2 });
      const verifySpy = jest.spyOn(argon2, 'verify');
      await stronger.dummyVerify('guess');
      expect(verifySpy).toHaveBeenCalledTimes(1);
      const [dummy, password] = verifySpy.mock.calls[0] ?? [];
      expect(password).toBe('guess');
      expect(argon2.parseOptions(dummy as string)).toMatchObject({
        algorithm: 2,
        memoryCost: 96,
        timeCost: 3,
        parallelism: 2,
        outputLen: 32,
      });
      expect(stronger.needsRehash(dummy as string)).toBe(false);
    });

    it('uses the same precomputed hash every time', async () => {
      const verifySpy = jest.spyOn(argon2, 'verify');
      await hasher.dummyVerify('a');
      await hasher.dummyVerify('b');
      expect(verifySpy.mock.calls[0]?.[0]).toBe(verifySpy.mock.calls[1]?.[0]);
    });
  });

  describe('constructor', () => {
    it.each([
      [
        'memory below 8 KiB per lane',
        { memoryKib: 15, iterations: 1, parallelism: 2 },
        /memory .* ≥ 8 × parallelism \(16\)/,
      ],
      ['fractional memory', { memoryKib: 64.5, iterations: 1, parallelism: 1 }, /memory/],
      ['zero iterations', { memoryKib: 64, iterations: 0, parallelism: 1 }, /iterations must be ≥ 1/],
      ['zero parallelism', { memoryKib: 64, iterations: 1, parallelism: 0 }, /parallelism must be 1-255/],
      [
        'too much parallelism',
        { memoryKib: 4096, iterations: 1, parallelism: 256 },
        /parallelism must be 1-255/,
      ],
    ])('rejects %s', (_name, bad, message) => {
      expect(() => new PasswordHasher(bad)).toThrow(message);
    });

    it('accepts the argon2 minimum of 8 KiB per lane', async () => {
      const minimal = new PasswordHasher({ memoryKib: 16, iterations: 1, parallelism: 2 });
      expect(await minimal.verify(await minimal.hash('pw'), 'pw')).toBe(true);
    });
  });
});
