// `npm run slack:manifest`: docs/slack-app-manifest.yml with this install's public URL, ready to
// paste into Slack's "Create New App → From an app manifest".
//
//   PUBLIC_URL=https://nexecute.example.org npm run slack:manifest
//
// PUBLIC_URL comes from the environment or .env, with the same default as the backend
// (http://localhost:$PORT). Slack requires https for every URL except on localhost tests.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PLACEHOLDER = 'https://nexecute.example.com';

/** KEY=value lines of .env (no expansion), for the two variables this needs. */
function fromDotEnv(name) {
  const file = join(root, '.env');
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith(`${name}=`));
  return (
    line
      ?.slice(line.indexOf('=') + 1)
      .trim()
      .replace(/^["']|["']$/g, '') || undefined
  );
}

const port = process.env.PORT ?? fromDotEnv('PORT') ?? '3000';
const publicUrl = (process.env.PUBLIC_URL ?? fromDotEnv('PUBLIC_URL') ?? `http://localhost:${port}`).replace(
  /\/+$/,
  '',
);
if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl)) {
  console.error(`PUBLIC_URL must be an absolute http(s) URL, got ${publicUrl}`);
  process.exit(2);
}
if (!publicUrl.startsWith('https://')) {
  console.error(
    `# warning: Slack only calls https URLs; ${publicUrl} suits the simulator, not a real workspace`,
  );
}
const manifest = readFileSync(join(root, 'docs/slack-app-manifest.yml'), 'utf8');
process.stdout.write(manifest.split(PLACEHOLDER).join(publicUrl));
