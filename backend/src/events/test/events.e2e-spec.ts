import { signInAsAdmin, givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { InboundEventView } from '../../inbox/dto/inbound-event.view';
import type { CreatedEventSourceView } from '../dto/event-source.view';
import { countRows, createSource, incident, postRaw, settled, trigger } from './event-producers';

describe('POST /api/events (PagerDuty Events API v2) through the inbox', () => {
  let t: TestApp;
  let admin: SignedIn;
  let source: CreatedEventSourceView;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { DELIVERY_WORKER_POLL_INTERVAL_MS: '100' } });
    admin = await signInAsAdmin(t);
    source = await createSource(t, admin, {
      name: 'Prometheus (production)',
      defaultAssignmentGroup: 'Database Operations',
      defaultCategory: 'database',
      severityMapping: {
        critical: { impact: 1, urgency: 1 },
        error: { impact: 1, urgency: 2 },
        warning: { impact: 2, urgency: 3 },
        info: { impact: 3, urgency: 3 },
      },
      resolveCloseCode: 'Workaround provided',
    });
    key = source.integrationKey;
  });
  afterAll(() => t.close());

  const send = (body: unknown, headers: Record<string, string> = {}) =>
    postRaw(t, '/api/events', JSON.stringify(body), { headers });

  it('shows the integration key once, as 32 characters, and stores only its hash', async () => {
    expect(key).toMatch(/^[a-z0-9]{32}$/);
    expect(source.source.keyPrefix).toBe(key.slice(0, 8));
    const list = await t.http.get('/api/event-sources').set('Authorization', admin.bearer);
    expect(JSON.stringify(list.body)).not.toContain(key);
    const [row] = await t.dataSource.query<{ key_hash: Buffer }[]>(
      'SELECT key_hash FROM event_sources WHERE id = $1',
      [source.source.id],
    );
    expect(row!.key_hash.toString('utf8')).not.toContain(key);
    const audit = await countRows(
      t,
      `SELECT 1 FROM audit_events WHERE action = 'event_source.created' AND target_id = $1`,
      [source.source.id],
    );
    expect(audit).toBe(1);
  });

  it('a trigger opens an incident: 202 with the dedup key and event id, then processed', async () => {
    const res = await send(
      trigger(key, 'disk-full/db-01', 'Disk 97% full on db-01', { severity: 'warning' }),
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'disk-full/db-01',
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const event = await settled(t, admin, (res.body as { event_id: string }).event_id);
    expect(event).toMatchObject({
      status: 'processed',
      outcome: 'opened',
      action: 'trigger',
      dedupKey: 'disk-full/db-01',
    });
    const opened = await incident(t, admin, event.incidentId!);
    expect(opened).toMatchObject({
      title: 'Disk 97% full on db-01',
      source: 'webhook',
      impact: 2,
      urgency: 3,
      priority: 4,
      category: 'database',
      assignmentGroup: 'Database Operations',
      alertCount: 1,
      state: 'new',
    });
    expect(opened.description).toContain('db-01.prod');
    expect(opened.description).toContain('"free": "3%"');
    expect(event.incidentNumber).toBe(opened.number);
  });

  it('a repeated trigger with the same dedup key adds to the open incident instead of opening another', async () => {
    const first = await send(trigger(key, 'cpu/web-1', 'CPU high on web-1'));
    const firstEvent = await settled(t, admin, (first.body as { event_id: string }).event_id);
    const second = await send(trigger(key, 'cpu/web-1', 'CPU still high on web-1'));
    const secondEvent = await settled(t, admin, (second.body as { event_id: string }).event_id);
    expect(secondEvent).toMatchObject({ outcome: 'grouped', incidentId: firstEvent.incidentId });
    const grouped = await incident(t, admin, firstEvent.incidentId!);
    expect(grouped.alertCount).toBe(2);
    expect(grouped.lastAlertAt).not.toBeNull();
    const timeline = await t.http
      .get(`/api/incidents/${grouped.id}/timeline`)
      .set('Authorization', admin.bearer);
    const alerts = (timeline.body as { items: { kind: string; body: string }[] }).items.filter(
      (e) => e.kind === 'alert',
    );
    expect(alerts.map((e) => e.body)).toEqual(['CPU still high on web-1']);
    const events = await t.http.get(`/api/incidents/${grouped.id}/events`).set('Authorization', admin.bearer);
    expect((events.body as { items: InboundEventView[] }).items.map((e) => e.id)).toEqual([
      firstEvent.id,
      secondEvent.id,
    ]);
    const outbox = await countRows(
      t,
      `SELECT 1 FROM outbox_events WHERE type = 'incident.alert_grouped' AND aggregate_id = $1`,
      [grouped.id],
    );
    expect(outbox).toBe(1);
  });

  it('acknowledge and resolve act on the incident of their dedup key, in the order sent', async () => {
    const ids: string[] = [];
    for (const body of [
      trigger(key, 'svc/checkout', 'Checkout 5xx'),
      { routing_key: key, event_action: 'acknowledge', dedup_key: 'svc/checkout' },
      { routing_key: key, event_action: 'resolve', dedup_key: 'svc/checkout' },
    ]) {
      const res = await send(body);
      expect(res.status).toBe(202);
      ids.push((res.body as { event_id: string }).event_id);
    }
    const events = await Promise.all(ids.map((id) => settled(t, admin, id)));
    expect(events.map((e) => e.outcome)).toEqual(['opened', 'acknowledged', 'resolved']);
    const resolved = await incident(t, admin, events[0]!.incidentId!);
    expect(resolved).toMatchObject({ state: 'resolved', closeCode: 'Workaround provided' });
    expect(resolved.acknowledgedAt).not.toBeNull();
    expect(resolved.closeNotes).toContain('Prometheus (production)');

    // After the resolve the same key opens a new incident.
    const again = await send(trigger(key, 'svc/checkout', 'Checkout 5xx again'));
    const reopened = await settled(t, admin, (again.body as { event_id: string }).event_id);
    expect(reopened.outcome).toBe('opened');
    expect(reopened.incidentId).not.toBe(resolved.id);
  });

  it('acknowledge or resolve with an unknown dedup key is accepted and ignored (not an error)', async () => {
    const res = await send({ routing_key: key, event_action: 'resolve', dedup_key: 'never-seen' });
    expect(res.status).toBe(202);
    const event = await settled(t, admin, (res.body as { event_id: string }).event_id);
    expect(event).toMatchObject({ status: 'processed', outcome: 'ignored', incidentId: null });
  });

  it('a trigger without a dedup key gets one generated and returned, also on a duplicate delivery', async () => {
    const body = trigger(key, undefined, 'Backup job failed');
    const res = await send(body);
    expect(res.status).toBe(202);
    const generated = (res.body as { dedup_key: string }).dedup_key;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const again = await send(body);
    expect(again.body).toMatchObject({
      dedup_key: generated,
      event_id: (res.body as { event_id: string }).event_id,
      duplicate: true,
    });
  });

  it('a duplicate delivery answers 202 with the first receipt and is processed once', async () => {
    const body = trigger(key, 'mem/api-7', 'Memory high on api-7');
    const first = await send(body);
    const firstId = (first.body as { event_id: string }).event_id;
    const [second, third] = await Promise.all([send(body), send(body)]);
    for (const res of [second, third]) {
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ event_id: firstId, duplicate: true });
    }
    const event = await settled(t, admin, firstId);
    // An Idempotency-Key names the delivery instead of the bytes: a different body is still the same delivery.
    const keyed = await send(trigger(key, 'mem/api-7', 'Memory high (retry)'), {
      'Idempotency-Key': 'delivery-42',
    });
    const keyedAgain = await send(trigger(key, 'mem/api-7', 'Memory high (retry, reformatted)'), {
      'Idempotency-Key': 'delivery-42',
    });
    expect((keyedAgain.body as { event_id: string }).event_id).toBe(
      (keyed.body as { event_id: string }).event_id,
    );
    await settled(t, admin, (keyed.body as { event_id: string }).event_id);
    expect((await incident(t, admin, event.incidentId!)).alertCount).toBe(2);
    const duplicates = await t.http
      .get(`/api/inbox?sourceId=${source.source.id}&status=duplicate`)
      .set('Authorization', admin.bearer);
    const dupOfFirst = (duplicates.body as { items: InboundEventView[] }).items.filter(
      (e) => e.duplicateOf === firstId,
    );
    expect(dupOfFirst).toHaveLength(2);
  });

  it('concurrent triggers with one new dedup key open exactly one incident', async () => {
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) => send(trigger(key, 'storm/lb-1', `Load balancer errors #${i}`))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(202));
    const events = await Promise.all(
      responses.map((r) => settled(t, admin, (r.body as { event_id: string }).event_id)),
    );
    const incidents = new Set(events.map((e) => e.incidentId));
    expect(incidents.size).toBe(1);
    expect(events.filter((e) => e.outcome === 'opened')).toHaveLength(1);
    expect((await incident(t, admin, events[0]!.incidentId!)).alertCount).toBe(25);
  });

  it('refuses an invalid event with 400 field errors and stores nothing', async () => {
    const before = await countRows(t, 'SELECT 1 FROM inbound_events');
    const res = await send({
      routing_key: key,
      event_action: 'trigger',
      payload: { summary: '', severity: 'bad' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['payload.severity', 'payload.source', 'payload.summary']);
    const badAction = await send({ routing_key: key, event_action: 'explode', dedup_key: 'k' });
    expect((badAction.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'event_action',
    ]);
    const notJson = await postRaw(t, '/api/events', '{"routing_key":');
    expect(notJson.status).toBe(400);
    const noDedup = await send({ routing_key: key, event_action: 'resolve' });
    expect(noDedup.status).toBe(400);
    expect(await countRows(t, 'SELECT 1 FROM inbound_events')).toBe(before);
  });

  it('refuses an unknown key (401), a disabled source (403) and a too large body (413), storing nothing', async () => {
    const before = await countRows(t, 'SELECT 1 FROM inbound_events');
    const unknown = await send(trigger('abcdefgh' + 'x'.repeat(24), 'k', 'x'));
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ code: 'EVENTS_SOURCE_UNKNOWN' });
    const wrongSecretPart = await send(trigger(key.slice(0, 8) + 'y'.repeat(24), 'k', 'x'));
    expect(wrongSecretPart.status).toBe(401);
    const off = await createSource(t, admin, { enabled: false });
    const disabled = await send(trigger(off.integrationKey, 'k', 'x'));
    expect(disabled.status).toBe(403);
    expect(disabled.body).toMatchObject({ code: 'EVENTS_SOURCE_DISABLED' });
    const huge = await send(
      trigger(key, 'k', 'x', { custom_details: { blob: 'x'.repeat(2 * 1024 * 1024) } }),
    );
    expect(huge.status).toBe(413);
    expect(await countRows(t, 'SELECT 1 FROM inbound_events')).toBe(before);
  });

  it('takes an API key with events:ingest instead of a routing key; other keys are refused', async () => {
    const make = async (scopes: string[]) =>
      (
        (
          await t.http
            .post('/api/api-keys')
            .set('Authorization', admin.bearer)
            .send({ name: `ci-${scopes.join()}`, scopes })
        ).body as { key: string }
      ).key;
    const ingest = await make(['events:ingest']);
    const readOnly = await make(['incidents:read']);
    const body = {
      event_action: 'trigger',
      dedup_key: 'ci/build-9',
      payload: { summary: 'Deploy failed', source: 'ci', severity: 'error' },
    };
    const ok = await send(body, { 'X-Api-Key': ingest });
    expect(ok.status).toBe(202);
    const event = await settled(t, admin, (ok.body as { event_id: string }).event_id);
    expect(event).toMatchObject({
      outcome: 'opened',
      sourceId: null,
      sourceLabel: expect.stringContaining('ci-events:ingest'),
    });
    expect((await incident(t, admin, event.incidentId!)).priority).toBe(2); // the default mapping: error → 1 × 2
    const refused = await send({ ...body, dedup_key: 'ci/other' }, { Authorization: `Bearer ${readOnly}` });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'AUTH_SCOPE_MISSING' });
    const none = await send({ ...body, dedup_key: 'ci/none' });
    expect(none.status).toBe(401);
  });

  it("applies the source's rate limit with 429 and Retry-After", async () => {
    const slow = await createSource(t, admin, { rateLimitPerMinute: 60 });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 14; i++) {
      const res = await send(trigger(slow.integrationKey, `rl-${i}`, `Event ${i}`));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    // a burst of 10 passes (a tenth of a minute's worth, at least 10), then the limit
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('a request that stores nothing after taking a rate token gives it back', async () => {
    const slow = await createSource(t, admin, { rateLimitPerMinute: 60 });
    // ten refused at the store (invalid Idempotency-Key: 400, nothing stored)...
    for (let i = 0; i < 10; i++) {
      const res = await send(trigger(slow.integrationKey, `refund-${i}`, `Event ${i}`), {
        'Idempotency-Key': 'not\tvisible',
      });
      expect(res.status).toBe(400);
    }
    // ...leave the burst of ten whole
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await send(trigger(slow.integrationKey, `refund-ok-${i}`, `Event ${i}`))).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(statuses[10]).toBe(429);
  });

  it('only admins manage sources and read the inbox; any incident reader sees an incident’s events', async () => {
    const viewer = await givenUser(t, 'viewer');
    expect((await t.http.get('/api/event-sources').set('Authorization', viewer.bearer)).status).toBe(403);
    expect((await t.http.get('/api/inbox').set('Authorization', viewer.bearer)).status).toBe(403);
    const res = await send(trigger(key, 'viewer/visible', 'Visible to viewers'));
    const event = await settled(t, admin, (res.body as { event_id: string }).event_id);
    const list = await t.http
      .get(`/api/incidents/${event.incidentId}/events`)
      .set('Authorization', viewer.bearer);
    expect(list.status).toBe(200);
    expect((list.body as { items: InboundEventView[] }).items[0]).toMatchObject({
      id: event.id,
      summary: 'Visible to viewers',
    });
    expect(JSON.stringify(list.body)).not.toContain('rawBody');
  });

  it('rotating the key stops the old one at once; every change is audited', async () => {
    const rotating = await createSource(t, admin);
    const rotated = await t.http
      .post(`/api/event-sources/${rotating.source.id}/rotate-key`)
      .set('Authorization', admin.bearer);
    expect(rotated.status).toBe(200);
    const newKey = (rotated.body as { integrationKey: string }).integrationKey;
    expect((await send(trigger(rotating.integrationKey, 'r', 'old key'))).status).toBe(401);
    expect((await send(trigger(newKey, 'r', 'new key'))).status).toBe(202);
    const patched = await t.http
      .patch(`/api/event-sources/${rotating.source.id}`)
      .set('Authorization', admin.bearer)
      .send({ enabled: false });
    expect(patched.body).toMatchObject({ enabled: false });
    expect((await send(trigger(newKey, 'r2', 'disabled now'))).status).toBe(403);
    expect(
      (await t.http.delete(`/api/event-sources/${rotating.source.id}`).set('Authorization', admin.bearer))
        .status,
    ).toBe(204);
    expect((await send(trigger(newKey, 'r3', 'deleted now'))).status).toBe(401);
    const actions = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`,
      [rotating.source.id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'event_source.created',
      'event_source.key_rotated',
      'event_source.updated',
      'event_source.deleted',
    ]);
    // its events stay in the inbox under its name, no longer pointing at the deleted source
    expect(
      await countRows(t, 'SELECT 1 FROM inbound_events WHERE source_label = $1 AND source_id IS NULL', [
        rotating.source.name,
      ]),
    ).toBe(1);
  });
});
