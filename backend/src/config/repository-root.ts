import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The monorepo root (the package.json with "workspaces"), so relative settings such as
 * ./data/ mean the same whether the code runs from src/ under Jest or from dist/.
 */
export function repositoryRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (parsed.workspaces) return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = process.cwd());
    dir = parent;
  }
}
