// `npm start`: build whatever is missing or out of date, then run the product in this process
// (API, live gateway and console on one port; embedded PostgreSQL unless DATABASE_URL is set).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale, targets } from './build-if-stale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
buildIfStale(['frontend', 'backend']);
const { main } = createRequire(import.meta.url)(join(root, targets.backend.entry));
await main();
