#!/usr/bin/env node
// Initial-JS budget for the console: what a first visit must download before the shell runs.
//
// Reads the built index.html, collects the JavaScript it loads up front (<script src> and
// <link rel="modulepreload">) plus every chunk those files import statically (the builder writes
// at most 10 modulepreload hints, so the hints alone can miss part of the initial load; dynamic
// `import()`s of lazy routes and @defer blocks are not followed), gzips each file at zlib level 9
// and prints raw and compressed sizes. "Compressed" below always means gzip level 9 as computed here, which is close to what a
// server that gzips static files sends. Exits 1 when the compressed total exceeds the budget.
//
// Usage: node scripts/check-bundle-size.mjs [path/to/browser/dir]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1000; // 250 kB compressed initial JS
const here = dirname(fileURLToPath(import.meta.url));
const browserDir = resolve(process.argv[2] ?? join(here, '..', 'dist', 'nexecute-console', 'browser'));
const indexPath = join(browserDir, 'index.html');

let html;
try {
  html = readFileSync(indexPath, 'utf8');
} catch (error) {
  console.error(`check-bundle-size: cannot read ${indexPath} (${error.code ?? error.message}); build first.`);
  process.exit(1);
}

/** Local JS URLs loaded at start-up, in document order, without duplicates. */
function initialScripts(document) {
  const urls = [];
  for (const [tag] of document.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const isScript = /^<script/i.test(tag);
    const rel = /\brel\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1]?.toLowerCase();
    if (!isScript && rel !== 'modulepreload') {
      continue;
    }
    const url = /\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1];
    if (url && !/^(?:[a-z]+:)?\/\//i.test(url) && !urls.includes(url)) {
      urls.push(url);
    }
  }
  return urls;
}

/** Relative chunk URLs a built (minified) ES module imports statically: `from"./x.js"`, `import"./x.js"`. */
function staticImports(source) {
  return [...source.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+\.js)["']/g)].map((m) => m[1]);
}

/** The start-up scripts and, transitively, everything they import statically, each once. */
function initialClosure(document) {
  const seen = new Map();
  const queue = initialScripts(document).map((url) => url.replace(/^\//, '').split(/[?#]/)[0]);
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) {
      continue;
    }
    const content = readFileSync(join(browserDir, file));
    seen.set(file, content);
    for (const imported of staticImports(content.toString('utf8'))) {
      queue.push(join(dirname(file), imported).replace(/\\/g, '/'));
    }
  }
  return seen;
}

const files = [...initialClosure(html)].map(([file, content]) => ({
  file,
  raw: content.length,
  compressed: gzipSync(content, { level: constants.Z_BEST_COMPRESSION }).length,
}));

if (files.length === 0) {
  console.error(`check-bundle-size: no initial JavaScript found in ${indexPath}.`);
  process.exit(1);
}

const kB = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
const width = Math.max(...files.map((f) => f.file.length), 'total'.length);
console.log(`Initial JS (${indexPath})`);
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(11)}  ${'compressed'.padStart(11)}`);
for (const f of files) {
  console.log(`${f.file.padEnd(width)}  ${kB(f.raw).padStart(11)}  ${kB(f.compressed).padStart(11)}`);
}
const raw = files.reduce((sum, f) => sum + f.raw, 0);
const compressed = files.reduce((sum, f) => sum + f.compressed, 0);
console.log(`${'total'.padEnd(width)}  ${kB(raw).padStart(11)}  ${kB(compressed).padStart(11)}`);
console.log('compressed = gzip, zlib level 9');

if (compressed > BUDGET_BYTES) {
  console.error(`Initial JS compressed total ${kB(compressed)} exceeds the ${kB(BUDGET_BYTES)} budget.`);
  process.exit(1);
}
console.log(`Within the ${kB(BUDGET_BYTES)} compressed budget (${kB(BUDGET_BYTES - compressed)} to spare).`);
