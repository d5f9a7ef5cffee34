// What the JSON body checks cost per request (see backend/src/common/http/json-body.ts): the
// one pass over the raw bytes that enforces the nesting limit and flags suspect escapes, next to
// the JSON.parse every body pays anyway, and the walk that only bodies with \u0000 or surrogate
// escapes pay. A microbench: no HTTP, one core, figures in ns per body.
//
//   npm run build -w backend
//   node bench/json-body/run.mjs            BENCH_MS=1000 (time per measurement)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/build-if-stale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
if (isStale('backend')) {
  console.error('The backend build is out of date: run `npm run build -w backend` first.');
  process.exit(1);
}
const require = createRequire(import.meta.url);
const dist = join(root, 'backend/dist/backend/src/common');
const { scanJson } = require(join(dist, 'http/json-body.js'));
const { findUnstorableText } = require(join(dist, 'validation/storable-text.js'));

const budgetMs = Number(process.env.BENCH_MS ?? 1000);

/** ns per call of fn over `runs` rounds of `budgetMs`, best round (least disturbed by others). */
function measure(fn) {
  for (let i = 0; i < 2000; i++) fn(); // warm up, let V8 optimise
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const started = process.hrtime.bigint();
    const deadline = started + (BigInt(budgetMs) * 1_000_000n) / 3n;
    let now = started;
    while (now < deadline) {
      for (let i = 0; i < 100; i++) fn();
      calls += 100;
      now = process.hrtime.bigint();
    }
    best = Math.min(best, Number(now - started) / calls);
  }
  return best;
}

// A Slack Events API callback (the shape an integration webhook receives), about 1 kB.
const slackEvent = {
  token: 'XXYYZZ',
  team_id: 'T061EG9R6',
  api_app_id: 'A0PNCHHK2',
  event: {
    type: 'message',
    channel: 'C024BE91L',
    user: 'U2147483697',
    text: 'Checkout API returns 502 for about 30% of EU calls since 09:10 UTC; rolling back now.',
    ts: '1355517523.000005',
    event_ts: '1355517523.000005',
    channel_type: 'channel',
    blocks: [
      {
        type: 'rich_text',
        block_id: 'Bq1',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'Checkout API returns 502' }] },
        ],
      },
    ],
  },
  type: 'event_callback',
  authed_users: ['U061F7AUR'],
  event_id: 'Ev9UQ52YNA',
  event_time: 1234567890,
};
const incidentCreate = {
  title: 'Checkout API returns 502',
  description: 'Since 09:10 UTC about 30% of checkout calls fail with 502.',
  impact: 1,
  urgency: 2,
  assignmentGroup: 'Payments',
};
const bigList = {
  items: Array.from({ length: 800 }, (_, i) => ({
    ...incidentCreate,
    title: `${incidentCreate.title} #${i}`,
  })),
};

const cases = [
  ['incident create, ', JSON.stringify(incidentCreate)],
  ['Slack event callback, ', JSON.stringify(slackEvent)],
  ['800-item list, ', JSON.stringify(bigList)],
  // What Python's json.dumps sends by default: every non-ASCII character escaped, an emoji as a
  // surrogate pair, so the scan flags it and the parsed body is walked once.
  [
    'Slack event, emoji as \\u escapes, ',
    JSON.stringify(slackEvent).replace('rolling back now.', 'rolling back now \\ud83d\\udd25'),
  ],
];

console.log(
  `json-body checks, node ${process.version}, best of 3 rounds of ${Math.round(budgetMs / 3)} ms each`,
);
console.log('| body | bytes | JSON.parse ns | scan ns | walk ns (flagged only) | added |');
console.log('|---|---|---|---|---|---|');
for (const [name, text] of cases) {
  const bytes = Buffer.from(text, 'utf8');
  const scan = scanJson(bytes);
  const parseNs = measure(() => JSON.parse(bytes.toString('utf8')));
  const scanNs = measure(() => scanJson(bytes));
  const parsed = JSON.parse(text);
  const walkNs = scan.suspectText ? measure(() => findUnstorableText(parsed)) : 0;
  const added = ((scanNs + walkNs) / parseNs) * 100;
  console.log(
    `| ${name.replace(/, $/, '')} | ${bytes.length} | ${parseNs.toFixed(0)} | ${scanNs.toFixed(0)} | ${scan.suspectText ? walkNs.toFixed(0) : '-'} | ${added.toFixed(0)}% of the parse |`,
  );
}
