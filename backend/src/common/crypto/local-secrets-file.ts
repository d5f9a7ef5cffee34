import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SecretBox } from './secret-box';

export interface LocalSecrets {
  /** HS256 signing secret for access tokens (JWT_SECRET). */
  jwtSecret: string;
  /** A one-key keyring in the ENCRYPTION_KEYS format. */
  encryptionKeys: string;
  /** True when this call generated the file, so the caller can say so once on the log. */
  created: boolean;
}

/** The JSON on disk; `version` lets a later format be told apart from this one. */
interface LocalSecretsDocument {
  version: 1;
  createdAt: string;
  jwtSecret: string;
  encryptionKeys: string;
}

const MIN_JWT_SECRET_LENGTH = 32;

/**
 * The no-configuration developer path: when JWT_SECRET / ENCRYPTION_KEYS are unset outside
 * production, secrets are generated once and kept here, so a restart neither signs everyone out
 * nor makes encrypted integration credentials unreadable. Production must set both variables;
 * deciding that is the caller's job, this only manages the file.
 *
 * - Created with mode 0600 (its folder 0700 when we create it), since it holds live secrets.
 * - Created atomically: the content is written and fsynced under a temporary name, then
 *   hard-linked to `path`. Unlike rename, link refuses to replace an existing file, so when two
 *   processes start at once exactly one wins and the other reads the winner's file: both end up
 *   with the same secrets and no reader ever sees a half-written file.
 * - An existing file is validated and never overwritten: replacing a corrupt file would silently
 *   discard the key that decrypts existing data. The error says what to do instead.
 */
export function loadOrCreateLocalSecrets(path: string): LocalSecrets {
  const existing = readIfPresent(path);
  if (existing !== undefined) return { ...parseDocument(existing, path), created: false };

  const document: LocalSecretsDocument = {
    version: 1,
    createdAt: new Date().toISOString(),
    jwtSecret: randomBytes(64).toString('base64url'),
    encryptionKeys: `local1:${SecretBox.generateKey()}`,
  };
  const content = `${JSON.stringify(document, null, 2)}\n`;

  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (createExclusively(path, content)) {
    return { jwtSecret: document.jwtSecret, encryptionKeys: document.encryptionKeys, created: true };
  }
  // Another process created it between our read and our link: use theirs.
  const winner = readIfPresent(path);
  if (winner === undefined) throw new Error(`Local secrets file ${path} vanished while it was being created`);
  return { ...parseDocument(winner, path), created: false };
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read local secrets file ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Returns false when `path` already exists (someone else created it first). */
function createExclusively(path: string, content: string): boolean {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    }
    // A filesystem without hard links: 'wx' still refuses to replace an existing file, at the
    // cost of a brief window in which a concurrent reader could see it half-written.
    try {
      writeFileSync(path, content, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    // The link (if any) keeps the content; the temporary name is just litter now.
    rmSync(temporary, { force: true });
  }
}

function parseDocument(text: string, path: string): Omit<LocalSecrets, 'created'> {
  const invalid = (problem: string) =>
    new Error(
      `Local secrets file ${path} is invalid: ${problem}. It was not changed. Fix it, or set ` +
        `JWT_SECRET and ENCRYPTION_KEYS, or delete it to generate new secrets (which signs everyone ` +
        `out and makes data encrypted with the old keys unreadable).`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error, which here is a secret.
    throw invalid('it is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('it is not a JSON object');
  }
  const document = parsed as Partial<Record<keyof LocalSecretsDocument, unknown>>;
  if (document.version !== 1) throw invalid('"version" must be 1');
  if (typeof document.jwtSecret !== 'string' || document.jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    throw invalid(`"jwtSecret" must be a string of at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  if (typeof document.encryptionKeys !== 'string') throw invalid('"encryptionKeys" must be a string');
  try {
    SecretBox.parseKeyring(document.encryptionKeys);
  } catch (e) {
    // parseKeyring's messages name the problem without key material.
    throw invalid(`"encryptionKeys": ${(e as Error).message}`);
  }
  return { jwtSecret: document.jwtSecret, encryptionKeys: document.encryptionKeys };
}
