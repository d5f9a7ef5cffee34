import { parseAlertmanagerNotification } from './alertmanager-notification';
import { hashOfKey, keyMatches, looksLikeIntegrationKey, newIntegrationKey } from './integration-key';
import { parsePagerDutyEvent } from './pagerduty-event';
import { RateLimiter } from './rate-limiter';
import { severityOfLabel } from './severity-mapping';

const fieldsOf = (r: { errors: { field: string }[] } | object): string[] =>
  'errors' in r ? r.errors.map((e) => e.field).sort() : [];

describe('PagerDuty Events v2 validation', () => {
  const trigger = {
    routing_key: 'k',
    event_action: 'trigger',
    payload: { summary: 's', source: 'h', severity: 'info' },
  };

  it('accepts a minimal trigger and keeps unknown fields out of the way', () => {
    const r = parsePagerDutyEvent({ ...trigger, images: [{ src: 'x' }], extra: 1 });
    expect('event' in r && r.event).toMatchObject({
      action: 'trigger',
      dedupKey: undefined,
      payload: { severity: 'info' },
    });
  });

  it('requires summary, source and severity on a trigger, and a dedup key to acknowledge or resolve', () => {
    expect(fieldsOf(parsePagerDutyEvent({ event_action: 'trigger', payload: {} }))).toEqual([
      'payload.severity',
      'payload.source',
      'payload.summary',
    ]);
    expect(fieldsOf(parsePagerDutyEvent({ event_action: 'trigger' }))).toEqual(['payload']);
    expect(fieldsOf(parsePagerDutyEvent({ event_action: 'acknowledge' }))).toEqual(['dedup_key']);
    expect(fieldsOf(parsePagerDutyEvent({ event_action: 'resolve', dedup_key: 'x' }))).toEqual([]);
  });

  it('enforces the documented limits and types', () => {
    const long = parsePagerDutyEvent({
      ...trigger,
      dedup_key: 'd'.repeat(256),
      payload: { ...trigger.payload, summary: 's'.repeat(1025), timestamp: 'yesterday' },
      links: [{ text: 'no href' }],
    });
    expect(fieldsOf(long)).toEqual(['dedup_key', 'links.0.href', 'payload.summary', 'payload.timestamp']);
    expect(fieldsOf(parsePagerDutyEvent([]))).toEqual(['body']);
    expect(fieldsOf(parsePagerDutyEvent({ ...trigger, routing_key: 5 }))).toEqual(['routing_key']);
  });
});

describe('Alertmanager webhook validation', () => {
  const alert = {
    status: 'firing',
    labels: { alertname: 'A' },
    annotations: {},
    fingerprint: '0123456789abcdef',
  };
  it('accepts version 4 and Grafana extras', () => {
    const r = parseAlertmanagerNotification({
      version: '4',
      status: 'firing',
      groupKey: 'g',
      orgId: 1,
      alerts: [alert],
    });
    expect('notification' in r && r.notification.alerts).toHaveLength(1);
  });
  it('refuses other versions, empty groups and labels that are not strings', () => {
    expect(
      fieldsOf(
        parseAlertmanagerNotification({ version: '3', status: 'firing', groupKey: 'g', alerts: [alert] }),
      ),
    ).toEqual(['version']);
    expect(fieldsOf(parseAlertmanagerNotification({ status: 'firing', groupKey: 'g', alerts: [] }))).toEqual([
      'alerts',
    ]);
    expect(
      fieldsOf(
        parseAlertmanagerNotification({
          status: 'firing',
          groupKey: 'g',
          alerts: [{ ...alert, labels: { a: 1 } }],
        }),
      ),
    ).toEqual(['alerts.0.labels']);
  });
});

describe('severity labels', () => {
  it.each([
    ['critical', 'critical'],
    ['PAGE', 'critical'],
    ['high', 'error'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['something-else', 'warning'],
    [undefined, 'warning'],
  ])('%s → %s', (label, severity) => expect(severityOfLabel(label)).toBe(severity));
});

describe('integration keys', () => {
  it('are 32 lower-case letters and digits, distinct, and checked against their hash only', () => {
    const keys = new Set(Array.from({ length: 200 }, newIntegrationKey));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(looksLikeIntegrationKey(key)).toBe(true);
    const [a, b] = [...keys];
    expect(keyMatches(a!, hashOfKey(a!))).toBe(true);
    expect(keyMatches(b!, hashOfKey(a!))).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('admits a burst of a tenth of a minute (at least 10), then one per 60/rate seconds', () => {
    const limiter = new RateLimiter();
    const t0 = 1_000_000;
    const admitted = Array.from({ length: 12 }, () => limiter.take('s', 60, t0).ok).filter(Boolean).length;
    expect(admitted).toBe(10);
    const refused = limiter.take('s', 60, t0);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('s', 60, t0 + 1000).ok).toBe(true);
    expect(limiter.take('other', 60, t0).ok).toBe(true);
  });
});
