import { Buffer } from 'node:buffer';
import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { InboxRetention } from '../../inbox/inbox-retention';
import { signatureOf } from '../event-signature';
import type { InboundEventDetailView, InboundEventView } from '../../inbox/dto/inbound-event.view';
import { countRows, createSource, incident, postRaw, settled, trigger } from './event-producers';

/** Alertmanager's webhook body (payload version 4) for alerts of one group. */
function notification(
  status: 'firing' | 'resolved',
  alerts: {
    name: string;
    fingerprint: string;
    status?: 'firing' | 'resolved';
    severity?: string;
    startsAt?: string;
  }[],
): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status,
    receiver: 'nexecute',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? status,
      labels: { alertname: a.name, severity: a.severity ?? 'critical', instance: `${a.fingerprint}:9100` },
      annotations: { summary: `${a.name} on ${a.fingerprint}`, description: 'Less than 3% left' },
      startsAt: a.startsAt ?? '2026-12-03T10:00:00Z',
      endsAt: (a.status ?? status) === 'resolved' ? '2026-12-03T10:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=disk',
      fingerprint: a.fingerprint,
    })),
  });
}

describe('Alertmanager webhook, signing, replay and retention', () => {
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ env: { DELIVERY_WORKER_POLL_INTERVAL_MS: '100', INBOX_MAX_ATTEMPTS: '2' } });
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  it('firing alerts open one incident per fingerprint; resolved resolves them; a repeat of the same firing adds nothing', async () => {
    const { integrationKey } = await createSource(t, admin, { name: 'Alertmanager' });
    const bearer = { Authorization: `Bearer ${integrationKey}` };
    const fired = await postRaw(
      t,
      '/api/events/alertmanager',
      notification('firing', [
        { name: 'DiskFull', fingerprint: 'a1b2c3d4e5f60718' },
        { name: 'DiskFull', fingerprint: '0f1e2d3c4b5a6978', severity: 'warning' },
      ]),
      { headers: bearer },
    );
    expect(fired.status).toBe(202);
    expect(fired.body).toMatchObject({ status: 'success', alerts: 2 });
    const firing = await settled(t, admin, (fired.body as { event_id: string }).event_id);
    expect(firing.effects.map((e) => [e.dedupKey, e.outcome])).toEqual([
      ['a1b2c3d4e5f60718', 'opened'],
      ['0f1e2d3c4b5a6978', 'opened'],
    ]);
    const [critical, warning] = await Promise.all(
      firing.effects.map((e) => incident(t, admin, e.incidentId!)),
    );
    expect(critical).toMatchObject({ title: 'DiskFull on a1b2c3d4e5f60718', priority: 1, state: 'new' });
    expect(warning!.priority).toBe(3);

    // Alertmanager notifies again (a repeat, or another alert joined the group): the same firing adds nothing.
    const repeat = await postRaw(
      t,
      '/api/events/alertmanager',
      notification('firing', [
        { name: 'DiskFull', fingerprint: 'a1b2c3d4e5f60718' },
        { name: 'DiskFull', fingerprint: '0f1e2d3c4b5a6978', severity: 'warning' },
        { name: 'DiskFull', fingerprint: '1111222233334444' },
      ]),
      { headers: bearer },
    );
    const repeated = await settled(t, admin, (repeat.body as { event_id: string }).event_id);
    expect(repeated.effects.map((e) => e.outcome)).toEqual(['unchanged', 'unchanged', 'opened']);
    expect((await incident(t, admin, critical!.id)).alertCount).toBe(1);

    // Basic auth with the key as the password works too (Alertmanager's basic_auth).
    const basic = `Basic ${Buffer.from(`alertmanager:${integrationKey}`).toString('base64')}`;
    const resolved = await postRaw(
      t,
      '/api/events/alertmanager',
      notification('resolved', [{ name: 'DiskFull', fingerprint: 'a1b2c3d4e5f60718' }]),
      { headers: { Authorization: basic } },
    );
    expect(resolved.status).toBe(202);
    const resolving = await settled(t, admin, (resolved.body as { event_id: string }).event_id);
    expect(resolving.effects).toEqual([
      expect.objectContaining({
        outcome: 'resolved',
        incidentId: critical!.id,
        dedupKey: 'a1b2c3d4e5f60718',
      }),
    ]);
    expect(await incident(t, admin, critical!.id)).toMatchObject({
      state: 'resolved',
      closeCode: 'Resolved by caller',
    });
    expect((await incident(t, admin, warning!.id)).state).toBe('new');
  });

  it('refuses a notification without credentials (401) or with invalid alerts (400), storing nothing', async () => {
    const { integrationKey } = await createSource(t, admin);
    const before = await countRows(t, 'SELECT 1 FROM inbound_events');
    const body = notification('firing', [{ name: 'X', fingerprint: 'ffffffffffffffff' }]);
    expect((await postRaw(t, '/api/events/alertmanager', body)).status).toBe(401);
    const invalid = await postRaw(
      t,
      '/api/events/alertmanager',
      JSON.stringify({ status: 'firing', groupKey: 'g', alerts: [{ status: 'odd' }] }),
      {
        headers: { Authorization: `Bearer ${integrationKey}` },
      },
    );
    expect(invalid.status).toBe(400);
    expect((invalid.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
      'alerts.0.fingerprint',
      'alerts.0.status',
    ]);
    expect(await countRows(t, 'SELECT 1 FROM inbound_events')).toBe(before);
  });

  describe('signed sources', () => {
    const secret = 'nx-test-secret-for-a-signed-source-0123';
    let key: string;
    beforeAll(async () => {
      key = (await createSource(t, admin, { signingSecret: secret })).integrationKey;
    });

    it('accepts a correctly signed event', async () => {
      const res = await postRaw(t, '/api/events', JSON.stringify(trigger(key, 'signed/1', 'Signed alert')), {
        secret,
      });
      expect(res.status).toBe(202);
    });

    it('refuses a tampered body, a stale or future timestamp, a missing or malformed signature (401), storing nothing', async () => {
      const before = await countRows(t, 'SELECT 1 FROM inbound_events');
      const body = JSON.stringify(trigger(key, 'signed/2', 'Signed alert'));
      const ts = String(Math.floor(Date.now() / 1000));
      const good = signatureOf(secret, ts, body);
      const tampered = await t.http
        .post('/api/events')
        .set('Content-Type', 'application/json')
        .set('X-Nexecute-Timestamp', ts)
        .set('X-Nexecute-Signature', good)
        .send(body.replace('Signed alert', 'Signed alerT'));
      expect(tampered.status).toBe(401);
      expect(tampered.body).toMatchObject({ code: 'EVENTS_SIGNATURE_INVALID' });
      const now = Math.floor(Date.now() / 1000);
      const stale = await postRaw(t, '/api/events', body, { secret, timestamp: now - 301 });
      expect(stale.body).toMatchObject({ code: 'EVENTS_SIGNATURE_STALE' });
      const future = await postRaw(t, '/api/events', body, { secret, timestamp: now + 301 });
      expect(future.body).toMatchObject({ code: 'EVENTS_SIGNATURE_STALE' });
      const unsigned = await postRaw(t, '/api/events', body);
      expect(unsigned.body).toMatchObject({ code: 'EVENTS_SIGNATURE_MISSING' });
      const wrongSecret = await postRaw(t, '/api/events', body, { secret: `${secret}x` });
      expect(wrongSecret.body).toMatchObject({ code: 'EVENTS_SIGNATURE_INVALID' });
      const malformed = await postRaw(t, '/api/events', body, {
        headers: { 'X-Nexecute-Timestamp': ts, 'X-Nexecute-Signature': 'sha256=zz' },
      });
      expect(malformed.status).toBe(401);
      for (const res of [stale, future, unsigned, wrongSecret]) expect(res.status).toBe(401);
      expect(await countRows(t, 'SELECT 1 FROM inbound_events')).toBe(before);
    });

    it('the signing secret is stored encrypted, and removing it lets unsigned events in', async () => {
      const created = await createSource(t, admin, { signed: true });
      expect(created.signingSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [row] = await t.dataSource.query<{ signing_secret: string }[]>(
        'SELECT signing_secret FROM event_sources WHERE id = $1',
        [created.source.id],
      );
      expect(row!.signing_secret).toMatch(/^v1\./);
      expect(row!.signing_secret).not.toContain(created.signingSecret);
      const body = JSON.stringify(trigger(created.integrationKey, 'enc/1', 'x'));
      expect((await postRaw(t, '/api/events', body, { secret: created.signingSecret! })).status).toBe(202);
      await t.http
        .patch(`/api/event-sources/${created.source.id}`)
        .set('Authorization', admin.bearer)
        .send({ signed: false });
      expect(
        (await postRaw(t, '/api/events', JSON.stringify(trigger(created.integrationKey, 'enc/2', 'y'))))
          .status,
      ).toBe(202);
      const rotated = await t.http
        .post(`/api/event-sources/${created.source.id}/rotate-secret`)
        .set('Authorization', admin.bearer)
        .send({});
      const fresh = (rotated.body as { signingSecret: string }).signingSecret;
      expect(
        (await postRaw(t, '/api/events', JSON.stringify(trigger(created.integrationKey, 'enc/3', 'z'))))
          .status,
      ).toBe(401);
      expect(
        (
          await postRaw(t, '/api/events', JSON.stringify(trigger(created.integrationKey, 'enc/3', 'z')), {
            secret: fresh,
          })
        ).status,
      ).toBe(202);
    });
  });

  it('an event that keeps failing is failed after its attempts, shown with its error, and replayable by an admin (audited)', async () => {
    const { integrationKey } = await createSource(t, admin);
    // A fault outside the inbox: incidents refuse this title until the trigger is dropped.
    await t.dataSource.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.title = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF; RETURN NEW; END $$`);
    await t.dataSource.query(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
    );
    const res = await postRaw(
      t,
      '/api/events',
      JSON.stringify(trigger(integrationKey, 'poison/1', 'poison')),
    );
    expect(res.status).toBe(202);
    const eventId = (res.body as { event_id: string }).event_id;
    const failed = await settled(t, admin, eventId, 30_000);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, incidentId: null });
    expect(failed.lastError).toContain('poison refused');
    const listed = await t.http.get('/api/inbox?status=failed').set('Authorization', admin.bearer);
    expect((listed.body as { items: InboundEventView[] }).items.map((e) => e.id)).toContain(eventId);

    // Replaying a processed event is refused; a failed one goes again once the fault is gone.
    const processed = await postRaw(
      t,
      '/api/events',
      JSON.stringify(trigger(integrationKey, 'fine/1', 'fine')),
    );
    await settled(t, admin, (processed.body as { event_id: string }).event_id);
    const refused = await t.http
      .post(`/api/inbox/${(processed.body as { event_id: string }).event_id}/replay`)
      .set('Authorization', admin.bearer);
    expect(refused.status).toBe(409);
    await t.dataSource.query('DROP TRIGGER refuse_poison ON incidents');
    const replay = await t.http.post(`/api/inbox/${eventId}/replay`).set('Authorization', admin.bearer);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ status: 'accepted', attempts: 0 });
    const done = await settled(t, admin, eventId);
    expect(done).toMatchObject({ status: 'processed', outcome: 'opened' });
    const detail = (await t.http.get(`/api/inbox/${eventId}`).set('Authorization', admin.bearer))
      .body as InboundEventDetailView;
    expect(JSON.parse(detail.rawBody)).toMatchObject({ dedup_key: 'poison/1' });
    expect(
      await countRows(t, `SELECT 1 FROM audit_events WHERE action = 'inbox.replayed' AND target_id = $1`, [
        eventId,
      ]),
    ).toBe(1);
  });

  it('keeps events (and so recognises duplicates) for the retention, then deletes processed ones', async () => {
    const { integrationKey } = await createSource(t, admin);
    const body = JSON.stringify(trigger(integrationKey, 'old/1', 'Old alert'));
    const first = await postRaw(t, '/api/events', body);
    const id = (first.body as { event_id: string }).event_id;
    await settled(t, admin, id);
    await t.dataSource.query(
      `UPDATE inbound_events SET received_at = now() - interval '29 days' WHERE id = $1`,
      [id],
    );
    const retention = t.app.get(InboxRetention);
    await retention.sweep();
    const within = await postRaw(t, '/api/events', body);
    expect(within.body).toMatchObject({ event_id: id, duplicate: true });
    await t.dataSource.query(
      `UPDATE inbound_events SET received_at = now() - interval '31 days' WHERE id = $1 OR duplicate_of = $1`,
      [id],
    );
    expect(await retention.sweep()).toBeGreaterThanOrEqual(2);
    expect(await countRows(t, 'SELECT 1 FROM inbound_events WHERE id = $1', [id])).toBe(0);
  });
});
