// The incident pages kept current by the live connection: the detail page follows the incident,
// and the edit form never overwrites a draft with a version that arrived meanwhile.
import { HttpTestingController } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';

import {
  fakeLiveSockets,
  FakeLiveSocket,
  incidentCommented,
  incidentUpdated,
  signInLive,
} from '../../../testing/fake-live-socket';
import {
  answerMetadata,
  byText,
  click,
  incidentView,
  settle,
  timelineEntry,
  type,
} from '../../../testing/incident-fixtures';
import {
  answerIncidentSides,
  incidentPageProviders,
  openIncidentDetail,
} from '../../../testing/incident-detail-page';
import { IncidentView } from './incident';
import { IncidentDetail } from './incident-detail';
import { IncidentForm } from './incident-form';

@Component({ selector: 'nx-stub', template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Stub {}

describe('Incident pages, live', () => {
  let backend: HttpTestingController;
  let socket: FakeLiveSocket;

  function setUp(): void {
    const fakes = fakeLiveSockets();
    TestBed.configureTestingModule({
      providers: [
        ...incidentPageProviders([{ path: 'incidents/:id', component: Stub }]),
        fakes.provider as never,
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    socket = signInLive(fakes.sockets);
  }

  afterEach(() => {
    backend.verify();
  });

  describe('IncidentDetail', () => {
    let fixture: ComponentFixture<IncidentDetail>;
    const element = () => fixture.nativeElement as HTMLElement;

    async function open(incident: IncidentView): Promise<void> {
      setUp();
      fixture = await openIncidentDetail(backend, incident);
      answerIncidentSides(backend, incident);
      await settle();
    }

    it('joins the incident room and shows a newer version as it arrives', async () => {
      const incident = incidentView({ title: 'Checkout 502', version: 3 });
      await open(incident);
      expect(socket.sentOf('subscribe').map((m) => m.payload)).toEqual([
        { room: 'incident', incidentId: incident.id },
      ]);

      const newer = {
        ...incident,
        version: 4,
        title: 'Checkout 502 (EU only)',
        state: 'in_progress' as const,
      };
      socket.batch(incidentUpdated(newer, ['title', 'state']));
      await settle();
      answerIncidentSides(backend, newer);
      await settle();
      expect(element().querySelector('h1')!.textContent.trim()).toBe('Checkout 502 (EU only)');
      expect(element().querySelector('.heading nx-state-chip')!.textContent.trim()).toBe('In progress');
    });

    it('adds a comment to the timeline as it arrives', async () => {
      const incident = incidentView();
      await open(incident);
      socket.batch(incidentCommented(incident.id, 'Rolling back'));
      await settle();
      backend
        .expectOne((r) => r.url === `/api/incidents/${incident.id}/timeline`)
        .flush({
          items: [
            timelineEntry({ kind: 'created' }),
            timelineEntry({ kind: 'comment', body: 'Rolling back' }),
          ],
          nextCursor: null,
        });
      await settle();
      expect(element().querySelector('nx-incident-timeline')!.textContent).toContain('Rolling back');
    });

    it('ignores events of other incidents', async () => {
      const incident = incidentView({ title: 'Mine' });
      await open(incident);
      const other = incidentView({ version: 9, title: 'Other' });
      socket.batch(incidentUpdated(other, ['title']));
      await settle();
      expect(element().querySelector('h1')!.textContent.trim()).toBe('Mine');
    });
  });

  describe('IncidentForm (editing)', () => {
    let fixture: ComponentFixture<IncidentForm>;
    const element = () => fixture.nativeElement as HTMLElement;
    const field = (name: string) => element().querySelector<HTMLInputElement>(`[formControlName="${name}"]`)!;

    async function open(incident: IncidentView): Promise<void> {
      setUp();
      fixture = TestBed.createComponent(IncidentForm);
      fixture.componentRef.setInput('id', incident.number);
      await settle();
      answerMetadata(backend);
      backend.expectOne(`/api/incidents/${incident.number}`).flush(incident);
      await settle();
    }

    it('takes a newer version at once while nothing was typed', async () => {
      const incident = incidentView({ title: 'Old title', version: 3 });
      await open(incident);
      socket.batch(incidentUpdated({ ...incident, version: 4, title: 'Their title' }, ['title']));
      await settle();
      expect(field('title').value).toBe('Their title');
      expect(element().querySelector('.changed-elsewhere')).toBeNull();
    });

    it('with a draft, shows "changed by someone else" instead of overwriting it', async () => {
      const incident = incidentView({ title: 'Old title', category: 'network', version: 3 });
      await open(incident);
      type(field('title'), 'My title');
      await settle();

      socket.batch(
        incidentUpdated({ ...incident, version: 4, title: 'Their title', category: 'database' }, [
          'title',
          'category',
        ]),
      );
      await settle();
      const banner = element().querySelector('.changed-elsewhere')!.textContent;
      expect(banner).toContain('Changed by someone else');
      expect(banner).toContain(
        `${incident.number} was changed by dana.ruiz@example.com while you were editing`,
      );
      expect(field('title').value).toBe('My title');
      expect(field('category').value).toBe('network');

      // Saving without choosing still guards the version the draft was based on.
      click(element().querySelector('button[type="submit"]'));
      await settle();
      const stale = backend.expectOne({ method: 'PATCH', url: `/api/incidents/${incident.id}` });
      expect(stale.request.headers.get('If-Match')).toBe('"3"');
      stale.flush(
        {
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          detail: 'Changed',
          code: 'INCIDENT_STALE_VERSION',
        },
        { status: 409, statusText: 'Conflict', headers: { 'content-type': 'application/problem+json' } },
      );
      await settle();
    });

    it('"Keep editing" makes the new version the base: the save sends my change with its version', async () => {
      const incident = incidentView({ title: 'Old title', category: 'network', version: 3 });
      await open(incident);
      type(field('title'), 'My title');
      await settle();
      socket.batch(incidentUpdated({ ...incident, version: 4, category: 'database' }, ['category']));
      await settle();

      click(byText('button', 'Keep editing', element()));
      await settle();
      expect(element().querySelector('.changed-elsewhere')).toBeNull();
      expect(field('title').value).toBe('My title');
      expect(field('category').value).toBe('database');

      click(element().querySelector('button[type="submit"]'));
      await settle();
      const patch = backend.expectOne({ method: 'PATCH', url: `/api/incidents/${incident.id}` });
      expect(patch.request.headers.get('If-Match')).toBe('"4"');
      expect(patch.request.body).toEqual({ title: 'My title' });
      patch.flush({ ...incident, version: 5, title: 'My title', category: 'database' });
      await settle();
    });

    it('"Reload" drops the draft and shows their version', async () => {
      const incident = incidentView({ title: 'Old title', version: 3 });
      await open(incident);
      type(field('title'), 'My title');
      await settle();
      socket.batch(incidentUpdated({ ...incident, version: 4, title: 'Their title' }, ['title']));
      await settle();

      click(byText('button', 'Reload', element()));
      await settle();
      expect(field('title').value).toBe('Their title');
      expect(element().querySelector('.changed-elsewhere')).toBeNull();
    });
  });
});
