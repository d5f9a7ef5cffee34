import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { userView } from '../../../testing/auth-fixtures';
import {
  answerMetadata,
  choose,
  click,
  incidentView,
  problemAnswer,
  settle,
  signInAs,
  type,
  wait,
} from '../../../testing/incident-fixtures';
import { problemInterceptor } from '../../core/problem-interceptor';
import { Role } from '../../core/session/user';
import { IncidentPage, IncidentView } from './incident';
import { IncidentList, SEARCH_DEBOUNCE_MS } from './incident-list';

describe('IncidentList', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;

  async function openAs(role: Role, url: string): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'incidents', component: IncidentList }]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    signInAs(backend, userView({ role }));
    harness = await RouterTestingHarness.create();
    void harness.navigateByUrl(url);
    await settle();
    answerMetadata(backend);
    await settle();
  }

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return harness.routeNativeElement!;
  }

  function paramsOf(request: TestRequest): Record<string, string | null> {
    const params = request.request.params;
    return Object.fromEntries(params.keys().map((key) => [key, params.get(key)]));
  }

  async function answer(items: IncidentView[], nextCursor: string | null = null) {
    const request = backend.expectOne((r) => r.method === 'GET' && r.url === '/api/incidents');
    const params = paramsOf(request);
    request.flush({ items, nextCursor } satisfies IncidentPage);
    await settle();
    return params;
  }

  function url(): string {
    return TestBed.inject(Router).url;
  }

  function rows(): string[] {
    return Array.from(element().querySelectorAll('tr[data-incident-id]')).map((row) =>
      Array.from(row.querySelectorAll('td'))
        .map((cell) => cell.textContent.replace(/\s+/g, ' ').trim())
        .join(' | '),
    );
  }

  function selects(): Element[] {
    return Array.from(element().querySelectorAll('.filters mat-select'));
  }

  it('restores the filters from the URL and sends them to the API', async () => {
    await openAs(
      'viewer',
      '/incidents?state=new,in_progress&priority=1&assignee=me&source=slack&q=db&sort=priority',
    );

    expect(await answer([])).toEqual({
      state: 'new,in_progress',
      priority: '1',
      assigneeId: 'me',
      source: 'slack',
      q: 'db',
      sort: 'priority',
      limit: '50',
    });
    expect(element().querySelector<HTMLInputElement>('input[type="search"]')!.value).toBe('db');
    expect(selects()[0]!.textContent).toContain('New, In progress');
    expect(element().textContent).toContain('No incidents match these filters.');
  });

  it('puts chosen filters into the URL and queries with them', async () => {
    await openAs('viewer', '/incidents');
    expect(await answer([])).toEqual({ sort: '-openedAt', limit: '50' });

    await choose(selects()[0]!, 'On hold');
    expect(url()).toBe('/incidents?state=on_hold');
    expect(await answer([])).toMatchObject({ state: 'on_hold' });

    await choose(selects()[1]!, 'P1 Critical');
    expect(url()).toBe('/incidents?state=on_hold&priority=1');
    expect(await answer([])).toMatchObject({ state: 'on_hold', priority: '1' });

    await choose(selects()[2]!, 'Unassigned');
    await choose(selects()[4]!, 'SLA due soonest');
    expect(url()).toBe('/incidents?state=on_hold&priority=1&assignee=none&sort=slaDueAt');
    // The request for the assignee choice alone was superseded by the sort choice.
    const requests = backend.match((r) => r.url === '/api/incidents');
    const latest = requests[requests.length - 1]!;
    expect(paramsOf(latest)).toMatchObject({ assigneeId: 'none', sort: 'slaDueAt' });
    requests.forEach((request) => {
      if (!request.cancelled) request.flush({ items: [], nextCursor: null });
    });
  });

  it('searches once typing pauses and keeps the search in the URL', async () => {
    await openAs('viewer', '/incidents?state=new');
    await answer([]);

    const box = element().querySelector<HTMLInputElement>('input[type="search"]')!;
    type(box, 'INC00');
    type(box, 'INC0001');
    await settle();
    backend.expectNone((r) => r.url === '/api/incidents');
    await wait(SEARCH_DEBOUNCE_MS + 50);
    await settle();

    expect(url()).toBe('/incidents?state=new&q=INC0001');
    expect(await answer([incidentView({ number: 'INC0001234' })])).toMatchObject({
      q: 'INC0001',
      state: 'new',
    });
    expect(rows()[0]).toContain('INC0001234');
  });

  it('finds an incident by its ServiceNow number and shows that number under ours', async () => {
    await openAs('viewer', '/incidents?q=INC0010002');
    const linked = incidentView({ number: 'INC0000042', externalNumber: 'INC0010002' });
    const plain = incidentView({ number: 'INC0000043' });
    expect(await answer([linked, plain])).toMatchObject({ q: 'INC0010002' });

    const linkedRow = element().querySelector(`tr[data-incident-id="${linked.id}"]`)!;
    expect(linkedRow.querySelector('.external-number')!.textContent.trim()).toBe('INC0010002');
    expect(linkedRow.querySelector('a')!.textContent.trim()).toBe('INC0000042');
    const plainRow = element().querySelector(`tr[data-incident-id="${plain.id}"]`)!;
    expect(plainRow.querySelector('.external-number')).toBeNull();
  });

  it('loads the next page with the cursor and appends it', async () => {
    await openAs('viewer', '/incidents?priority=2');
    const first = incidentView({ title: 'First' });
    await answer([first], 'cursor-1');

    click(element().querySelector('.more button'));
    await settle();
    const second = incidentView({ title: 'Second' });
    expect(await answer([second], null)).toMatchObject({ priority: '2', cursor: 'cursor-1' });

    expect(rows().map((row) => row.split(' | ')[2])).toEqual(['First', 'Second']);
    expect(element().querySelector('.more button')).toBeNull();
    expect(element().textContent).toContain('That is every incident that matches.');
  });

  it('shows number links, priority badges, state chips, assignee and a highlighted breached SLA', async () => {
    await openAs('responder', '/incidents');
    const late = incidentView({
      number: 'INC0000042',
      title: 'Checkout 502',
      priority: 1,
      state: 'in_progress',
      assignee: { id: 'a', name: 'Alice Moreau', email: 'alice@example.test' },
      slaDueAt: '2000-01-01T00:00:00.000Z',
      slaBreached: true,
    });
    await answer([late]);

    const row = element().querySelector(`tr[data-incident-id="${late.id}"]`)!;
    expect(row.querySelector('a')!.getAttribute('href')).toBe('/incidents/INC0000042');
    expect(row.querySelector('nx-priority-badge')!.textContent.trim()).toBe('P1 Critical');
    expect(row.querySelector('nx-state-chip')!.textContent.trim()).toBe('In progress');
    expect(row.textContent).toContain('Alice Moreau');
    const sla = row.querySelector('nx-sla-due')!;
    expect(sla.classList).toContain('breached');
    expect(sla.textContent).toMatch(/^\s*Overdue by [\d,]+ days\s*$/);
  });

  it('offers "New incident" to responders but not to viewers', async () => {
    await openAs('responder', '/incidents');
    await answer([]);
    expect(element().querySelector('a[href="/incidents/new"]')?.textContent).toContain('New incident');
    expect(element().textContent).toContain('No incidents yet.');
  });

  it('hides "New incident" from viewers', async () => {
    await openAs('viewer', '/incidents');
    await answer([]);
    expect(element().querySelector('a[href="/incidents/new"]')).toBeNull();
  });

  it('shows a failed load as a problem notice', async () => {
    await openAs('viewer', '/incidents');
    backend
      .expectOne((r) => r.url === '/api/incidents')
      .flush(...problemAnswer(400, 'VALIDATION_FAILED', 'limit must be at most 200.'));
    await settle();
    expect(element().querySelector('[role="alert"][data-code="VALIDATION_FAILED"]')?.textContent).toContain(
      'limit must be at most 200.',
    );
  });
});
