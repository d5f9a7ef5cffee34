import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { eventually, waitFor } from '../../../test/support/wait-for';
import { startTestAppBehindProxy, type ProxiedTestApp } from '../../../test/test-app';
import {
  acknowledgedIds,
  countOutcomes,
  mixedPlan,
  percentile,
  postBurst,
  type PostOutcome,
} from './event-burst';
import { createSource } from './event-producers';
import { acknowledgedNot, halfWritten, readInboxLedger, type InboxLedger } from './inbox-ledger';

/** Producers posting at once, all through the outage. */
const CONCURRENCY = 8;
/** Acknowledged events before the database goes away, and after it is back. */
const BEFORE = 40;
const AFTER = 40;
/** How long the database stays away while producers keep posting. */
const OUTAGE_MS = 2500;
/** The promise: an answer within a second, whatever the database does. */
const ANSWER_WITHIN_MS = 1000;

type Outage = 'refuse' | 'blackhole';

interface OutageRun {
  readonly outage: Outage;
  /** Each run posts as a source of its own, so its rows can be told apart. */
  readonly sourceId: string;
  readonly outcomes: PostOutcome[];
  /** performance.now() when the proxy broke, and when it forwarded again. */
  readonly brokenAt: number;
  readonly healedAt: number;
  /** The database as it was during the outage, and the ids acknowledged before that read. */
  readonly during: InboxLedger;
  readonly acknowledgedBeforeRead: ReadonlySet<string>;
}

