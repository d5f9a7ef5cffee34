import { eventually } from '../../../test/support/wait-for';
import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { InboundEventView } from '../../inbox/dto/inbound-event.view';
import { createSource, incident, postRaw, settled, trigger } from './event-producers';

// How the inbox queues and orders processing: a failing event holds back only its own order key,
// and an event stored but never queued (its instance died in between) is found by the sweep.
describe('Inbox processing: order per key, retries, stranded events', () => {
  let t: TestApp;
  let admin: SignedIn;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
        INBOX_MAX_ATTEMPTS: '2',
        INBOX_SWEEP_INTERVAL_MS: '300',
      },
    });
    admin = await signInAsAdmin(t);
    key = (await createSource(t, admin)).integrationKey;
  });
  afterAll(() => t.close());

  const post = async (body: unknown): Promise<string> => {
    const res = await postRaw(t, '/api/events', JSON.stringify(body));
    expect(res.status).toBe(202);
    return (res.body as { event_id: string }).event_id;
  };
  const view = async (id: string): Promise<InboundEventView> =>
    (await t.http.get(`/api/inbox/${id}`).set('Authorization', admin.bearer)).body as InboundEventView;

  it('a failing event holds back the later events of its dedup key until it gives up; other keys go on', async () => {
    await t.dataSource.query(`
      CREATE FUNCTION refuse_held() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.title = 'held back' THEN RAISE EXCEPTION 'held back on purpose'; END IF; RETURN NEW; END $$`);
    await t.dataSource.query(
      `CREATE TRIGGER refuse_held BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION refuse_held()`,
    );
    try {
      const failing = await post(trigger(key, 'held/1', 'held back'));
      const after = await post(trigger(key, 'held/1', 'second alert of the same key'));
      const other = await post(trigger(key, 'free/1', 'another key'));

      // The other key is processed while the first attempt of the failing event is being retried.
      expect(await settled(t, admin, other)).toMatchObject({ status: 'processed', outcome: 'opened' });
      const retrying = await eventually(
        async () => {
          const v = await view(failing);
          return v.attempts >= 1 ? v : undefined;
        },
        15_000,
        'the failing event attempted once',
      );
      expect(retrying).toMatchObject({ status: 'accepted', attempts: 1 });
      expect(retrying.lastError).toContain('held back on purpose');
      expect(retrying.nextAttemptAt).not.toBeNull();
      // Its key's one retry job is due when the event says its next attempt is.
      const [retryJob] = await t.dataSource.query<{ run_at: Date; next_attempt_at: Date }[]>(
        `SELECT j.run_at, e.next_attempt_at FROM inbound_events e
           JOIN graphile_worker.jobs j ON j.key = 'inbox-retry:' || e.order_key
          WHERE e.id = $1`,
        [failing],
      );
      expect(retryJob?.run_at.getTime()).toBe(retryJob?.next_attempt_at.getTime());

      // Until the failing event gives up, the one after it waits (never overtakes it)...
      const done = await eventually(
        async () => {
          const [first, second] = [await view(failing), await view(after)];
          if (first.status === 'accepted') expect(second).toMatchObject({ status: 'accepted', attempts: 0 });
          return second.status !== 'accepted' ? { first, second } : undefined;
        },
        30_000,
        'the event after the failing one processed',
      );
      // ...then goes on: it opens the incident the failed trigger could not.
      expect(done.first).toMatchObject({ status: 'failed', attempts: 2 });
      expect(done.second).toMatchObject({ status: 'processed', outcome: 'opened' });
    } finally {
      await t.dataSource.query('DROP TRIGGER refuse_held ON incidents');
    }
  }, 60_000);

  it('an event stored but never queued (its instance died before queuing it) is processed by the sweep', async () => {
    const first = await post(trigger(key, 'stranded/1', 'disk filling'));
    const processed = await settled(t, admin, first);
    expect(processed).toMatchObject({ status: 'processed', outcome: 'opened' });

    // What a process killed between the insert and its dispatch leaves: a stored row, no job.
    const [stranded] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO inbound_events
         (channel, scope, source_id, source_label, idempotency_key, order_key, dedup_key, action, summary,
          content_type, raw_body, max_attempts, received_at)
       SELECT channel, scope, source_id, source_label, 'stranded-delivery', order_key, dedup_key, action, summary,
              content_type, raw_body, max_attempts, now() - interval '1 minute'
         FROM inbound_events WHERE id = $1
       RETURNING id`,
      [first],
    );
    const id = stranded!.id;
    expect(await view(id)).toMatchObject({ status: 'accepted', attempts: 0 });

    expect(await settled(t, admin, id)).toMatchObject({ status: 'processed', outcome: 'grouped' });
    const opened = await incident(t, admin, processed.incidentId!);
    expect(opened.alertCount).toBe(2);
    expect(t.logs().some((l) => String(l['msg']).includes('Inbox sweep queued 1 order key'))).toBe(true);
  });
});
