import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { eventSourceView, inboundEventView } from '../../../../testing/inbound-event-fixtures';
import {
  answerMetadata,
  byText,
  choose,
  click,
  problemAnswer,
  settle,
  type,
  wait,
} from '../../../../testing/incident-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { InboundEventView } from '../../../shared/inbound-events/inbound-event';
import { EventSourceDetail } from './event-source-detail';
import { readableBody } from './inbound-event-dialog';
import { ACCEPTED_POLL_MS } from './source-events';

describe('EventSourceDetail', () => {
  let harness: RouterTestingHarness;
  let backend: HttpTestingController;
  const source = eventSourceView({ name: 'Prometheus (production)', signed: true });
  const processed = inboundEventView({ sourceId: source.id, incidentNumber: 'INC0000042' });
  const failed = inboundEventView({
    sourceId: source.id,
    status: 'failed',
    attempts: 8,
    lastError: 'incident INC0000042 is closed',
    action: 'acknowledge',
    outcome: null,
    effects: [],
    incidentId: null,
    incidentNumber: null,
  });
  const duplicate = inboundEventView({
    sourceId: source.id,
    status: 'duplicate',
    outcome: null,
    effects: [],
  });

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter(
          [
            { path: 'admin/event-sources/:id', component: EventSourceDetail },
            { path: 'admin/event-sources', children: [] },
          ],
          withComponentInputBinding(),
        ),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
  });

  function paramsOf(request: TestRequest): Record<string, string | null> {
    const params = request.request.params;
    return Object.fromEntries(params.keys().map((key) => [key, params.get(key)]));
  }

  async function answerEvents(items: InboundEventView[], nextCursor: string | null = null) {
    const request = backend.expectOne((r) => r.method === 'GET' && r.url === '/api/inbox');
    const params = paramsOf(request);
    request.flush({ items, nextCursor });
    await settle();
    return params;
  }

  async function open(url = `/admin/event-sources/${source.id}`, items = [processed, failed, duplicate]) {
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl(url);
    await settle();
    answerMetadata(backend);
    backend.expectOne(`/api/event-sources/${source.id}`).flush(source);
    await settle();
    return answerEvents(items);
  }

  function element(): HTMLElement {
    return harness.routeNativeElement!;
  }

  function row(event: InboundEventView): HTMLElement {
    return element().querySelector<HTMLElement>(`tr[data-event-id="${event.id}"]`)!;
  }

  it('shows the settings with the priority each severity gives, and the newest events', async () => {
    expect(await open()).toEqual({ sourceId: source.id, limit: '50' });
    expect(element().querySelector('h1')!.textContent.trim()).toBe('Prometheus (production)');
    expect(element().querySelector('.badges')!.textContent).toContain('Signed');
    const critical = element().querySelector('tr[data-severity="critical"]')!;
    expect(critical.textContent).toContain('1 · High');
    expect(critical.querySelector('nx-priority-badge')!.textContent.trim()).toBe('P1 Critical');
    expect(element().querySelector('tr[data-severity="info"] nx-priority-badge')!.textContent.trim()).toBe(
      'P5 Planning',
    );

    expect(row(processed).querySelector('nx-inbound-event-status-pill')!.textContent.trim()).toBe(
      'Processed',
    );
    expect(row(processed).textContent).toContain('Trigger');
    expect(row(processed).textContent).toContain('disk-full/db-01');
    expect(row(processed).textContent).toContain('Opened');
    expect(row(processed).querySelector('a')!.getAttribute('href')).toBe(
      `/incidents/${processed.incidentId!}`,
    );
    expect(row(processed).querySelector('a')!.textContent.trim()).toBe('INC0000042');
    expect(row(failed).textContent).toContain('8 / 8');
    expect(row(failed).textContent).toContain('incident INC0000042 is closed');
    expect(row(failed).querySelector('button[aria-label^="Replay"]')).not.toBeNull();
    expect(row(processed).querySelector('button[aria-label^="Replay"]')).toBeNull();
    expect(row(duplicate).querySelector('nx-inbound-event-status-pill')!.textContent.trim()).toBe(
      'Duplicate',
    );
  });

  it('filters by status on the server, keeping it in the URL, and pages with the cursor', async () => {
    await open(undefined, [processed]);
    await choose(element().querySelector('.filters mat-select'), 'Failed');
    expect(await answerEvents([failed], 'cursor-2')).toEqual({
      sourceId: source.id,
      limit: '50',
      status: 'failed',
    });
    expect(TestBed.inject(Router).url).toBe(`/admin/event-sources/${source.id}?status=failed`);

    click(byText('button', 'Load more', element()));
    await settle();
    const older = inboundEventView({ sourceId: source.id, status: 'failed', outcome: null, effects: [] });
    expect(await answerEvents([older])).toEqual({
      sourceId: source.id,
      limit: '50',
      status: 'failed',
      cursor: 'cursor-2',
    });
    expect(element().querySelectorAll('tbody tr[data-event-id]')).toHaveLength(2);
    expect(element().querySelector('.more button')).toBeNull();
  });

  it('says when no event has the chosen status', async () => {
    await open(`/admin/event-sources/${source.id}?status=failed`, []);
    expect(element().querySelector('.events .empty')!.textContent.trim()).toBe('No failed events.');
  });

  it('replays a failed event and shows it accepted again', async () => {
    await open();
    click(row(failed).querySelector('button[aria-label^="Replay"]'));
    await settle();
    backend
      .expectOne({ method: 'POST', url: `/api/inbox/${failed.id}/replay` })
      .flush({ ...failed, status: 'accepted', attempts: 0 });
    await settle();
    backend.expectOne(`/api/event-sources/${source.id}`).flush(source);
    await settle();
    expect(row(failed).querySelector('nx-inbound-event-status-pill')!.textContent.trim()).toBe('Accepted');
    expect(row(failed).querySelector('button[aria-label^="Replay"]')).toBeNull();
  });

  it('looks again while an event waits to be processed, and stops once none does', async () => {
    const waiting = inboundEventView({ sourceId: source.id, status: 'accepted', outcome: null, effects: [] });
    await open(undefined, [waiting]);
    expect(row(waiting).querySelector('nx-inbound-event-status-pill')!.textContent.trim()).toBe('Accepted');
    backend.expectNone('/api/inbox');
    await wait(ACCEPTED_POLL_MS + 100);
    await answerEvents([{ ...waiting, status: 'processed', outcome: 'opened' }]);
    expect(row(waiting).querySelector('nx-inbound-event-status-pill')!.textContent.trim()).toBe('Processed');
    await wait(ACCEPTED_POLL_MS + 100);
    backend.expectNone((r) => r.url === '/api/inbox');
  });

  it('shows a refused replay', async () => {
    await open();
    click(row(failed).querySelector('button[aria-label^="Replay"]'));
    await settle();
    backend
      .expectOne(`/api/inbox/${failed.id}/replay`)
      .flush(...problemAnswer(409, 'INBOX_EVENT_NOT_REPLAYABLE', 'Only failed events can be replayed.'));
    await settle();
    expect(element().querySelector('[role="alert"]')!.textContent).toContain(
      'Only failed events can be replayed.',
    );
  });

  it('opens an event with its raw body, and replays it from there', async () => {
    await open();
    click(row(failed).querySelector('button[aria-label^="Details"]'));
    await settle();
    const rawBody = '{"routing_key":"k","event_action":"acknowledge","dedup_key":"disk-full/db-01"}';
    backend
      .expectOne(`/api/inbox/${failed.id}`)
      .flush({ ...failed, rawBody, contentType: 'application/json' });
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    expect(dialog.querySelector('pre')!.textContent).toBe(readableBody(rawBody, 'application/json'));
    expect(dialog.textContent).toContain('incident INC0000042 is closed');

    click(byText('mat-dialog-container button', 'Replay'));
    await settle();
    backend
      .expectOne({ method: 'POST', url: `/api/inbox/${failed.id}/replay` })
      .flush({ ...failed, status: 'accepted' });
    await settle();
    backend.expectOne(`/api/event-sources/${source.id}`).flush(source);
    await settle();
    expect(document.querySelector('mat-dialog-container')).toBeNull();
    expect(row(failed).querySelector('nx-inbound-event-status-pill')!.textContent.trim()).toBe('Accepted');
  });

  it('rotates the key after confirmation and shows the new one once', async () => {
    await open();
    click(byText('[role="toolbar"] button', 'Rotate key', element()));
    await settle();
    expect(document.querySelector('mat-dialog-container')!.textContent).toContain(
      'The current key stops working',
    );
    click(byText('mat-dialog-container button', 'Rotate key'));
    await settle();
    backend
      .expectOne({ method: 'POST', url: `/api/event-sources/${source.id}/rotate-key` })
      .flush({ source: { ...source, keyPrefix: 'n3wk3y00' }, integrationKey: 'n3wk3y00'.padEnd(32, 'z') });
    await settle();
    const shown = document.querySelector('mat-dialog-container')!;
    expect(shown.querySelector<HTMLInputElement>('input[readonly]')!.value).toBe('n3wk3y00'.padEnd(32, 'z'));
    // The secret is not known here: the example says where it goes.
    expect(shown.querySelector('pre')!.textContent).toContain('<your signing secret>');
    expect(element().querySelector('.badges')!.textContent).toContain('n3wk3y00');
  });

  it('rotates the signing secret to a generated one and shows it once', async () => {
    await open();
    click(byText('[role="toolbar"] button', 'Rotate secret', element()));
    await settle();
    click(byText('mat-dialog-container button', 'Rotate secret'));
    await settle();
    const rotate = backend.expectOne({
      method: 'POST',
      url: `/api/event-sources/${source.id}/rotate-secret`,
    });
    expect(rotate.request.body).toEqual({});
    rotate.flush({ source, signingSecret: 's'.repeat(48) });
    await settle();
    expect(document.querySelector<HTMLInputElement>('mat-dialog-container input[readonly]')!.value).toBe(
      's'.repeat(48),
    );
  });

  it('adds an own secret to an unsigned source', async () => {
    const unsigned = { ...source, signed: false };
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl(`/admin/event-sources/${source.id}`);
    await settle();
    answerMetadata(backend);
    backend.expectOne(`/api/event-sources/${source.id}`).flush(unsigned);
    await settle();
    await answerEvents([]);
    expect(element().textContent).toContain('No events yet.');

    click(byText('[role="toolbar"] button', 'Add signing secret', element()));
    await settle();
    click(byText('mat-dialog-container mat-radio-button label', 'Use my own'));
    await settle();
    type(
      document.querySelector<HTMLInputElement>('mat-dialog-container input[name="secret"]'),
      'm'.repeat(40),
    );
    click(byText('mat-dialog-container button', 'Add secret'));
    await settle();
    const rotate = backend.expectOne({
      method: 'POST',
      url: `/api/event-sources/${source.id}/rotate-secret`,
    });
    expect(rotate.request.body).toEqual({ signingSecret: 'm'.repeat(40) });
    rotate.flush({ source });
    await settle();
    expect(document.querySelector('mat-dialog-container')).toBeNull();
    expect(element().querySelector('.badges')!.textContent).toContain('Signed');
  });

  it('removes the signing secret after confirmation', async () => {
    await open();
    click(byText('[role="toolbar"] button', 'Remove secret', element()));
    await settle();
    click(byText('mat-dialog-container button', 'Remove secret'));
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: `/api/event-sources/${source.id}` });
    expect(patch.request.body).toEqual({ signed: false });
    patch.flush({ ...source, signed: false });
    await settle();
    expect(element().querySelector('.badges')!.textContent).toContain('Not signed');
  });

  it('edits the mapping and saves only the settings', async () => {
    await open();
    click(byText('[role="toolbar"] button', 'Edit settings', element()));
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    expect(dialog.querySelector('[aria-label="Signing"]')).toBeNull();
    await choose(
      dialog.querySelector('[aria-label="Info severity"]')!.querySelectorAll('mat-select')[1]!,
      '2 · Medium',
    );
    click(byText('mat-dialog-container button', 'Save changes'));
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: `/api/event-sources/${source.id}` });
    expect(patch.request.body).toMatchObject({
      name: 'Prometheus (production)',
      severityMapping: { info: { impact: 3, urgency: 2 } },
      rateLimitPerMinute: 6000,
    });
    patch.flush({
      ...source,
      severityMapping: { ...source.severityMapping, info: { impact: 3, urgency: 2 } },
    });
    await settle();
    expect(element().querySelector('tr[data-severity="info"] nx-priority-badge')!.textContent.trim()).toBe(
      'P4 Low',
    );
  });

  it('deletes after confirmation and goes back to the list', async () => {
    await open();
    click(byText('[role="toolbar"] button', 'Delete', element()));
    await settle();
    expect(document.querySelector('mat-dialog-container')!.textContent).toContain('stay in the log');
    click(byText('mat-dialog-container button', 'Delete source'));
    await settle();
    backend
      .expectOne({ method: 'DELETE', url: `/api/event-sources/${source.id}` })
      .flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(TestBed.inject(Router).url).toBe('/admin/event-sources');
  });

  it('shows why the source could not be loaded', async () => {
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl(`/admin/event-sources/${source.id}`);
    await settle();
    answerMetadata(backend);
    backend
      .expectOne(`/api/event-sources/${source.id}`)
      .flush(...problemAnswer(404, 'EVENTS_SOURCE_NOT_FOUND', 'No event source with this id.'));
    await settle();
    expect(element().querySelector('[role="alert"]')!.textContent).toContain('No event source with this id.');
    expect(element().textContent).toContain('Back to the event sources');
  });
});

describe('readableBody', () => {
  it('indents JSON and leaves anything else as it came', () => {
    expect(readableBody('{"a":1}', 'application/json')).toBe('{\n  "a": 1\n}');
    expect(readableBody('not json {', 'application/json')).toBe('not json {');
    expect(readableBody('a=1&b=2', 'application/x-www-form-urlencoded')).toBe('a=1&b=2');
  });
});
