import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import {
  fakeLiveSockets,
  FakeLiveSocket,
  incidentCreated,
  incidentUpdated,
  signInLive,
} from '../../../testing/fake-live-socket';
import { answerMetadata, incidentView, settle } from '../../../testing/incident-fixtures';
import { problemInterceptor } from '../../core/problem-interceptor';
import { IncidentView } from './incident';
import { IncidentList } from './incident-list';

describe('IncidentList, live', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;
  let socket: FakeLiveSocket;

  async function open(url: string, items: IncidentView[]): Promise<void> {
    const fakes = fakeLiveSockets();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'incidents', component: IncidentList }]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        fakes.provider as never,
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    socket = signInLive(fakes.sockets);
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl(url);
    await settle();
    answerMetadata(backend);
    await settle();
    backend.expectOne((r) => r.url === '/api/incidents').flush({ items, nextCursor: null });
    await settle();
  }

  afterEach(() => {
    backend.verify();
  });

  const element = () => harness.routeNativeElement!;
  const rowOf = (id: string) => element().querySelector(`tr[data-incident-id="${id}"]`);
  const titles = () =>
    Array.from(element().querySelectorAll('tr[data-incident-id] td.title')).map((cell) =>
      cell.textContent.trim(),
    );

  it('subscribes to the feed room', async () => {
    await open('/incidents', []);
    expect(socket.sentOf('subscribe').map((m) => m.payload)).toEqual([{ room: 'feed' }]);
  });

  it('updates a changed row in place and highlights it; an older version changes nothing', async () => {
    const a = incidentView({ title: 'A', version: 2 });
    const b = incidentView({ title: 'B', version: 1 });
    await open('/incidents', [a, b]);

    socket.batch(incidentUpdated({ ...b, version: 2, title: 'B renamed' }, ['title']));
    await settle();
    expect(titles()).toEqual(['A', 'B renamed']);
    expect(rowOf(b.id)?.classList.contains('live-changed')).toBe(true);
    expect(rowOf(a.id)?.classList.contains('live-changed')).toBe(false);

    // Version 2 of A is what the list already shows.
    socket.batch(incidentUpdated({ ...a, version: 2, title: 'A stale' }, ['title']));
    await settle();
    expect(titles()).toEqual(['A', 'B renamed']);
  });

  it('puts a new incident that passes the filters on top, newest first', async () => {
    await open('/incidents?priority=1', [incidentView({ title: 'Old', priority: 1 })]);
    socket.batch(
      incidentCreated(incidentView({ title: 'P3 elsewhere', priority: 3 })),
      incidentCreated(incidentView({ title: 'New P1', priority: 1 })),
    );
    await settle();
    expect(titles()).toEqual(['New P1', 'Old']);
  });

  it('does not insert new incidents when sorted by something else than newest', async () => {
    await open('/incidents?sort=priority', [incidentView({ title: 'Old' })]);
    socket.batch(incidentCreated(incidentView({ title: 'New' })));
    await settle();
    expect(titles()).toEqual(['Old']);
  });

  it('after a reconnect that lost events, fetches what changed since the newest change shown', async () => {
    const a = incidentView({ title: 'A', updatedAt: '2026-12-04T10:00:00.000Z' });
    await open('/incidents', [a]);
    socket.lose();
    socket.acceptConnection(false);
    await settle();
    backend
      .expectOne(
        (r) => r.url === '/api/incidents' && r.params.get('updatedSince') === '2026-12-04T10:00:00.000Z',
      )
      .flush({
        items: [{ ...a, version: 5, title: 'A changed meanwhile', updatedAt: '2026-12-04T10:03:00.000Z' }],
        nextCursor: null,
      });
    await settle();
    expect(titles()).toEqual(['A changed meanwhile']);
  });
  it('pages through everything that changed meanwhile', async () => {
    const a = incidentView({ title: 'A', updatedAt: '2026-12-04T10:00:00.000Z' });
    const b = incidentView({ title: 'B', updatedAt: '2026-12-04T09:00:00.000Z' });
    await open('/incidents', [a, b]);
    socket.lose();
    socket.acceptConnection(false);
    await settle();
    const since = (r: { url: string; params: { get(name: string): string | null } }) =>
      r.url === '/api/incidents' && r.params.get('updatedSince') === '2026-12-04T10:00:00.000Z';
    backend
      .expectOne((r) => since(r) && !r.params.has('cursor'))
      .flush({ items: [{ ...a, version: 7, title: 'A again' }], nextCursor: 'c2' });
    await settle();
    backend
      .expectOne((r) => since(r) && r.params.get('cursor') === 'c2')
      .flush({ items: [{ ...b, version: 3, title: 'B again' }], nextCursor: null });
    await settle();
    expect(titles()).toEqual(['A again', 'B again']);
  });
});
