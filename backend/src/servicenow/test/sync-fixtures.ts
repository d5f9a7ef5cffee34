import type { SignedIn } from '../../../test/sign-in';
import type { TestApp } from '../../../test/test-app';
import { eventually } from '../../../test/support/wait-for';
import { signatureOf } from '../../common/http/signed-request';
import type { InboundEventView } from '../../inbox/dto/inbound-event.view';
import type { IncidentView } from '../../incidents/dto/incident.view';
import {
  DEFAULT_CLIENT,
  ServiceNowSimulator,
  type RecordedRequest,
  type ServiceNowSimulatorOptions,
} from '../../../test/simulators/servicenow.simulator';

/** The simulator's OAuth client (Application Registry entry) and integration user. */
export const CLIENT = {
  clientId: DEFAULT_CLIENT.clientId,
  clientSecret: DEFAULT_CLIENT.clientSecret,
} as const;
export const INTEGRATION_USER = {
  userName: 'nexecute.integration',
  password: 'integration-password',
} as const;
export const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';

/** Resilience settings that keep failure specs short (the timeout leaves room for a loaded CI machine). */
export const FAST_RESILIENCE = {
  SERVICENOW_TIMEOUT_MS: '3000',
  SERVICENOW_RETRY_BUDGET_MS: '6000',
  SERVICENOW_MAX_RETRIES: '5',
  SERVICENOW_CIRCUIT_FAILURES: '3',
  SERVICENOW_CIRCUIT_HALF_OPEN_MS: '400',
  DELIVERY_WORKER_ENABLED: 'false',
} as const;

/** The instance's clock: real time moved by `advance`, or frozen at one second. */
export class InstanceClock {
  private offset = 0;
  private frozen: number | null = null;
  readonly now = (): number => this.frozen ?? Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
  /** `YYYY-MM-DD HH:MM:SS` (UTC) or null: real time again. */
  freeze(at: string | null): void {
    this.frozen = at === null ? null : new Date(`${at.replace(' ', 'T')}Z`).getTime();
  }
}

/** A ServiceNow instance simulator on its own clock, client-credentials grant allowed. */
export async function startInstance(
  options: ServiceNowSimulatorOptions = {},
): Promise<{ sim: ServiceNowSimulator; clock: InstanceClock }> {
  const clock = new InstanceClock();
  const sim = await ServiceNowSimulator.start({ now: clock.now, clientCredentialsGrant: true, ...options });
  return { sim, clock };
}

/** SERVICENOW_* variables for a password-grant connection to `sim` (environment-managed). */
export function instanceEnv(
  sim: ServiceNowSimulator,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SERVICENOW_INSTANCE_URL: sim.url,
    SERVICENOW_CLIENT_ID: CLIENT.clientId,
    SERVICENOW_CLIENT_SECRET: CLIENT.clientSecret,
    SERVICENOW_USERNAME: INTEGRATION_USER.userName,
    SERVICENOW_PASSWORD: INTEGRATION_USER.password,
    SERVICENOW_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...FAST_RESILIENCE,
    ...extra,
  };
}

/** Token requests in order, by grant_type. */
export function tokenGrants(sim: ServiceNowSimulator): string[] {
  return sim.requests.filter((r) => r.path === '/oauth_token.do').map((r) => r.form?.grant_type ?? '?');
}

/** Table API requests, oldest first; those after the first `from` requests of any kind. */
export function tableRequests(sim: ServiceNowSimulator, from = 0): RecordedRequest[] {
  return sim.requests.slice(from).filter((r) => r.path.startsWith('/api/now/table/'));
}

