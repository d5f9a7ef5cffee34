import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import {
  fakeLiveSockets,
  FakeLiveSocket,
  incidentCommented,
  incidentCreated,
  incidentUpdated,
  signInLive,
} from '../../../testing/fake-live-socket';
import { incidentView } from '../../../testing/incident-fixtures';
import { problemInterceptor } from '../../core/problem-interceptor';
import { LiveFeed } from './live-feed';

describe('LiveFeed', () => {
  let backend: HttpTestingController;
  let socket: FakeLiveSocket;
  let fixture: ComponentFixture<LiveFeed>;

  const element = () => fixture.nativeElement as HTMLElement;
  const rows = () =>
    Array.from(element().querySelectorAll('.entry')).map((row) =>
      [row.querySelector('.number')?.textContent.trim(), row.querySelector('.what')?.textContent.trim()].join(
        ' | ',
      ),
    );
  const button = (text: RegExp) =>
    Array.from(element().querySelectorAll('button')).find((b) => text.test(b.textContent))!;

  async function open(
    seed = [incidentView({ number: 'INC0000001', updatedAt: '2026-12-04T10:00:00.000Z' })],
  ) {
    const fakes = fakeLiveSockets();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        fakes.provider as never,
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    socket = signInLive(fakes.sockets);
    fixture = TestBed.createComponent(LiveFeed);
    backend
      .expectOne((r) => r.url === '/api/incidents' && r.params.get('sort') === '-updatedAt')
      .flush({ items: seed, nextCursor: null });
    await fixture.whenStable();
    return seed;
  }

  afterEach(() => {
    backend.verify();
  });

  it('subscribes to the feed room and starts with the recently changed incidents', async () => {
    await open();
    expect(socket.sentOf('subscribe').map((m) => m.payload)).toEqual([{ room: 'feed' }]);
    expect(rows()).toEqual(['INC0000001 | Last change']);
  });

  it('puts each live change on top, saying what changed', async () => {
    const [seeded] = await open();
    const created = incidentView({ number: 'INC0000002', title: 'Disk full' });
    socket.batch(
      incidentCreated(created),
      incidentUpdated({ ...seeded!, version: 2, state: 'in_progress' }, ['state', 'updatedAt']),
    );
    await fixture.whenStable();
    expect(rows()).toEqual([
      'INC0000001 | State → In progress',
      'INC0000002 | Opened',
      'INC0000001 | Last change',
    ]);
    const link = element().querySelector<HTMLAnchorElement>('.entry .number')!;
    expect(link.getAttribute('href')).toBe('/incidents/INC0000001');
    // Who made each change, as the gateway names them.
    expect(element().querySelector('.entry .when')?.textContent).toContain('dana.ruiz@example.com');
  });

  it('names an API key and an integration that changed an incident, and nobody for the app itself', async () => {
    const [seeded] = await open();
    const by = (type: string, label: string) => ({ type, id: type === 'system' ? null : 'k-1', label });
    socket.batch(
      incidentUpdated({ ...seeded!, version: 2, title: 'A' }, ['title'], by('api_key', 'deploy-bot')),
      incidentUpdated({ ...seeded!, version: 3, title: 'B' }, ['title'], by('system', 'Alertmanager prod')),
      incidentUpdated({ ...seeded!, version: 4, title: 'C' }, ['title'], by('system', 'system')),
    );
    await fixture.whenStable();
    const who = [...element().querySelectorAll('.entry .when')].slice(0, 3).map((e) => e.textContent);
    expect(who[0]).not.toMatch(/by|deploy-bot|Alertmanager/);
    expect(who[1]).toContain('Alertmanager prod');
    expect(who[2]).toContain('API key "deploy-bot"');
  });

  it('names who commented, using the incident it already knows', async () => {
    const [seeded] = await open();
    socket.batch(incidentCommented(seeded!.id, 'Rolling back'));
    await fixture.whenStable();
    expect(rows()[0]).toBe('INC0000001 | Comment: Rolling back');
    expect(element().querySelector('.entry .when')?.textContent).toContain('Dana Ruiz');
  });

  it('while paused, holds new changes back and counts them; resume shows them on top', async () => {
    await open();
    button(/Pause/).click();
    await fixture.whenStable();
    socket.batch(incidentCreated(incidentView({ number: 'INC0000003' })));
    socket.batch(incidentCreated(incidentView({ number: 'INC0000004' })));
    await fixture.whenStable();
    expect(rows()).toEqual(['INC0000001 | Last change']);
    expect(button(/Resume/).textContent).toContain('2 new');

    button(/Resume/).click();
    await fixture.whenStable();
    expect(rows()).toEqual(['INC0000004 | Opened', 'INC0000003 | Opened', 'INC0000001 | Last change']);
  });

  it('filters by priority and state, with an empty state when nothing matches', async () => {
    await open([]);
    expect(element().querySelector('.empty')?.textContent).toContain('No changes yet');
    socket.batch(
      incidentCreated(incidentView({ number: 'INC0000005', priority: 1 })),
      incidentCreated(incidentView({ number: 'INC0000006', priority: 3, state: 'on_hold' })),
    );
    await fixture.whenStable();
    const feed = fixture.componentInstance as unknown as {
      setPriorities(p: number[]): void;
      setStates(s: string[]): void;
    };
    feed.setPriorities([1]);
    await fixture.whenStable();
    expect(rows()).toEqual(['INC0000005 | Opened']);
    feed.setPriorities([]);
    feed.setStates(['on_hold']);
    await fixture.whenStable();
    expect(rows()).toEqual(['INC0000006 | Opened']);
    feed.setStates(['resolved']);
    await fixture.whenStable();
    expect(element().querySelector('.empty')?.textContent).toContain('No changes match these filters');
  });

  it('after a reconnect that lost events, adds what changed since the newest change it saw', async () => {
    const [seeded] = await open();
    socket.lose();
    socket.acceptConnection(false);
    const request = backend.expectOne(
      (r) => r.url === '/api/incidents' && r.params.get('updatedSince') === '2026-12-04T10:00:00.000Z',
    );
    request.flush({
      items: [
        { ...seeded!, version: 3, updatedAt: '2026-12-04T10:05:00.000Z', title: 'Changed meanwhile' },
        seeded,
      ],
      nextCursor: null,
    });
    await fixture.whenStable();
    expect(rows()).toEqual([
      'INC0000001 | Changed while the connection was down',
      'INC0000001 | Last change',
    ]);
    expect(element().querySelector('.entry .title')?.textContent).toBe('Changed meanwhile');
  });
});
