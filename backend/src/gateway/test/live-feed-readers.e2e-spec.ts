import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { ROLES, type Role } from '../../common/auth/roles';
import type { LiveIntegrationStatus } from '../live-protocol';
import { LiveGateway } from '../live.gateway';
import { LiveTestClient, newIncident } from './live-test-client';

const INCIDENT_WIRE_TYPES = [
  'incident.created',
  'incident.updated',
  'incident.commented',
  'incident.sla_warning',
];

describe('/live: each socket receives what its role may read', () => {
  let t: TestApp;
  let admin: SignedIn;
  const open: LiveTestClient[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    admin = await signInAsAdmin(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  async function live(who: SignedIn): Promise<LiveTestClient> {
    const client = await LiveTestClient.open(t, who.accessToken);
    open.push(client);
    return client;
  }

  /** An admin-only event (integration.status), as the gateway publishes one; returns its id. */
  function publishAdminOnly(): string {
    const event: LiveIntegrationStatus = {
      type: 'integration.status',
      v: 1,
      id: `probe-${Math.random()}`,
      at: new Date().toISOString(),
      integration: 'slack',
      status: 'degraded',
      detail: 'probe',
    };
    t.app.get(LiveGateway).publishEverywhere(event);
    return event.id;
  }

  /**
   * Frames reach a socket in the order they were sent: once an incident created afterwards has
   * arrived on every socket, a socket that got nothing about earlier events never will.
   */
  async function afterwards(sockets: LiveTestClient[]): Promise<void> {
    const later = await newIncident(t, admin);
    await Promise.all(sockets.map((s) => s.eventFor(later)));
  }

  const received = (socket: LiveTestClient, id: string): boolean => socket.events.some((e) => e.id === id);

  it('sends incident events to exactly the roles that read incidents over REST', async () => {
    const people = await Promise.all(ROLES.map((role) => givenUser(t, role)));
    const sockets = await Promise.all(people.map(live));
    const incidentId = await newIncident(t, admin);
    for (const [i, person] of people.entries()) {
      const rest = await t.http
        .get(`/api/incidents/${incidentId}/timeline`)
        .set('authorization', person.bearer);
      const socket = sockets[i]!;
      if (rest.status === 200) {
        expect(await socket.eventFor(incidentId, 'incident.created')).toMatchObject({
          incidentId,
        });
        expect(socket.welcome.eventTypes).toEqual(expect.arrayContaining(INCIDENT_WIRE_TYPES));
      } else {
        expect(socket.welcome.eventTypes).not.toEqual(expect.arrayContaining(['incident.created']));
      }
    }
  });

  it('sends an admin-only event type (integration.status) to admins only', async () => {
    const byRole = new Map<Role, LiveTestClient>();
    for (const role of ROLES) byRole.set(role, await live(await givenUser(t, role)));
    const adminSocket = byRole.get('admin')!;
    const adminOnly = publishAdminOnly();
    await afterwards([...byRole.values()]);

    expect(received(adminSocket, adminOnly)).toBe(true);
    expect(received(byRole.get('responder')!, adminOnly)).toBe(false);
    expect(received(byRole.get('viewer')!, adminOnly)).toBe(false);
    expect(byRole.get('viewer')!.welcome.eventTypes).not.toContain('integration.status');
    expect(adminSocket.welcome.eventTypes).toContain('integration.status');
  });

  it('sends analytics.refreshed to every role when a refresh is recorded', async () => {
    const sockets = await Promise.all(ROLES.map(async (role) => live(await givenUser(t, role))));
    const [row] = await t.dataSource.query<{ at: string }[]>(
      `INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES ('2026-12-04T10:00:00.250Z', 12, 'manual')
       RETURNING refreshed_at AS at`,
    );
    expect(row).toBeDefined();
    for (const socket of sockets) {
      const event = await socket.until(
        () =>
          socket.events.find(
            (e) => e.type === 'analytics.refreshed' && e.refreshedAt === '2026-12-04T10:00:00.250Z',
          ),
        'analytics.refreshed',
      );
      expect(event).toMatchObject({ v: 1, at: '2026-12-04T10:00:00.250Z' });
    }
  });

  it("sends integration.status when ServiceNow's reconciliation starts failing and when it recovers", async () => {
    const adminSocket = await live(await givenUser(t, 'admin'));
    const viewerSocket = await live(await givenUser(t, 'viewer'));
    const statuses = (): unknown[] =>
      adminSocket.events.flatMap((e) => (e.type === 'integration.status' ? [e] : []));
    await t.dataSource.query(
      `UPDATE servicenow_sync_state SET last_run_ok = false, last_run_error = 'ServiceNow answered 503'`,
    );
    await adminSocket.until(() => statuses()[0], 'integration.status');
    await t.dataSource.query(`UPDATE servicenow_sync_state SET last_run_ok = true, last_run_error = NULL`);
    await adminSocket.until(() => statuses()[1], 'the second integration.status');
    expect(statuses()).toEqual([
      expect.objectContaining({
        v: 1,
        integration: 'servicenow',
        status: 'down',
        detail: 'ServiceNow answered 503',
      }),
      expect.objectContaining({ integration: 'servicenow', status: 'ok', detail: null }),
    ]);
    await afterwards([viewerSocket]);
    expect(viewerSocket.events.some((e) => e.type === 'integration.status')).toBe(false);
  });

  it('downgrades a demoted admin at once and upgrades a promoted viewer', async () => {
    const person = await givenUser(t, 'admin');
    const socket = await live(person);
    expect(socket.welcome).toMatchObject({ role: 'admin' });

    await t.http
      .patch(`/api/users/${person.user.id}`)
      .set('authorization', admin.bearer)
      .send({ role: 'viewer' })
      .expect(200);
    const changedAt = Date.now();
    const demoted = await socket.until(() => socket.changes[0], 'access.changed');
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(demoted.role).toBe('viewer');
    expect(demoted.eventTypes).not.toContain('integration.status');

    const hidden = publishAdminOnly();
    await afterwards([socket]);
    expect(received(socket, hidden)).toBe(false);
    expect(socket.ended).toBeUndefined();

    await t.http
      .patch(`/api/users/${person.user.id}`)
      .set('authorization', admin.bearer)
      .send({ role: 'admin' })
      .expect(200);
    await socket.until(() => socket.changes[1], 'the second access.changed');
    expect(socket.changes[1]).toMatchObject({ role: 'admin' });
    const shown = publishAdminOnly();
    await socket.until(() => (received(socket, shown) ? true : undefined), 'the admin-only event');
  });
});