describe('POST /api/events while the database goes away', () => {
  let app: ProxiedTestApp;
  let admin: SignedIn;
  const runs: OutageRun[] = [];

  beforeAll(async () => {
    app = await startTestAppBehindProxy({
      env: {
        DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
        // a stopped worker pool's jobs are handed back within about a second
        DELIVERY_WORKER_HEARTBEAT_MS: '200',
        DELIVERY_WORKER_STALE_AFTER_MS: '1000',
      },
    });
    admin = await signInAsAdmin(app.t);
  });

  afterAll(() => app?.close());

  afterEach(async () => {
    await app.proxy.forward();
    await waitFor(
      async () => (await app.t.http.get('/api/health/ready')).status === 200,
      10_000,
      'ready again',
    );
  });

  /** Producers post throughout: BEFORE acknowledged, the outage for OUTAGE_MS, then AFTER acknowledged. */
  async function postThrough(outage: Outage): Promise<OutageRun> {
    // producers retry a 503 at once here, far above the default rate; the limit is not under test
    const source = await createSource(app.t, admin, {
      name: `Outage producer (${outage})`,
      rateLimitPerMinute: 100_000,
    });
    const plan = mixedPlan(source.integrationKey, `${outage}-${Date.now()}`);
    let stop = false;
    const all: PostOutcome[] = [];
    const burst = postBurst({
      baseUrl: app.t.baseUrl.replace('[::1]', '127.0.0.1'),
      concurrency: CONCURRENCY,
      plan: (n) => (stop ? undefined : plan(n)),
      onOutcome: (o) => all.push(o),
      timeoutMs: 10_000,
    });
    const acknowledged = (sentAfter: number): number =>
      all.filter((o) => o.status === 202 && o.sentAt > sentAfter).length;
    try {
      await waitFor(() => acknowledged(0) >= BEFORE, 20_000, `${BEFORE} events acknowledged`);
      const brokenAt = performance.now();
      await app.proxy[outage]();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      // Read around the proxy while the app still cannot reach the database: what is there now is
      // all that the requests answered so far can have written.
      const acknowledgedBeforeRead = acknowledgedIds(all);
      const during = await readInboxLedger(app.database.url, source.source.id);
      const healedAt = performance.now();
      await app.proxy.forward();
      await waitFor(() => acknowledged(healedAt) >= AFTER, 20_000, `${AFTER} events acknowledged again`);
      stop = true;
      const outcomes = await burst;
      return {
        outage,
        sourceId: source.source.id,
        outcomes,
        brokenAt,
        healedAt,
        during,
        acknowledgedBeforeRead,
      };
    } finally {
      stop = true;
      await burst;
    }
  }

  it.each<Outage>(['refuse', 'blackhole'])(
    'database %s mid-run: a 202 or a prompt 503 DATABASE_UNAVAILABLE, never a hang nor a 202 for an event not stored, nothing half-written; then 202 again',
    async (outage) => {
      const run = await postThrough(outage);
      runs.push(run);
      const { outcomes, brokenAt, healedAt, during, acknowledgedBeforeRead } = run;
      const counts = countOutcomes(outcomes);
      const refused = outcomes.filter((o) => o.status === 503);
      // How long each request sent before the database was back waited for its answer once the
      // database was gone: from the break for those in flight then, from sending for the rest.
      const waited = outcomes
        .filter((o) => o.sentAt + o.ms > brokenAt && o.sentAt < healedAt)
        .map((o) => ({ o, ms: o.sentAt + o.ms - Math.max(o.sentAt, brokenAt) }));
      const detectedMs = Math.min(...refused.map((o) => o.sentAt + o.ms)) - brokenAt;
      const latencies = refused.map((o) => o.ms);
      process.stdout.write(
        `database ${outage} for ${OUTAGE_MS} ms, ${CONCURRENCY} producers: ${JSON.stringify(counts)}; ` +
          `503 latency p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, ` +
          `max ${percentile(latencies, 100)} ms; first 503 ${Math.round(detectedMs)} ms after the break; ` +
          `longest wait for an answer in the outage ${percentile(
            waited.map((w) => w.ms),
            100,
          )} ms; mid-outage the database held ${during.rows} rows of this run ` +
          `${JSON.stringify(during.byStatus)} (${acknowledgedBeforeRead.size} acknowledged so far)\n`,
      );

      // Every request got an answer (no dropped connection), a 202 or a clean 503.
      expect(outcomes.filter((o) => o.failure !== undefined)).toEqual([]);
      expect(Object.keys(counts).sort()).toEqual(['202', '503 DATABASE_UNAVAILABLE']);
      for (const o of refused) expect(o.contentType).toMatch(/^application\/problem\+json/);
      const slow = waited
        .filter((w) => w.ms >= ANSWER_WITHIN_MS)
        .map(
          (w) =>
            `#${w.o.n}: ${w.o.status} after ${Math.round(w.ms)} ms (sent ${Math.round(w.o.sentAt - brokenAt)} ms after the break)`,
        );
      if (slow.length)
        process.stdout.write(`database ${outage}: answers past ${ANSWER_WITHIN_MS} ms: ${slow.join('; ')}\n`);
      // The promise itself: every answer within a second, refused or silent database alike
      // (queued requests are released when the outage is declared; a store that has not
      // finished by 900 ms answers 503, and a producer's retry of it is recognised).
      expect(slow).toEqual([]);
      expect(percentile(latencies, 95)).toBeLessThan(ANSWER_WITHIN_MS);

      // During the outage: every event acknowledged so far is stored, with its job or processed,
      // and nothing is half-written.
      expect(acknowledgedNot(during, acknowledgedBeforeRead)).toEqual([]);
      expect(halfWritten(during)).toEqual({});

      // And once it is back, producers are acknowledged again (postThrough waited for AFTER 202s).
      expect(outcomes.filter((o) => o.status === 202 && o.sentAt > healedAt).length).toBeGreaterThanOrEqual(
        AFTER,
      );
    },
  );

  // FAILS ON MAIN (see the branch's report; the fix belongs in backend/src/deliveries):
  // graphile-worker stops its worker pool for good when it cannot record a job's outcome ("Could
  // not completeJobs/failJobs; queue is in an inconsistent state; aborting", then "Runner stopping
  // (reason: worker pool exited with error)"), and DeliveryWorker never starts another, while the
  // stopped pool's heartbeat goes on, so the sweep never hands its locked jobs back: after an
  // outage that caught a job in flight nothing is processed (nor delivered) until a restart. Its
  // app.close() then fails too ("Runner is already stopped"), leaving the heartbeat timer running.
  it('after the database returns, every acknowledged event is processed exactly once, without a restart', async () => {
    expect(runs.map((r) => r.outage)).toEqual(['refuse', 'blackhole']);
    // the queue drained: nothing accepted, no job left (a stopped pool's too)
    await eventually(
      async () => {
        const ledger = await readInboxLedger(app.database.url);
        return !ledger.byStatus['accepted'] && ledger.jobs === 0 ? ledger : undefined;
      },
      20_000,
      'every stored event processed and its job done',
    );
    for (const run of runs) {
      const after = await readInboxLedger(app.database.url, run.sourceId);
      const acknowledged = acknowledgedIds(run.outcomes);
      // A first receipt nobody was told about: its INSERT committed, but the answer was lost
      // with the connection (the producer got a 503; its retry is answered as a duplicate).
      const storedUnacknowledged = [...after.statusOf.keys()].filter((id) => !acknowledged.has(id));
      process.stdout.write(
        `after the ${run.outage} outage: ${acknowledged.size} distinct acknowledged event ids, ` +
          `${after.byStatus['processed'] ?? 0} processed, ${after.byStatus['duplicate'] ?? 0} duplicate rows, ` +
          `${storedUnacknowledged.length} stored though answered 503, ${after.incidents} incidents ` +
          `(alertCount sum ${after.alerts})\n`,
      );
      expect(acknowledgedNot(after, acknowledged, 'processed')).toEqual([]);
      expect(after.byStatus['failed']).toBeUndefined();
      expect(storedUnacknowledged.length).toBeLessThanOrEqual(
        run.outcomes.filter((o) => o.status === 503).length,
      );
      // one alert per processed trigger: none lost, none counted twice
      expect(after.alerts).toBe(after.byStatus['processed']);
    }
    expect(halfWritten(await readInboxLedger(app.database.url))).toEqual({});
  });
});
