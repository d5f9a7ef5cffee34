// Builds a workspace only when its sources are newer than its last build, so `npm start`
// stays fast after the first run. Usage: node scripts/build-if-stale.mjs [backend] [frontend]
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const targets = {
  backend: {
    entry: 'backend/dist/backend/src/main.js',
    // Incremental tsc rewrites only what changed, so main.js can stay older than its inputs; the
    // build script touches this stamp (tsc's own build info) on every successful build instead.
    stamp: 'backend/dist/.tsbuildinfo',
    inputs: [
      'backend/src',
      'database',
      'backend/tsconfig.json',
      'backend/tsconfig.build.json',
      'backend/package.json',
    ],
  },
  frontend: {
    entry: 'frontend/dist/nexecute-console/browser/index.html',
    stamp: 'frontend/dist/nexecute-console/browser/index.html',
    inputs: [
      'frontend/src',
      'frontend/public',
      'frontend/angular.json',
      'frontend/package.json',
      'frontend/tsconfig.json',
      'frontend/tsconfig.app.json',
    ],
  },
};

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

export function isStale(name) {
  const { entry, stamp, inputs } = targets[name];
  if (!existsSync(join(root, entry))) return true;
  const built = existsSync(join(root, stamp)) ? statSync(join(root, stamp)).mtimeMs : 0;
  return inputs.some((input) => newest(join(root, input)) > built);
}

export function buildIfStale(names) {
  for (const name of names) {
    if (!isStale(name)) continue;
    console.error(`[build] ${name} sources changed since the last build; building ${name}...`);
    // Build info without its outputs (dist partly deleted) would make incremental tsc emit nothing.
    if (!existsSync(join(root, targets[name].entry)))
      rmSync(join(root, targets[name].stamp), { force: true });
    const result = spawnSync('npm', ['run', 'build', '-w', name], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  buildIfStale(names.length ? names : ['frontend', 'backend']);
}
