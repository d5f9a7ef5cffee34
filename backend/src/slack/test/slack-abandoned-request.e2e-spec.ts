import { SlackSimulator } from '../../../test/simulators/slack.simulator';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';

/*
 * Slack gives up on an event after 3 s and sends it again. A sender that gives up long before we
 * answer must cost nothing but a retry: the event is stored once, processed once, and the app
 * still shuts down promptly afterwards (an abandoned request must not hold the drain open).
 */
describe('a Slack event whose sender gives up before our answer', () => {
  let sim: SlackSimulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
    t = await startTestApp({
      env: { ...sim.env({ defaultChannel: 'C0SIMINC01' }), DELIVERY_WORKER_POLL_INTERVAL_MS: '100' },
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('is stored and processed once across the retries, and the app then shuts down promptly', async () => {
    const slack = sim.sender(t.baseUrl.replace('[::1]', '127.0.0.1'));
    const attempts = await slack.deliverEvent(
      {
        type: 'app_mention',
        user: sim.defaultUserId(),
        text: `<@${sim.botUserId}> help`,
        channel: 'C0SIMINC01',
        ts: '1700000000.000200',
        event_ts: '1700000000.000200',
      },
      { eventId: 'Ev0ABANDON1', timeoutMs: 1, retryDelaysMs: [50, 50, 50] },
    );
    expect(attempts.length).toBeGreaterThan(1);
    const [stored] = await eventually(
      async () => {
        const rows = await t.dataSource.query<{ n: number; processed: number }[]>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'processed')::int AS processed
           FROM inbound_events WHERE channel = 'slack' AND idempotency_key = 'event:Ev0ABANDON1'`,
        );
        return rows[0]?.processed === 1 ? rows : undefined;
      },
      15_000,
      'the event processed',
    );
    expect(stored).toEqual({ n: 1, processed: 1 });

    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
