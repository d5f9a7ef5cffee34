import { signatureOf } from '../event-signature';
import type { TestApp } from '../../../test/test-app';
import type { SignedIn } from '../../../test/sign-in';
import { eventually } from '../../../test/support/wait-for';
import type { CreatedEventSourceView } from '../dto/event-source.view';
import type { InboundEventView } from '../../inbox/dto/inbound-event.view';
import type { IncidentView } from '../../incidents/dto/incident.view';

/** Test helpers that speak to the app as a webhook producer and an admin would. */

export async function createSource(
  t: TestApp,
  admin: SignedIn,
  body: Record<string, unknown> = {},
): Promise<CreatedEventSourceView> {
  const res = await t.http
    .post('/api/event-sources')
    .set('Authorization', admin.bearer)
    .send({ name: `Source ${Math.random().toString(36).slice(2, 10)}`, ...body });
  if (res.status !== 201)
    throw new Error(`creating a source failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedEventSourceView;
}

export function trigger(
  routingKey: string,
  dedupKey: string | undefined,
  summary: string,
  extra: Record<string, unknown> = {},
) {
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    ...(dedupKey === undefined ? {} : { dedup_key: dedupKey }),
    payload: {
      summary,
      source: 'db-01.prod',
      severity: 'critical',
      custom_details: { free: '3%' },
      ...extra,
    },
  };
}

/** Posts raw bytes (so a test controls exactly what is signed), optionally signed with `secret`. */
export function postRaw(
  t: TestApp,
  path: string,
  body: string,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
) {
  let req = t.http.post(path).set('Content-Type', 'application/json');
  if (options.secret) {
    const ts = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    req = req
      .set('X-Nexecute-Timestamp', ts)
      .set('X-Nexecute-Signature', signatureOf(options.secret, ts, body));
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) req = req.set(k, v);
  return req.send(body);
}

/** The inbox row once it is no longer `accepted` (processed, or failed). */
export function settled(
  t: TestApp,
  admin: SignedIn,
  eventId: string,
  timeoutMs = 15_000,
): Promise<InboundEventView> {
  return eventually(
    async () => {
      const res = await t.http.get(`/api/inbox/${eventId}`).set('Authorization', admin.bearer);
      const view = res.body as InboundEventView;
      return res.status === 200 && view.status !== 'accepted' ? view : undefined;
    },
    timeoutMs,
    `inbound event ${eventId} settled`,
  );
}

export async function incident(t: TestApp, admin: SignedIn, id: string): Promise<IncidentView> {
  const res = await t.http.get(`/api/incidents/${id}`).set('Authorization', admin.bearer);
  if (res.status !== 200) throw new Error(`reading incident ${id}: ${res.status}`);
  return res.body as IncidentView;
}

export async function countRows(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await t.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (${sql}) x`,
    params,
  );
  return row?.n ?? 0;
}