/** Incident writes (POST, or PATCH of one record) that reached the instance, with their JSON bodies. */
export function writesTo(
  sim: ServiceNowSimulator,
  method: 'POST' | 'PATCH',
  sysId?: string,
): { status: number | undefined; body: Record<string, string> }[] {
  return tableRequests(sim)
    .filter(
      (r) =>
        r.method === method &&
        (method === 'POST'
          ? r.path === '/api/now/table/incident'
          : sysId === undefined || r.path === `/api/now/table/incident/${sysId}`),
    )
    .map((r) => ({ status: r.status, body: JSON.parse(r.rawBody || '{}') as Record<string, string> }));
}

/** Posts a webhook as a business rule does: signed over the exact bytes sent. */
export function postWebhook(
  t: TestApp,
  body: unknown,
  options: { secret?: string | null; timestamp?: number } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  let req = t.http.post('/api/webhooks/servicenow').set('Content-Type', 'application/json');
  if (options.secret !== null) {
    const ts = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    req = req
      .set('X-Nexecute-Timestamp', ts)
      .set('X-Nexecute-Signature', signatureOf(options.secret ?? WEBHOOK_SECRET, ts, raw));
  }
  return req.send(raw);
}

export function recordEvent(event: string, record: Readonly<Record<string, unknown>>) {
  return {
    event_id: `${String(record['sys_id'])}:${String(record['sys_mod_count'])}:${event}`,
    event,
    record,
  };
}

export function journalEvent(row: Record<string, string>) {
  return { event_id: `journal:${row['sys_id']}`, event: 'journal.added', record: row };
}

/** The inbox row once processed or failed. */
export function settled(t: TestApp, admin: SignedIn, eventId: string): Promise<InboundEventView> {
  return eventually(
    async () => {
      const res = await t.http.get(`/api/inbox/${eventId}`).set('Authorization', admin.bearer);
      const view = res.body as InboundEventView;
      return res.status === 200 && view.status !== 'accepted' ? view : undefined;
    },
    15_000,
    `inbound event ${eventId} settled`,
  );
}

/** Posts a webhook and waits until it is processed; the inbox row. */
export async function deliverWebhook(t: TestApp, admin: SignedIn, body: unknown): Promise<InboundEventView> {
  const res = await postWebhook(t, body);
  if (res.status !== 202) throw new Error(`webhook refused: ${res.status} ${JSON.stringify(res.body)}`);
  const view = await settled(t, admin, (res.body as { event_id: string }).event_id);
  if (view.status !== 'processed') throw new Error(`webhook not processed: ${JSON.stringify(view)}`);
  return view;
}

export async function incident(t: TestApp, admin: SignedIn, id: string): Promise<IncidentView> {
  const res = await t.http.get(`/api/incidents/${id}`).set('Authorization', admin.bearer);
  if (res.status !== 200) throw new Error(`reading incident ${id}: ${res.status}`);
  return res.body as IncidentView;
}

/** Waits until every `servicenow` delivery of the incident is done (delivered or dead); their rows. */
export function outboundSettled(
  t: TestApp,
  incidentId: string,
): Promise<{ type: string; status: string; last_error: string | null }[]> {
  return eventually(
    async () => {
      const rows = await t.dataSource.query<{ type: string; status: string; last_error: string | null }[]>(
        `SELECT e.type, d.status, d.last_error FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
          WHERE d.consumer = 'servicenow' AND e.aggregate_id = $1 ORDER BY e.occurred_at`,
        [incidentId],
      );
      return rows.length && rows.every((r) => r.status === 'delivered' || r.status === 'dead')
        ? rows
        : undefined;
    },
    20_000,
    `servicenow deliveries of ${incidentId} settled`,
  );
}

export async function timeline(
  t: TestApp,
  admin: SignedIn,
  id: string,
): Promise<
  { kind: string; body: string | null; actor: { type: string; id: string | null; label: string | null } }[]
> {
  const res = await t.http.get(`/api/incidents/${id}/timeline?limit=200`).set('Authorization', admin.bearer);
  return (res.body as { items: never[] }).items;
}

export async function countRows(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await t.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (${sql}) x`,
    params,
  );
  return row?.n ?? 0;
}
