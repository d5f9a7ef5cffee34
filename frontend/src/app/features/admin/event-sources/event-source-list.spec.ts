import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';

import { eventSourceView } from '../../../../testing/inbound-event-fixtures';
import {
  answerMetadata,
  byText,
  choose,
  click,
  problemAnswer,
  settle,
  type,
} from '../../../../testing/incident-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { EventSourceList } from './event-source-list';

describe('EventSourceList', () => {
  let fixture: ComponentFixture<EventSourceList>;
  let backend: HttpTestingController;
  const prometheus = eventSourceView({
    name: 'Prometheus (production)',
    signed: true,
    lastEventAt: '2026-12-03T09:12:00.000Z',
    counts: { accepted: 0, processed: 12, failed: 1, duplicate: 0 },
  });
  const ci = eventSourceView({ name: 'CI pipeline', enabled: false });

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(EventSourceList);
    await settle();
    backend.expectOne('/api/event-sources').flush({ items: [prometheus, ci] });
    await settle();
  });

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function row(id: string): HTMLElement {
    return element().querySelector<HTMLElement>(`tr[data-source-id="${id}"]`)!;
  }

  it('lists each source with its switch, key prefix, signing, last event and last day', () => {
    const cells = Array.from(row(prometheus.id).querySelectorAll('td')).map((c) => c.textContent.trim());
    expect(cells[0]).toBe('Prometheus (production)');
    expect(cells[2]).toBe('k3x9p2ma…');
    expect(cells[3]).toBe('Yes');
    expect(cells[4]).not.toBe('None yet');
    expect(
      Array.from(row(prometheus.id).querySelectorAll('nx-source-counts .count')).map((c) =>
        c.textContent.trim(),
      ),
    ).toEqual(['12 processed,', '1 failed']);
    expect(row(ci.id).textContent).toContain('None yet');
    expect(row(ci.id).textContent).toContain('No events');
    expect(row(prometheus.id).querySelector('a')!.getAttribute('href')).toBe(`/${prometheus.id}`);
    const toggles = Array.from(element().querySelectorAll<HTMLButtonElement>('mat-slide-toggle button'));
    expect(toggles.map((t) => [t.getAttribute('aria-label'), t.getAttribute('aria-checked')])).toEqual([
      ['Accept events from Prometheus (production)', 'true'],
      ['Accept events from CI pipeline', 'false'],
    ]);
  });

  it('says what to do when there is no source yet', async () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(EventSourceList);
    await settle();
    backend.expectOne('/api/event-sources').flush({ items: [] });
    await settle();
    expect(element().textContent).toContain('No event sources yet.');
  });

  it('disables a source with its switch and shows it as the API returned it', async () => {
    click(row(prometheus.id).querySelector('mat-slide-toggle button'));
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: `/api/event-sources/${prometheus.id}` });
    expect(patch.request.body).toEqual({ enabled: false });
    patch.flush({ ...prometheus, enabled: false });
    await settle();
    expect(row(prometheus.id).querySelector('mat-slide-toggle button')!.getAttribute('aria-checked')).toBe(
      'false',
    );
  });

  it('puts the switch back and says why when the API refuses', async () => {
    click(row(prometheus.id).querySelector('mat-slide-toggle button'));
    await settle();
    backend
      .expectOne({ method: 'PATCH', url: `/api/event-sources/${prometheus.id}` })
      .flush(...problemAnswer(503, 'DATABASE_UNAVAILABLE', 'The database is not reachable.'));
    await settle();
    expect(element().querySelector('[role="alert"]')!.textContent).toContain(
      'The database is not reachable.',
    );
    expect(row(prometheus.id).querySelector('mat-slide-toggle button')!.getAttribute('aria-checked')).toBe(
      'true',
    );
  });

  it('creates a signed source with a mapping and shows key, secret and examples once', async () => {
    click(byText('button', 'Create event source', element()));
    await settle();
    answerMetadata(backend);
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    type(dialog.querySelector<HTMLInputElement>('input[formControlName="name"]'), 'Grafana');
    click(byText('mat-radio-button label', 'Signed, with a generated secret (shown once)', dialog));
    type(dialog.querySelector<HTMLInputElement>('input[formControlName="defaultAssignmentGroup"]'), 'SRE');
    // Warning: impact 1 → with urgency 2 that gives P2 by the served matrix.
    const warning = dialog.querySelector('[aria-label="Warning severity"]')!;
    expect(warning.querySelector('nx-priority-badge')!.textContent.trim()).toBe('P3 Moderate');
    await choose(warning.querySelectorAll('mat-select')[0]!, '1 · High');
    expect(warning.querySelector('nx-priority-badge')!.textContent.trim()).toBe('P2 High');
    type(dialog.querySelector<HTMLInputElement>('input[formControlName="rateLimitPerMinute"]'), '120');
    await settle();
    click(byText('mat-dialog-container button', 'Create source'));
    await settle();

    const create = backend.expectOne({ method: 'POST', url: '/api/event-sources' });
    expect(create.request.body).toEqual({
      name: 'Grafana',
      defaultAssignmentGroup: 'SRE',
      defaultCategory: null,
      severityMapping: {
        critical: { impact: 1, urgency: 1 },
        error: { impact: 1, urgency: 2 },
        warning: { impact: 1, urgency: 2 },
        info: { impact: 3, urgency: 3 },
      },
      resolveCloseCode: 'Resolved by caller',
      rateLimitPerMinute: 120,
      signed: true,
    });
    const created = eventSourceView({ name: 'Grafana', signed: true });
    create.flush(
      {
        source: created,
        integrationKey: 'k3x9p2ma7qv4c8n1r5t0w2y6z3b8d1f4',
        signingSecret: 'whsec-'.padEnd(40, 'x'),
      },
      { status: 201, statusText: 'Created' },
    );
    await settle();
    backend.expectOne('/api/event-sources').flush({ items: [prometheus, ci, created] });
    await settle();

    const shown = document.querySelector('mat-dialog-container')!;
    expect(shown.querySelector('h2')!.textContent).toContain('Event source "Grafana"');
    expect(
      Array.from(shown.querySelectorAll<HTMLInputElement>('input[readonly]')).map((i) => i.value),
    ).toEqual(['k3x9p2ma7qv4c8n1r5t0w2y6z3b8d1f4', 'whsec-'.padEnd(40, 'x')]);
    expect(shown.querySelector('button[aria-label="Copy integration key"]')).not.toBeNull();
    expect(shown.querySelector('button[aria-label="Copy signing secret"]')).not.toBeNull();
    const snippets = Array.from(shown.querySelectorAll('pre')).map((p) => p.textContent);
    expect(snippets[0]).toContain(`${location.origin}/api/events`);
    expect(snippets[0]).toContain('X-Nexecute-Signature');
    expect(snippets[1]).toContain("credentials: 'k3x9p2ma7qv4c8n1r5t0w2y6z3b8d1f4'");
    expect(shown.textContent).toContain('cannot be shown again');
  });

  it('asks for 32 to 256 characters of an own secret before sending', async () => {
    click(byText('button', 'Create event source', element()));
    await settle();
    answerMetadata(backend);
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    type(dialog.querySelector<HTMLInputElement>('input[formControlName="name"]'), 'Scripts');
    click(byText('mat-radio-button label', 'Signed, with my own secret', dialog));
    await settle();
    type(dialog.querySelector<HTMLInputElement>('input[formControlName="ownSecret"]'), 'too short');
    click(byText('mat-dialog-container button', 'Create source'));
    await settle();
    expect(dialog.querySelector('[role="alert"]')!.textContent).toContain('32 to 256 characters');
    backend.expectNone({ method: 'POST' });

    type(dialog.querySelector<HTMLInputElement>('input[formControlName="ownSecret"]'), 'a'.repeat(32));
    click(byText('mat-dialog-container button', 'Create source'));
    await settle();
    const create = backend.expectOne({ method: 'POST', url: '/api/event-sources' });
    expect(create.request.body).toMatchObject({
      name: 'Scripts',
      signed: true,
      signingSecret: 'a'.repeat(32),
    });
    create.flush(
      ...problemAnswer(400, 'VALIDATION_FAILED', 'Invalid', {
        errors: [{ field: 'name', message: 'taken' }],
      }),
    );
    await settle();
    expect(dialog.querySelector('nx-problem-notice')!.textContent).toContain('taken');
  });
});
