import type { SignedIn } from '../../../test/sign-in';
import type { TestApp } from '../../../test/test-app';
import { eventually } from '../../../test/support/wait-for';
import { signatureOf } from '../../common/http/signed-request';
import type { InboundEventView } from '../../inbox/dto/inbound-event.view';
import type { IncidentView } from '../../incidents/dto/incident.view';
import type { ServiceNowTableStub } from './servicenow-table-stub';

export const WEBHOOK_SECRET = 'nx-sync-test-secret';

/** The environment the stand-in settings and token read (see servicenow-sync-settings.ts). */
export function serviceNowEnv(stub: ServiceNowTableStub): Record<string, string> {
  return {
    SERVICENOW_INSTANCE_URL: stub.url,
    SERVICENOW_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SERVICENOW_CLIENT_ID: 'nexecute',
    SERVICENOW_CLIENT_SECRET: 'client-secret',
    SERVICENOW_USERNAME: 'integration.user',
    SERVICENOW_PASSWORD: 'password',
    SERVICENOW_ASSIGNMENT_GROUPS: 'Network Operations=grp-network,Service Desk=grp-desk',
  };
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

export function recordEvent(event: string, record: Record<string, string>) {
  return { event_id: `${record['sys_id']}:${record['sys_mod_count']}:${event}`, event, record };
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
