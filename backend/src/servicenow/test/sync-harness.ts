import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import type { ServiceNowSimulator } from '../../../test/simulators/servicenow.simulator';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { InboundEventView } from '../../inbox/dto/inbound-event.view';
import type { IncidentView } from '../../incidents/dto/incident.view';
import {
  CLIENT,
  INTEGRATION_USER,
  incident,
  outboundSettled,
  settled,
  startInstance,
  WEBHOOK_SECRET,
  type InstanceClock,
} from './sync-fixtures';

/**
 * Our app (real HTTP, real database, the delivery worker running) connected to a simulated
 * instance the way an admin does it: PUT /api/integrations/servicenow with the instance URL,
 * credentials, webhook secret and assignment groups; the instance's business rule posts signed
 * webhooks to our endpoint.
 */
export interface SyncHarness {
  readonly t: TestApp;
  readonly sim: ServiceNowSimulator;
  readonly clock: InstanceClock;
  readonly admin: SignedIn;
  /** Our group names → the instance's sys_user_group sys_ids, as configured. */
  readonly groups: Readonly<Record<string, string>>;
  close(): Promise<void>;
  /** PUT /api/integrations/servicenow as the admin. */
  configure(body: Record<string, unknown>): Promise<void>;
  /** POST /api/incidents as the admin. */
  createHere(body?: Record<string, unknown>): Promise<IncidentView>;
  /** An incident created here and linked there; its record on the instance. */
  linkedHere(body?: Record<string, unknown>): Promise<{ view: IncidentView; sysId: string }>;
  /** An incident created there by a person, brought here by its webhook. */
  linkedThere(fields?: Record<string, unknown>): Promise<{ view: IncidentView; sysId: string }>;
  /**
   * Runs a change on the instance, then waits until every webhook it caused was answered and
   * processed here; the change's result and the inbox rows (in the order sent).
   */
  there<T>(change: () => T): Promise<{ result: T; events: InboundEventView[] }>;
  /** Waits until the instance sent everything queued and each accepted webhook is processed. */
  webhooksSettled(fromAttempt?: number): Promise<InboundEventView[]>;
}

export async function startSyncHarness(env: Record<string, string> = {}): Promise<SyncHarness> {
  const { sim, clock } = await startInstance();
  const t = await startTestApp({
    env: {
      DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
      SERVICENOW_RECONCILE_INTERVAL_MS: '0',
      SERVICENOW_TIMEOUT_MS: '2000',
      SERVICENOW_RETRY_BUDGET_MS: '6000',
      // the failure specs open the client's circuit; it lets the next call probe soon
      SERVICENOW_CIRCUIT_HALF_OPEN_MS: '200',
      ...env,
    },
  });
  const admin = await signInAsAdmin(t);
  const groups = {
    'Network Operations': sim.addGroup('Network Operations'),
    'Service Desk': sim.groups().find((g) => g.name === 'Service Desk')!.sysId,
  };

  const configure = async (body: Record<string, unknown>): Promise<void> => {
    const res = await t.http
      .put('/api/integrations/servicenow')
      .set('Authorization', admin.bearer)
      .send(body);
    if (res.status !== 200) throw new Error(`PUT connection: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await configure({
    instanceUrl: sim.url,
    grant: 'password',
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    username: INTEGRATION_USER.userName,
    password: INTEGRATION_USER.password,
    webhookSecret: WEBHOOK_SECRET,
    assignmentGroups: groups,
  });
  // The business rule of docs/servicenow.md: it skips the integration user's own writes.
  sim.configureWebhook({
    url: `${t.baseUrl.replace('[::1]', '127.0.0.1')}/api/webhooks/servicenow`,
    secret: WEBHOOK_SECRET,
    emitFor: 'others',
    retryDelayMs: 50,
  });

  const webhooksSettled = async (fromAttempt = 0): Promise<InboundEventView[]> => {
    await sim.webhook.idle();
    const ids = [
      ...new Set(
        sim.webhook.attempts
          .slice(fromAttempt)
          .filter((a) => a.status === 202 && a.responseBody)
          .map((a) => (JSON.parse(a.responseBody!) as { event_id: string }).event_id),
      ),
    ];
    const views: InboundEventView[] = [];
    for (const id of ids) views.push(await settled(t, admin, id));
    return views;
  };

  const there = async <T>(change: () => T): Promise<{ result: T; events: InboundEventView[] }> => {
    const from = sim.webhook.attempts.length;
    const result = change();
    const events = await webhooksSettled(from);
    const failed = events.filter((e) => e.status !== 'processed' && e.status !== 'duplicate');
    if (failed.length > 0) throw new Error(`webhooks not processed: ${JSON.stringify(failed)}`);
    return { result, events };
  };

  const createHere = async (body: Record<string, unknown> = {}): Promise<IncidentView> => {
    const res = await t.http
      .post('/api/incidents')
      .set('Authorization', admin.bearer)
      .send({ title: 'Checkout API returns 502', impact: 1, urgency: 2, category: 'network', ...body })
      .expect(201);
    return res.body as IncidentView;
  };

  return {
    t,
    sim,
    clock,
    admin,
    groups,
    configure,
    createHere,
    there,
    webhooksSettled,
    async linkedHere(body = {}) {
      const created = await createHere(body);
      await outboundSettled(t, created.id);
      const view = await incident(t, admin, created.id);
      if (!view.externalRef) throw new Error(`incident ${view.number} was not linked`);
      return { view, sysId: view.externalRef };
    },
    async linkedThere(fields = {}) {
      const { result: record, events } = await there(() =>
        sim.createAsUser({ short_description: 'Mail is down', impact: '2', urgency: '2', ...fields }),
      );
      const created = events.find((e) => e.incidentId);
      if (!created?.incidentId) throw new Error(`no incident for ${String(record.sys_id)}`);
      return { view: await incident(t, admin, created.incidentId), sysId: String(record.sys_id) };
    },
    async close() {
      await t.close();
      await sim.close();
    },
  };
}
