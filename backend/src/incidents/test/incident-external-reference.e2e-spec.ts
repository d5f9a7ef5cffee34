import { givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { RequestActor } from '../../common/auth/principal';
import type { IncidentPageView, IncidentView, TimelinePageView } from '../dto/incident.view';
import { IncidentCommands } from '../incident-commands';

/** An integration acting as itself, the way one links its twin. */
const integration: RequestActor = {
  principal: null,
  ip: null,
  userAgent: null,
  requestId: null,
  service: { id: 'ticketing', label: 'Ticketing' },
};

describe("an incident's external reference (IncidentCommands.linkExternal)", () => {
  let t: TestApp;
  let responder: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({ env: { DELIVERY_WORKER_ENABLED: 'false' } });
    responder = await givenUser(t, 'responder');
  });
  afterAll(() => t.close());

  it('shows the twin on the view, finds it by q, and is no change of the incident (no version, no event)', async () => {
    const created = (
      await t.http
        .post('/api/incidents')
        .set('authorization', responder.bearer)
        .send({ title: 'Disk full on db-01', impact: 2, urgency: 2 })
        .expect(201)
    ).body as IncidentView;
    expect(created).toMatchObject({ externalSystem: null, externalRef: null, externalNumber: null });
    const commands = t.app.get(IncidentCommands);
    const link = { system: 'ticketing', ref: 'a9e30c7dc61122760116894de7bcc7bd', number: 'TKT0042042' };
    const linked = await commands.linkExternal(created.id, link, integration);
    expect(linked).toMatchObject({
      externalSystem: 'ticketing',
      externalRef: link.ref,
      externalNumber: 'TKT0042042',
      version: created.version,
    });
    await commands.linkExternal(created.id, link, integration); // again: nothing new

    const timeline = (
      await t.http
        .get(`/api/incidents/${created.id}/timeline`)
        .set('authorization', responder.bearer)
        .expect(200)
    ).body as TimelinePageView;
    expect(timeline.items.filter((e) => e.kind === 'sync')).toEqual([
      expect.objectContaining({
        body: 'Linked to ticketing TKT0042042',
        actor: { type: 'system', id: 'ticketing', label: 'Ticketing' },
      }),
    ]);
    const events = await t.dataSource.query<{ type: string }[]>(
      'SELECT type FROM outbox_events WHERE aggregate_id = $1',
      [created.id],
    );
    expect(events.map((e) => e.type)).toEqual(['incident.created']);

    for (const q of ['TKT0042042', 'tkt0042042']) {
      const page = (
        await t.http.get(`/api/incidents?q=${q}`).set('authorization', responder.bearer).expect(200)
      ).body as IncidentPageView;
      expect(page.items.map((i) => i.id)).toEqual([created.id]);
    }
  });

  it('refuses a second incident linked to the same twin', async () => {
    const make = async () =>
      (
        (
          await t.http
            .post('/api/incidents')
            .set('authorization', responder.bearer)
            .send({ title: 'Twin', impact: 3, urgency: 3 })
            .expect(201)
        ).body as IncidentView
      ).id;
    const link = { system: 'ticketing', ref: 'same-ref', number: null };
    const commands = t.app.get(IncidentCommands);
    await commands.linkExternal(await make(), link, integration);
    await expect(commands.linkExternal(await make(), link, integration)).rejects.toThrow(
      /incidents_external_ref/,
    );
  });
});
