import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './repository-root';

/**
 * Reads ./.env (copied from .env.example) into process.env when present. Variables already set
 * in the environment win, so a deployment's settings are never overridden by a stray file.
 * Returns the file read, if any, so start-up can say where settings came from.
 */
export function loadDotEnv(): string | undefined {
  const file = join(repositoryRoot(), '.env');
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}
