import { randomUUID } from 'node:crypto';
import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { ROLES, type Role } from '../../common/auth/roles';
import { Outbox } from '../../deliveries/outbox';
import { INCIDENT_EVENTS } from '../../incidents/incident.events';
import { ADMIN_ONLY_EVENT, LIVE_PROBE_EVENTS, LiveProbeModule, UNDECLARED_EVENT } from './live-probe.module';
import { LiveTestClient, newIncident } from './live-test-client';
import { waitFor } from '../../../test/support/wait-for';

describe('/live: each socket receives what its role may read', () => {
  let t: TestApp;
  let admin: SignedIn;
  const open: LiveTestClient[] = [];
  beforeAll(async () => {
    t = await startTestApp({ imports: [LiveProbeModule] });
    admin = await signInAsAdmin(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  async function live(who: SignedIn): Promise<LiveTestClient> {
    const client = await LiveTestClient.open(t, who.accessToken);
    open.push(client);
    return client;
  }

  async function publish(type: typeof ADMIN_ONLY_EVENT | typeof UNDECLARED_EVENT): Promise<string> {
    const aggregateId = randomUUID();
    await t.dataSource.transaction((m) =>
      t.app.get(Outbox).publish(m, LIVE_PROBE_EVENTS, {
        type,
        aggregateType: 'probe',
        aggregateId,
        aggregateVersion: 1,
        payloads: { 1: { secret: 'for admins only' } },
        actor: { type: 'system', id: null, label: 'probe' },
      }),
    );
    return aggregateId;
  }

  /**
   * Once the live feed has handled these events (its ledger row says delivered, so the gateway
   * has emitted whatever it emits), an incident created afterwards reaches every socket: a socket
   * that got nothing about them before that incident never will (its packets arrive in order).
   */
  async function afterLiveFeedHandled(aggregateIds: string[], sockets: LiveTestClient[]): Promise<void> {
    await waitFor(
      async () => {
        const [row] = await t.dataSource.query<{ handled: number }[]>(
          `SELECT count(*)::int AS handled FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
            WHERE d.consumer = 'live-feed' AND d.status = 'delivered' AND e.aggregate_id = ANY($1::uuid[])`,
          [aggregateIds],
        );
        return row?.handled === aggregateIds.length;
      },
      10_000,
      'the live feed did not handle the events',
    );
    const later = await newIncident(t, admin);
    await Promise.all(sockets.map((s) => s.eventFor(later)));
  }

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
          aggregateId: incidentId,
        });
        expect(socket.welcome.eventTypes).toEqual(expect.arrayContaining(INCIDENT_EVENTS.types));
      } else {
        expect(socket.welcome.eventTypes).not.toEqual(expect.arrayContaining(['incident.created']));
      }
    }
  });

  it('sends an admin-only event type to admins only, and an undeclared one to nobody', async () => {
    const byRole = new Map<Role, LiveTestClient>();
    for (const role of ROLES) byRole.set(role, await live(await givenUser(t, role)));
    const adminSocket = byRole.get('admin')!;
    const others = [...byRole.values()];
    const adminOnly = await publish(ADMIN_ONLY_EVENT);
    const undeclared = await publish(UNDECLARED_EVENT);
    await afterLiveFeedHandled([adminOnly, undeclared], others);

    expect(adminSocket.receivedFor(adminOnly)).toMatchObject({ type: ADMIN_ONLY_EVENT });
    expect(byRole.get('responder')!.receivedFor(adminOnly)).toBeUndefined();
    expect(byRole.get('viewer')!.receivedFor(adminOnly)).toBeUndefined();
    expect(others.every((s) => s.receivedFor(undeclared) === undefined)).toBe(true);
    expect(byRole.get('viewer')!.welcome.eventTypes).not.toContain(ADMIN_ONLY_EVENT);
    expect(adminSocket.welcome.eventTypes).toContain(ADMIN_ONLY_EVENT);
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
    expect(demoted.eventTypes).not.toContain(ADMIN_ONLY_EVENT);

    const hidden = await publish(ADMIN_ONLY_EVENT);
    await afterLiveFeedHandled([hidden], [socket]);
    expect(socket.receivedFor(hidden)).toBeUndefined();
    expect(socket.ended).toBeUndefined();

    await t.http
      .patch(`/api/users/${person.user.id}`)
      .set('authorization', admin.bearer)
      .send({ role: 'admin' })
      .expect(200);
    await socket.until(() => socket.changes[1], 'the second access.changed');
    expect(socket.changes[1]).toMatchObject({ role: 'admin' });
    const shown = await publish(ADMIN_ONLY_EVENT);
    await socket.eventFor(shown);
  });
});
