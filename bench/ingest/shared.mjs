// What the load generator, the bare handler and the checks share: the signing rule of
// docs/events-producers.md and the PagerDuty Events v2 body the load sends.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-nexecute-timestamp';
export const SIGNATURE_HEADER = 'x-nexecute-signature';
export const TOLERANCE_SECONDS = 300;

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>` */
export function signatureOf(secret, timestamp, rawBody) {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** Headers of a signed JSON request, signed now. */
export function signedHeaders(secret, rawBody, nowMs = Date.now()) {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signatureOf(secret, timestamp, rawBody),
  };
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** The check the app does: both headers, Unix seconds within the tolerance, constant-time compare. */
export function signatureValid(secret, timestamp, signature, rawBody, nowMs = Date.now()) {
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const presented = SIGNATURE.exec(signature.trim())?.[1];
  if (!presented) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const given = Buffer.from(presented, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The idempotency key of a delivery without an Idempotency-Key header: the body's digest. */
export function bodyDigestKey(rawBody) {
  return `sha256:${createHash('sha256').update(rawBody).digest('base64url')}`;
}

const SERVICES = ['checkout-api', 'payments-gateway', 'orders-db', 'search-index', 'edge-proxy', 'sso'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/**
 * A PagerDuty Events v2 trigger of a realistic size (~650 bytes), distinct for every `n`: its own
 * dedup key, summary and details, so no two requests of a run are alike.
 */
export function triggerBody(routingKey, runId, n) {
  const service = SERVICES[n % SERVICES.length];
  return JSON.stringify({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: `bench-${runId}-${n}`,
    payload: {
      summary: `${service}: p99 latency above 2 s on node ${n % 97} (run ${runId}, event ${n})`,
      source: `${service}-${n % 13}.prod.example.internal`,
      severity: SEVERITIES[n % SEVERITIES.length],
      timestamp: new Date().toISOString(),
      component: service,
      group: 'prod-eu-west-1',
      class: 'latency',
      custom_details: {
        p99_ms: 2000 + (n % 1000),
        threshold_ms: 2000,
        region: 'eu-west-1',
        runbook: `https://runbooks.example.internal/${service}/latency`,
      },
    },
    links: [{ href: `https://grafana.example.internal/d/${service}?var-node=${n % 97}`, text: 'Dashboard' }],
    client: 'bench/ingest',
    client_url: 'https://ci.example.internal/bench',
  });
}

const GROUPS = ['Service Desk', 'Network', 'Database', 'Hardware', 'Software'];
const CATEGORIES = ['inquiry', 'software', 'hardware', 'network', 'database'];

/** `YYYY-MM-DD HH:MM:SS` in UTC, as the Table API writes dates. */
const glideDate = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * A ServiceNow business rule's webhook (docs/servicenow.md): an `incident.updated` event with the
 * incident as the Table API returns it raw (~1.5 KB), distinct for every `n` (its own record, so
 * each is a new incident here, and its own event id).
 */
export function servicenowWebhookBody(runId, n) {
  const sysId = createHash('md5').update(`${runId}:${n}`).digest('hex');
  const now = Date.now();
  const impact = String(1 + (n % 3));
  const urgency = String(1 + ((n >> 2) % 3));
  const group = GROUPS[n % GROUPS.length];
  return JSON.stringify({
    event_id: `${sysId}:1`,
    event: 'incident.updated',
    record: {
      sys_id: sysId,
      number: `INC${String(1_000_000 + n).padStart(7, '0')}`,
      short_description: `${SERVICES[n % SERVICES.length]}: users report errors on checkout (run ${runId}, change ${n})`,
      description: `Reported by the service desk. Error rate above 5 % for 10 minutes on node ${n % 97}; see the dashboard.`,
      state: '2',
      incident_state: '2',
      impact,
      urgency,
      priority: String(Math.min(5, Number(impact) + Number(urgency) - 1)),
      category: CATEGORIES[n % CATEGORIES.length],
      subcategory: '',
      assignment_group: {
        link: `https://example.service-now.com/api/now/table/sys_user_group/${sysId.slice(0, 16)}`,
        value: sysId.slice(0, 32),
      },
      assigned_to: '',
      caller_id: {
        link: `https://example.service-now.com/api/now/table/sys_user/${sysId.slice(8)}`,
        value: sysId,
      },
      opened_at: glideDate(now - 600_000),
      sys_created_on: glideDate(now - 600_000),
      sys_created_by: 'jane.doe',
      sys_updated_on: glideDate(now),
      sys_updated_by: 'jane.doe',
      sys_mod_count: '1',
      resolved_at: '',
      closed_at: '',
      close_code: '',
      close_notes: '',
      hold_reason: '',
      comments: '',
      work_notes: '',
      contact_type: 'phone',
      company: '',
      location: '',
      cmdb_ci: '',
      business_service: '',
      u_group_name: group,
    },
  });
}
