import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter, Router } from '@angular/router';

import {
  answerMetadata,
  byText,
  choose,
  click,
  incidentMetadata,
  incidentView,
  problemAnswer,
  settle,
  type,
} from '../../../testing/incident-fixtures';
import { problemInterceptor } from '../../core/problem-interceptor';
import { IncidentForm } from './incident-form';
import { IncidentMetadataView } from '../../shared/incident-rules/incident-metadata';

@Component({ selector: 'nx-stub', template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Stub {}

describe('IncidentForm', () => {
  let fixture: ComponentFixture<IncidentForm>;
  let backend: HttpTestingController;

  async function open(id?: string, metadata: IncidentMetadataView = incidentMetadata()): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'incidents/:id', component: Stub }]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(IncidentForm);
    if (id) fixture.componentRef.setInput('id', id);
    await settle();
    answerMetadata(backend, metadata);
    await settle();
  }

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function field(name: string): HTMLInputElement {
    return element().querySelector<HTMLInputElement>(`[formControlName="${name}"]`)!;
  }

  function select(name: string): Element {
    return element().querySelector(`mat-select[formControlName="${name}"]`)!;
  }

  function priority(): string {
    return element().querySelector('.priority nx-priority-badge')!.textContent.trim();
  }

  function submit(): void {
    click(element().querySelector('button[type="submit"]'));
  }

  function errors(): string[] {
    return Array.from(element().querySelectorAll('mat-error')).map((e) => e.textContent.trim());
  }

  it('shows the priority that impact and urgency give, as they change', async () => {
    await open();
    expect(priority()).toBe('P5 Planning');

    await choose(select('impact'), '1 · High');
    expect(priority()).toBe('P3 Moderate');
    await choose(select('urgency'), '2 · Medium');
    expect(priority()).toBe('P2 High');
    await choose(select('urgency'), '1 · High');
    expect(priority()).toBe('P1 Critical');
  });

  it('takes the priority from the matrix the API serves', async () => {
    const rules = incidentMetadata();
    await open(undefined, {
      ...rules,
      priorityMatrix: rules.priorityMatrix.map((rule) =>
        rule.impact === 1 && rule.urgency === 3 ? { ...rule, priority: 1 } : rule,
      ),
    });
    await choose(select('impact'), '1 · High');
    expect(priority()).toBe('P1 Critical');
  });

  it('requires a title of at most 200 characters before sending anything', async () => {
    await open();
    submit();
    await settle();
    expect(errors()).toEqual(['Enter a title.']);

    type(field('title'), 'x'.repeat(201));
    await settle();
    expect(errors()).toEqual(['Keep the title to 200 characters.']);
    submit();
    await settle();
    backend.expectNone('/api/incidents');
  });

  it('creates the incident and opens it', async () => {
    await open();
    type(field('title'), '  Checkout API returns 502 ');
    type(field('description'), 'Since 09:10 UTC');
    await choose(select('impact'), '1 · High');
    await choose(select('urgency'), '2 · Medium');
    type(field('assignmentGroup'), 'Network Operations');
    submit();
    await settle();

    const post = backend.expectOne({ method: 'POST', url: '/api/incidents' });
    expect(post.request.body).toEqual({
      title: 'Checkout API returns 502',
      description: 'Since 09:10 UTC',
      impact: 1,
      urgency: 2,
      assignmentGroup: 'Network Operations',
    });
    post.flush(incidentView({ number: 'INC0000777' }), { status: 201, statusText: 'Created' });
    await settle();
    await fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/incidents/INC0000777');
  });

  it('puts the server field errors under their fields', async () => {
    await open();
    type(field('title'), 'Duplicate title');
    type(field('category'), 'nonsense');
    submit();
    await settle();

    backend.expectOne('/api/incidents').flush(
      ...problemAnswer(400, 'VALIDATION_FAILED', 'The request is invalid.', {
        errors: [
          { field: 'title', message: 'title must not contain control characters' },
          { field: 'category', message: 'category must be one of network, database, application' },
          { field: 'source', message: 'source is not allowed here' },
        ],
      }),
    );
    await settle();

    expect(errors()).toEqual([
      'title must not contain control characters',
      'category must be one of network, database, application',
    ]);
    // What no field shows stays in the notice.
    const notice = element().querySelector('[role="alert"][data-code="VALIDATION_FAILED"]')!;
    expect(notice.textContent).toContain('source is not allowed here');
    expect(notice.textContent).not.toContain('control characters');

    // Editing the field clears its server error.
    type(field('title'), 'Another title');
    await settle();
    expect(errors()).toEqual(['category must be one of network, database, application']);
  });

  it('edits only the changed fields with If-Match, and keeps the input through a stale-version reload', async () => {
    const incident = incidentView({
      number: 'INC0000100',
      title: 'Old title',
      impact: 2,
      urgency: 2,
      version: 3,
    });
    await open('INC0000100');
    backend.expectOne({ method: 'GET', url: '/api/incidents/INC0000100' }).flush(incident);
    await settle();
    expect(field('title').value).toBe('Old title');
    expect(priority()).toBe('P3 Moderate');

    type(field('title'), 'New title');
    await choose(select('impact'), '1 · High');
    submit();
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: `/api/incidents/${incident.id}` });
    expect(patch.request.body).toEqual({ title: 'New title', impact: 1 });
    expect(patch.request.headers.get('If-Match')).toBe('"3"');
    patch.flush(...problemAnswer(409, 'INCIDENT_STALE_VERSION', 'Version 3 is stale.'));
    await settle();

    expect(element().querySelector('[role="alert"]')!.textContent).toContain(
      'Someone changed this incident since you opened it',
    );
    click(byText('[role="alert"] button', 'Reload', element()));
    await settle();
    backend
      .expectOne('/api/incidents/INC0000100')
      .flush({ ...incident, description: 'Their change', version: 4 });
    await settle();
    expect(field('title').value).toBe('New title');
    expect(field('description').value).toBe('Their change');

    submit();
    await settle();
    const retry = backend.expectOne({ method: 'PATCH', url: `/api/incidents/${incident.id}` });
    expect(retry.request.headers.get('If-Match')).toBe('"4"');
    expect(retry.request.body).toEqual({ title: 'New title', impact: 1 });
    retry.flush({ ...incident, title: 'New title', version: 5 });
    await settle();
  });
});
