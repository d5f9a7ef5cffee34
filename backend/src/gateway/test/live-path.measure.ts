/*
 * Commit → socket latency of the two paths the live feed could take, in the same app and the
 * same run, for the same updates (docs/live.md, "From commit to socket"):
 *
 * - notify: what ships. The outbox insert's trigger sends NOTIFY; the gateway reads the batch's
 *   events and incident views (two queries) and emits a live.batch frame.
 * - ledger: what /live used before. A delivery consumer subscribed to every event: a deliveries
 *   row and a graphile-worker job per event (per instance), picked up by the worker, which calls
 *   the handler, which emits, then marks the row delivered.
 *
 * Each update is a real PATCH /api/incidents/:id over HTTP; latency is measured from the moment
 * its 200 arrived (the commit happened before it) to the frame's arrival on a socket.io-client of
 * the same process. Not part of `npm test` (not *.spec.ts). Run:
 *
 *   cd backend && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx jest --testMatch '**' src/gateway/test/live-path.measure.ts
 *
 * LIVE_PATH_UPDATES (default 300), LIVE_PATH_RATE (updates per second, default 20) and
 * LIVE_PATH_WINDOW (LIVE_BATCH_WINDOW_MS, default 0).
 */
import { deflateRawSync } from 'node:zlib';
import { Module, type OnModuleInit } from '@nestjs/common';
import { signInAsAdmin } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { DeliveriesModule } from '../../deliveries/deliveries.module';
import { DeliveryConsumers } from '../../deliveries/delivery-consumers';
import { GatewayModule } from '../gateway.module';
import { LiveGateway } from '../live.gateway';
import { LiveTestClient, newIncident } from './live-test-client';

const UPDATES = Number(process.env.LIVE_PATH_UPDATES ?? 300);
const RATE = Number(process.env.LIVE_PATH_RATE ?? 20);
/** The gateway's batch window (0: each read sent at once, so only the paths differ). */
const WINDOW = process.env.LIVE_PATH_WINDOW ?? '0';

/** The old path, rebuilt as a probe: a ledger consumer of every event that emits on /live. */
@Module({ imports: [DeliveriesModule, GatewayModule] })
class LedgerPathProbe implements OnModuleInit {
  constructor(
    private readonly consumers: DeliveryConsumers,
    private readonly gateway: LiveGateway,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      name: 'live-path-ledger',
      events: '*',
      maxAttempts: 3,
      // An admin-only frame carrying the outbox event's id, so the client can tell the paths apart.
      handle: (event) => {
        this.gateway.publishEverywhere({
          type: 'integration.status',
          v: 1,
          id: `ledger:${event.id}`,
          at: event.occurredAt,
          integration: 'slack',
          status: 'ok',
          detail: event.aggregateId,
        });
        return Promise.resolve();
      },
    });
  }
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): string => (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN).toFixed(1);
  return `n=${s.length} p50=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} max=${(s.at(-1) ?? NaN).toFixed(1)} ms`;
}

describe('live path: commit → socket', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await startTestApp({ imports: [LedgerPathProbe], env: { LIVE_BATCH_WINDOW_MS: WINDOW } })),
  );
  afterAll(() => t.close());

  it(`measures both paths over ${UPDATES} updates at ${RATE}/s`, async () => {
    const admin = await signInAsAdmin(t);
    const client = await LiveTestClient.open(t, admin.accessToken);
    const incidentId = await newIncident(t, admin);
    await client.eventFor(incidentId);
    const committedAt = new Map<number, number>();
    const notify: number[] = [];
    const ledger: number[] = [];
    const seen = { notify: new Set<number>(), ledger: new Set<number>() };
    client.socket.on(
      'live.batch',
      (batch: { events: { type: string; id: string; version?: number; detail?: string }[] }) => {
        const now = performance.now();
        for (const e of batch.events) {
          // The version is known once the PATCH answers; a frame may beat the answer: count it as 0.
          if (e.type === 'incident.updated' && e.version !== undefined && !seen.notify.has(e.version)) {
            seen.notify.add(e.version);
            const at = committedAt.get(e.version);
            notify.push(at === undefined ? 0 : Math.max(0, now - at));
          }
        }
      },
    );
    const ledgerIds = new Map<string, number>();
    client.socket.on('live.batch', (batch: { events: { type: string; id: string }[] }) => {
      const now = performance.now();
      for (const e of batch.events) if (e.type === 'integration.status') ledgerIds.set(e.id, now);
    });
    for (let i = 0; i < UPDATES; i++) {
      const started = performance.now();
      const res = await t.http
        .patch(`/api/incidents/${incidentId}`)
        .set('authorization', admin.bearer)
        .send({ title: `Live path ${i}` })
        .expect(200);
      const version = (res.body as { version: number }).version;
      committedAt.set(version, performance.now());
      const rest = 1000 / RATE - (performance.now() - started);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
    await new Promise((r) => setTimeout(r, 3000));
    const rows = await t.dataSource.query<{ id: string; aggregate_version: number }[]>(
      `SELECT id, aggregate_version FROM outbox_events WHERE aggregate_id = $1 AND type = 'incident.updated'`,
      [incidentId],
    );
    for (const row of rows) {
      const at = ledgerIds.get(`ledger:${row.id}`);
      const committed = committedAt.get(row.aggregate_version);
      if (at !== undefined && committed !== undefined) ledger.push(Math.max(0, at - committed));
    }
    // Bytes on the wire of a frame of 1 and of 20 updates, raw and as perMessageDeflate sends it.
    const updates = client.events.filter((e) => e.type === 'incident.updated');
    const size = (n: number): string => {
      const text = JSON.stringify(['live.batch', { events: updates.slice(0, n) }]);
      const raw = Buffer.byteLength(text);
      return `${n} update(s): ${raw} B raw, ${deflateRawSync(text).length} B deflated`;
    };
    process.stdout.write(`\nframe size: ${size(1)}; ${size(20)}\n`);
    const line = `window ${WINDOW} ms, ${RATE}/s\nnotify: ${stats(notify)}\nledger: ${stats(ledger)}`;
    process.stdout.write(`\n${line}\n`);
    expect(notify.length).toBe(UPDATES);
    expect(ledger.length).toBe(UPDATES);
    client.close();
  }, 600_000);
});
