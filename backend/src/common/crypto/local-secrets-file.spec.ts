import { transformFileSync } from '@swc/core';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadOrCreateLocalSecrets, type LocalSecrets } from './local-secrets-file';
import { SecretBox } from './secret-box';

const posix = process.platform !== 'win32';
const modeOf = (path: string) => fs.statSync(path).mode & 0o777;

function validDocument(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKeys: `other:${SecretBox.generateKey()}`,
    ...overrides,
  });
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('loadOrCreateLocalSecrets', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(join(tmpdir(), 'nexecute-local-secrets-'));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('when the file does not exist', () => {
    it('generates usable secrets and says it created them', () => {
      const secrets = loadOrCreateLocalSecrets(join(dir, 'local-secrets.json'));
      expect(secrets.created).toBe(true);
      expect(secrets.jwtSecret.length).toBeGreaterThanOrEqual(64);
      const box = SecretBox.parseKeyring(secrets.encryptionKeys);
      expect(box.decrypt(box.encrypt('x', 'ad'), 'ad')).toBe('x');
    });

    it('stores them as JSON that a restart reads back unchanged', () => {
      const path = join(dir, 'local-secrets.json');
      const first = loadOrCreateLocalSecrets(path);
      const stored = JSON.parse(fs.readFileSync(path, 'utf8')) as Record<string, unknown>;
      expect(stored).toMatchObject({
        version: 1,
        jwtSecret: first.jwtSecret,
        encryptionKeys: first.encryptionKeys,
      });
      expect(typeof stored.createdAt).toBe('string');

      const second = loadOrCreateLocalSecrets(path);
      expect(second).toEqual({ ...first, created: false });
    });

    it('generates different secrets in different files', () => {
      const a = loadOrCreateLocalSecrets(join(dir, 'a.json'));
      const b = loadOrCreateLocalSecrets(join(dir, 'b.json'));
      expect(a.jwtSecret).not.toBe(b.jwtSecret);
      expect(a.encryptionKeys).not.toBe(b.encryptionKeys);
    });

    (posix ? it : it.skip)('creates the file with mode 0600 and missing folders with 0700', () => {
      const path = join(dir, 'data', 'nested', 'local-secrets.json');
      loadOrCreateLocalSecrets(path);
      expect(modeOf(path)).toBe(0o600);
      expect(modeOf(join(dir, 'data'))).toBe(0o700);
      expect(modeOf(join(dir, 'data', 'nested'))).toBe(0o700);
    });

    (posix ? it : it.skip)('leaves the mode of an existing folder alone', () => {
      const folder = join(dir, 'data');
      fs.mkdirSync(folder, { mode: 0o755 });
      fs.chmodSync(folder, 0o755);
      loadOrCreateLocalSecrets(join(folder, 'local-secrets.json'));
      expect(modeOf(folder)).toBe(0o755);
    });

    it('leaves no temporary files behind', () => {
      loadOrCreateLocalSecrets(join(dir, 'local-secrets.json'));
      expect(fs.readdirSync(dir)).toEqual(['local-secrets.json']);
    });
  });

  describe('when the file exists', () => {
    it('returns its secrets without touching it', () => {
      const path = join(dir, 'local-secrets.json');
      const content = validDocument();
      fs.writeFileSync(path, content);
      const before = fs.statSync(path).mtimeMs;

      const secrets = loadOrCreateLocalSecrets(path);
      const stored = JSON.parse(content) as { jwtSecret: string; encryptionKeys: string };
      expect(secrets).toEqual({
        jwtSecret: stored.jwtSecret,
        encryptionKeys: stored.encryptionKeys,
        created: false,
      });
      expect(fs.readFileSync(path, 'utf8')).toBe(content);
      expect(fs.statSync(path).mtimeMs).toBe(before);
    });

    it('accepts a keyring with several keys (a developer rotated by hand)', () => {
      const path = join(dir, 'local-secrets.json');
      const keys = `k2:${SecretBox.generateKey()},k1:${SecretBox.generateKey()}`;
      fs.writeFileSync(path, validDocument({ encryptionKeys: keys }));
      expect(loadOrCreateLocalSecrets(path).encryptionKeys).toBe(keys);
    });

    it('reports an unreadable path clearly', () => {
      const path = join(dir, 'is-a-folder');
      fs.mkdirSync(path);
      expect(() => loadOrCreateLocalSecrets(path)).toThrow(/Cannot read local secrets file .*is-a-folder/);
    });
  });

  describe('when the file is corrupt', () => {
    const secretKey = SecretBox.generateKey();
    const shortKey = randomBytes(16).toString('base64');
    const jwtSecret = randomBytes(48).toString('base64url');

    it.each([
      ['empty', '', /it is not valid JSON/],
      ['truncated JSON', `{"version":1,"jwtSecret":"${jwtSecret}`, /it is not valid JSON/],
      ['a JSON array', '[]', /it is not a JSON object/],
      ['JSON null', 'null', /it is not a JSON object/],
      ['without a version', validDocument({ version: undefined }), /"version" must be 1/],
      ['of a later version', validDocument({ version: 2 }), /"version" must be 1/],
      [
        'without jwtSecret',
        validDocument({ jwtSecret: undefined }),
        /"jwtSecret" must be a string of at least 32/,
      ],
      ['with a short jwtSecret', validDocument({ jwtSecret: 'short' }), /"jwtSecret" must be a string/],
      ['with a numeric jwtSecret', validDocument({ jwtSecret: 12345 }), /"jwtSecret" must be a string/],
      [
        'without encryptionKeys',
        validDocument({ encryptionKeys: undefined }),
        /"encryptionKeys" must be a string/,
      ],
      [
        'with a short key',
        validDocument({ encryptionKeys: `k1:${shortKey}` }),
        /decodes to 16 bytes, not 32/,
      ],
      ['with a bare key', validDocument({ encryptionKeys: secretKey }), /has no "<id>:" prefix/],
    ])(
      '%s: throws a clear error, leaks no secret and leaves the file as it was',
      (_name, content, expected) => {
        const path = join(dir, 'local-secrets.json');
        fs.writeFileSync(path, content);

        const error = errorOf(() => loadOrCreateLocalSecrets(path));
        expect(error.message).toMatch(expected);
        expect(error.message).toContain(path);
        expect(error.message).toMatch(/It was not changed/);
        for (const secret of [secretKey, shortKey, jwtSecret, jwtSecret.slice(0, 12)]) {
          expect(error.message).not.toContain(secret);
        }
        expect(fs.readFileSync(path, 'utf8')).toBe(content);
        expect(fs.readdirSync(dir)).toEqual(['local-secrets.json']);
      },
    );
  });

  describe('when several processes start at once', () => {
    it('uses the file another process created after our read, never replacing it', () => {
      const path = join(dir, 'local-secrets.json');
      const theirs = validDocument();
      const realLink = fs.linkSync.bind(fs);
      // The other process wins the race in the gap between our read and our link.
      jest.spyOn(fs, 'linkSync').mockImplementation((from, to) => {
        fs.writeFileSync(path, theirs, { mode: 0o600 });
        realLink(from, to);
      });

      const secrets = loadOrCreateLocalSecrets(path);
      const stored = JSON.parse(theirs) as { jwtSecret: string; encryptionKeys: string };
      expect(secrets).toEqual({
        jwtSecret: stored.jwtSecret,
        encryptionKeys: stored.encryptionKeys,
        created: false,
      });
      expect(fs.readFileSync(path, 'utf8')).toBe(theirs);
      expect(fs.readdirSync(dir)).toEqual(['local-secrets.json']);
    });

    it('reports a corrupt file written by the winner instead of replacing it', () => {
      const path = join(dir, 'local-secrets.json');
      const realLink = fs.linkSync.bind(fs);
      jest.spyOn(fs, 'linkSync').mockImplementation((from, to) => {
        fs.writeFileSync(path, '{');
        realLink(from, to);
      });
      expect(() => loadOrCreateLocalSecrets(path)).toThrow(/is invalid: it is not valid JSON/);
      expect(fs.readFileSync(path, 'utf8')).toBe('{');
    });

    it('agree on one set of secrets, created by exactly one of them', async () => {
      // Real processes racing on a real file: compile the two modules to CommonJS and start
      // several Node processes that call loadOrCreateLocalSecrets on the same path at once.
      const build = join(dir, 'build');
      fs.mkdirSync(build);
      for (const name of ['secret-box', 'local-secrets-file']) {
        const { code } = transformFileSync(join(__dirname, `${name}.ts`), {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
        });
        fs.writeFileSync(join(build, `${name}.js`), code);
      }
      const path = join(dir, 'shared', 'local-secrets.json');
      const script =
        `const { loadOrCreateLocalSecrets } = require(${JSON.stringify(join(build, 'local-secrets-file.js'))});` +
        `process.stdout.write(JSON.stringify(loadOrCreateLocalSecrets(${JSON.stringify(path)})));`;

      const runs = await Promise.all(
        Array.from({ length: 8 }, () => promisify(execFile)(process.execPath, ['-e', script])),
      );
      const results = runs.map((r) => JSON.parse(r.stdout) as LocalSecrets);

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.jwtSecret)).size).toBe(1);
      expect(new Set(results.map((r) => r.encryptionKeys)).size).toBe(1);
      expect(loadOrCreateLocalSecrets(path)).toEqual({ ...results[0], created: false });
      expect(fs.readdirSync(join(dir, 'shared'))).toEqual(['local-secrets.json']);
    });
  });

  describe('on a filesystem without hard links', () => {
    it('falls back to an exclusive create with mode 0600', () => {
      jest.spyOn(fs, 'linkSync').mockImplementation(() => {
        throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      });
      const path = join(dir, 'local-secrets.json');
      const secrets = loadOrCreateLocalSecrets(path);
      expect(secrets.created).toBe(true);
      expect(loadOrCreateLocalSecrets(path)).toEqual({ ...secrets, created: false });
      if (posix) expect(modeOf(path)).toBe(0o600);
      expect(fs.readdirSync(dir)).toEqual(['local-secrets.json']);
    });

    it('still never replaces a file that appeared meanwhile', () => {
      const path = join(dir, 'local-secrets.json');
      const theirs = validDocument();
      jest.spyOn(fs, 'linkSync').mockImplementation(() => {
        fs.writeFileSync(path, theirs);
        throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      });
      expect(loadOrCreateLocalSecrets(path).created).toBe(false);
      expect(fs.readFileSync(path, 'utf8')).toBe(theirs);
    });
  });

  it('passes on other link failures and cleans up its temporary file', () => {
    jest.spyOn(fs, 'linkSync').mockImplementation(() => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    });
    expect(() => loadOrCreateLocalSecrets(join(dir, 'local-secrets.json'))).toThrow(/no space left/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
