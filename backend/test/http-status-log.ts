import type { FastifyInstance } from 'fastify';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Integration specs record the (method, route template, status) of every response the app gives,
 * so `test/openapi-statuses.check.ts` can compare them with the OpenAPI document after the suite.
 * Jest's `globals.nexecuteStatusLog` (set in jest.config.js) names the folder; global-setup empties
 * it at the start of a run. Without it (the fuzz suite, the check itself) nothing is recorded.
 */
export const STATUS_LOG_GLOBAL = 'nexecuteStatusLog';

export interface ObservedStatus {
  readonly method: string;
  /** Fastify's route template, e.g. `/api/incidents/:id`. */
  readonly route: string;
  readonly status: number;
  /** The spec file that saw it, relative to backend/. */
  readonly spec: string;
}

/** One file per Jest worker process; each distinct observation written once. */
const written = new Set<string>();

function statusLogDir(): string | undefined {
  const dir = (globalThis as Record<string, unknown>)[STATUS_LOG_GLOBAL];
  return typeof dir === 'string' && dir ? dir : undefined;
}

export function recordResponseStatuses(fastify: FastifyInstance): void {
  const dir = statusLogDir();
  if (!dir) return;
  const spec = (expect.getState().testPath ?? 'unknown').replace(/^.*\/backend\//, '');
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url;
    if (route) {
      const observed: ObservedStatus = { method: req.method, route, status: reply.statusCode, spec };
      const line = JSON.stringify(observed);
      if (!written.has(line)) {
        written.add(line);
        appendFileSync(join(dir, `${process.pid}.jsonl`), `${line}\n`);
      }
    }
    done();
  });
}

export function readObservedStatuses(dir: string): ObservedStatus[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ObservedStatus);
}
