import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { Title } from '@angular/platform-browser';

import { userView } from '../../../testing/auth-fixtures';
import {
  byText,
  choose,
  click,
  deliveryView,
  incidentMetadata,
  incidentServiceNowView,
  incidentView,
  problemAnswer,
  queryByText,
  settle,
  signInAs,
  timelineEntry,
  type,
} from '../../../testing/incident-fixtures';
import {
  answerIncidentSides,
  type DetailOpening,
  incidentPageProviders,
  openIncidentDetail,
} from '../../../testing/incident-detail-page';
import { inboundEventView } from '../../../testing/inbound-event-fixtures';
import { Role, UserView } from '../../core/session/user';
import { IncidentServiceNowView, IncidentView } from './incident';
import { IncidentDetail } from './incident-detail';
import { IncidentMetadataView } from '../../shared/incident-rules/incident-metadata';

const CHOICES_URL = '/api/integrations/servicenow/choices?element=close_code';

describe('IncidentDetail', () => {
  let fixture: ComponentFixture<IncidentDetail>;
  let backend: HttpTestingController;
  let me: UserView;

  async function openAs(
    role: Role,
    incident: IncidentView,
    metadata: IncidentMetadataView = incidentMetadata(),
  ): Promise<void> {
    me = userView({ role, name: 'Rita Responder' });
    await load(me, incident, { metadata });
    answerIncidentSides(backend, incident);
    await settle();
  }

  /** Signs `user` in and opens the page, leaving the side panels' reads to the test. */
  async function load(user: UserView, incident: IncidentView, options?: DetailOpening) {
    TestBed.configureTestingModule({ providers: incidentPageProviders() });
    backend = TestBed.inject(HttpTestingController);
    signInAs(backend, user);
    fixture = await openIncidentDetail(backend, incident, options);
  }

  afterEach(() => {
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function actionLabels(): string[] {
    return Array.from(element().querySelectorAll('[role="toolbar"] button, [role="toolbar"] a')).map((b) =>
      b.textContent.replace(/\s+/g, ' ').trim(),
    );
  }

  it('shows viewers the incident, its fields and timeline, and no actions', async () => {
    const incident = incidentView({ title: 'Checkout 502', priority: 2, state: 'in_progress' });
    await openAs('viewer', incident);

    expect(element().querySelector('h1')!.textContent.trim()).toBe('Checkout 502');
    expect(element().querySelector('.heading nx-state-chip')!.textContent.trim()).toBe('In progress');
    expect(element().querySelector('.heading nx-priority-badge')!.textContent.trim()).toBe('P2 High');
    expect(element().querySelector('.fields')!.textContent).toContain('Network Operations');
    expect(element().querySelector('[role="toolbar"]')).toBeNull();
    expect(element().querySelector('textarea')).toBeNull();
    // The tab names the incident once it is loaded, not just the id from the URL.
    expect(TestBed.inject(Title).getTitle()).toBe(`${incident.number} Checkout 502 · Nexecute Connect`);
  });

  it.each<[string, Role, IncidentView['state'], string[]]>([
    [
      'a responder on a new incident',
      'responder',
      'new',
      ['Acknowledge', 'Resolve', 'Put on hold', 'Assign to me', 'Assign…', 'Edit', 'Cancel incident'],
    ],
    [
      'a responder on an incident on hold',
      'responder',
      'on_hold',
      ['Resume', 'Resolve', 'Assign to me', 'Assign…', 'Edit', 'Cancel incident'],
    ],
    [
      'an admin on a resolved incident',
      'admin',
      'resolved',
      ['Close', 'Reopen', 'Assign to me', 'Assign…', 'Edit'],
    ],
    ['an admin on a closed incident', 'admin', 'closed', []],
    ['a responder on a canceled incident', 'responder', 'canceled', []],
  ])('offers %s the actions its role and state allow', async (_, role, state, expected) => {
    await openAs(role, incidentView({ state }));
    expect(actionLabels()).toEqual(expected);
  });

  it('offers the moves the API says the lifecycle allows, and the close codes it accepts', async () => {
    const rules = incidentMetadata();
    const served: IncidentMetadataView = {
      ...rules,
      states: rules.states.map((rule) => (rule.state === 'new' ? { ...rule, next: ['resolved'] } : rule)),
      closeCodes: ['Duplicate', 'Known error'],
    };
    await openAs('responder', incidentView({ state: 'new' }), served);
    expect(actionLabels()).toEqual(['Resolve', 'Assign to me', 'Assign…', 'Edit']);

    click(byText('[role="toolbar"] button', 'Resolve', element()));
    await settle();
    // The API's own list (no instance connected) is what the metadata says.
    backend.expectOne(CHOICES_URL).flush({
      element: 'close_code',
      source: 'nexecute',
      error: null,
      choices: served.closeCodes.map((code) => ({ value: code, label: code, closeCode: code })),
    });
    await settle();
    click(document.querySelector('mat-dialog-container mat-select .mat-mdc-select-trigger'));
    await settle();
    expect(Array.from(document.querySelectorAll('mat-option')).map((o) => o.textContent.trim())).toEqual([
      'Duplicate',
      'Known error',
    ]);
    TestBed.inject(MatDialog).closeAll();
    await settle();
  });

  it('offers "Unassign" instead of "Assign to me" on an incident assigned to the caller', async () => {
    const incident = incidentView({ state: 'in_progress' });
    await openAs('responder', incident);
    // Now assign it to the signed-in responder.
    click(byText('[role="toolbar"] button', 'Assign to me', element()));
    await settle();
    const assign = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/assign` });
    expect(assign.request.body).toEqual({ assigneeId: me.id, version: 1 });
    assign.flush({ ...incident, version: 2, assignee: { id: me.id, name: me.name, email: me.email } });
    await settle();
    answerIncidentSides(backend, incident);
    await settle();

    expect(actionLabels()).toContain('Unassign');
    expect(actionLabels()).not.toContain('Assign to me');
    expect(element().querySelector('.fields')!.textContent).toContain('Rita Responder');
  });

  it('lets a responder assign any active person, picked from the people lookup', async () => {
    const incident = incidentView({ state: 'in_progress', version: 3 });
    await openAs('responder', incident);

    click(byText('[role="toolbar"] button', 'Assign…', element()));
    await settle();
    // Responders may not read /api/users (admins only): the dialog asks /api/people.
    const people = backend.expectOne((r) => r.method === 'GET' && r.url === '/api/people');
    expect(people.request.params.get('limit')).toBe('100');
    people.flush({ items: [{ id: 'p-1', name: 'Ines Silva', email: 'ines@example.test' }] });
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    await choose(dialog.querySelector('mat-select'), 'Ines Silva (ines@example.test)');
    click(byText('mat-dialog-container button', 'Assign'));
    await settle();

    const assign = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/assign` });
    expect(assign.request.body).toEqual({ assigneeId: 'p-1', version: 3 });
    assign.flush({
      ...incident,
      version: 4,
      assignee: { id: 'p-1', name: 'Ines Silva', email: 'ines@example.test' },
    });
    await settle();
    answerIncidentSides(backend, incident);
    await settle();
    expect(element().querySelector('.fields')!.textContent).toContain('Ines Silva');
  });

  it('acknowledges with the version on screen and shows the new state', async () => {
    const incident = incidentView({ state: 'new', version: 4 });
    await openAs('responder', incident);

    click(byText('[role="toolbar"] button', 'Acknowledge', element()));
    await settle();
    const request = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/acknowledge` });
    expect(request.request.body).toEqual({ version: 4 });
    request.flush({ ...incident, state: 'in_progress', version: 5 });
    await settle();
    answerIncidentSides(backend, incident, [
      timelineEntry({ kind: 'created' }),
      timelineEntry({ kind: 'state_changed', changes: { state: { from: 'new', to: 'in_progress' } } }),
    ]);
    await settle();

    expect(element().querySelector('.heading nx-state-chip')!.textContent.trim()).toBe('In progress');
    expect(element().querySelector('nx-incident-timeline')!.textContent).toContain(
      'state: New → In progress',
    );
    expect(actionLabels()).not.toContain('Acknowledge');
  });

  it('resolves only with both a close code and close notes', async () => {
    const incident = incidentView({ state: 'in_progress', version: 2 });
    await openAs('responder', incident);

    click(byText('[role="toolbar"] button', 'Resolve', element()));
    await settle();
    // No instance connected: the API offers our own close codes.
    backend.expectOne(CHOICES_URL).flush({
      element: 'close_code',
      source: 'nexecute',
      error: null,
      choices: incidentMetadata().closeCodes.map((code) => ({ value: code, label: code, closeCode: code })),
    });
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    const submit = () => {
      click(byText('mat-dialog-container button', 'Resolve'));
    };

    submit();
    await settle();
    expect(dialog.textContent).toContain('Choose a close code.');
    expect(dialog.textContent).toContain('Say what was done to resolve it.');

    await choose(dialog.querySelector('mat-select'), 'Workaround provided');
    submit();
    await settle();
    expect(dialog.textContent).toContain('Say what was done to resolve it.');
    backend.expectNone((r) => r.url.endsWith('/resolve'));

    type(dialog.querySelector('textarea'), '  Restarted the pool  ');
    submit();
    await settle();
    const request = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/resolve` });
    expect(request.request.body).toEqual({
      closeCode: 'Workaround provided',
      closeNotes: 'Restarted the pool',
      version: 2,
    });
    request.flush({
      ...incident,
      state: 'resolved',
      closeCode: 'Workaround provided',
      closeNotes: 'Restarted the pool',
      version: 3,
    });
    await settle();
    answerIncidentSides(backend, incident);
    await settle();
    expect(element().querySelector('.heading nx-state-chip')!.textContent.trim()).toBe('Resolved');
  });

  it("offers the ServiceNow instance's close codes by their labels there, and resolves with ours", async () => {
    const incident = incidentView({ state: 'in_progress', version: 2 });
    await openAs('responder', incident);

    click(byText('[role="toolbar"] button', 'Resolve', element()));
    await settle();
    backend.expectOne(CHOICES_URL).flush({
      element: 'close_code',
      source: 'servicenow',
      error: null,
      choices: [
        { value: 'Solved (Permanently)', label: 'Solved (Permanently)', closeCode: 'Solution provided' },
        { value: 'workaround', label: 'Solved (Work Around)', closeCode: 'Workaround provided' },
        // The sync could not write this one back: not offered.
        { value: 'Not Solved (Too Costly)', label: 'Not Solved (Too Costly)', closeCode: null },
      ],
    });
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    expect(dialog.textContent).toContain('The close codes of your ServiceNow instance.');
    click(dialog.querySelector('mat-select .mat-mdc-select-trigger'));
    await settle();
    expect(Array.from(document.querySelectorAll('mat-option')).map((o) => o.textContent.trim())).toEqual([
      'Solved (Permanently)',
      'Solved (Work Around)',
    ]);
    click(byText('mat-option', 'Solved (Work Around)'));
    await settle();
    type(dialog.querySelector('textarea'), 'Restarted the pool');
    click(byText('mat-dialog-container button', 'Resolve'));
    await settle();
    const request = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/resolve` });
    expect(request.request.body).toEqual({
      closeCode: 'Workaround provided',
      closeNotes: 'Restarted the pool',
      version: 2,
    });
    request.flush({ ...incident, state: 'resolved', version: 3 });
    await settle();
    answerIncidentSides(backend, incident);
    await settle();
  });

  it('offers our close codes when the instance list cannot be had', async () => {
    const incident = incidentView({ state: 'in_progress', version: 2 });
    await openAs('responder', incident);
    click(byText('[role="toolbar"] button', 'Resolve', element()));
    await settle();
    backend
      .expectOne(CHOICES_URL)
      .flush({ status: 500, title: 'Internal Server Error' }, { status: 500, statusText: 'Error' });
    await settle();
    const dialog = document.querySelector('mat-dialog-container')!;
    expect(dialog.textContent).not.toContain('ServiceNow instance');
    click(dialog.querySelector('mat-select .mat-mdc-select-trigger'));
    await settle();
    expect(Array.from(document.querySelectorAll('mat-option')).map((o) => o.textContent.trim())).toEqual(
      incidentMetadata().closeCodes,
    );
    click(byText('mat-option', 'Duplicate'));
    await settle();
    TestBed.inject(MatDialog).closeAll();
    await settle();
  });

  it('resumes an incident on hold with a reason and keeps the reason if that fails', async () => {
    const incident = incidentView({ state: 'on_hold', version: 6 });
    await openAs('responder', incident);

    click(byText('[role="toolbar"] button', 'Resume', element()));
    await settle();
    click(byText('mat-dialog-container button', 'Resume'));
    await settle();
    expect(document.querySelector('mat-dialog-container')!.textContent).toContain('Give a reason.');
    type(document.querySelector('mat-dialog-container textarea'), 'Vendor shipped the part');
    click(byText('mat-dialog-container button', 'Resume'));
    await settle();

    const request = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/resume` });
    expect(request.request.body).toEqual({ reason: 'Vendor shipped the part', version: 6 });
    request.flush(...problemAnswer(503, 'SERVICE_UNAVAILABLE', 'Try again.'));
    await settle();

    click(byText('[role="toolbar"] button', 'Resume', element()));
    await settle();
    expect(document.querySelector<HTMLTextAreaElement>('mat-dialog-container textarea')!.value).toBe(
      'Vendor shipped the part',
    );
    click(byText('mat-dialog-container button', 'Back'));
    await settle();
    backend.expectNone((r) => r.url.endsWith('/resume'));
  });

  it('explains a stale version, and Reload fetches the incident again keeping the draft comment', async () => {
    const incident = incidentView({ state: 'new', version: 1 });
    await openAs('responder', incident);

    type(element().querySelector<HTMLTextAreaElement>('textarea[name="comment"]'), 'Paged the DB team');
    await settle();
    click(byText('[role="toolbar"] button', 'Acknowledge', element()));
    await settle();
    backend
      .expectOne(`/api/incidents/${incident.id}/acknowledge`)
      .flush(...problemAnswer(409, 'INCIDENT_STALE_VERSION', 'Version 1 is stale.', { currentVersion: 2 }));
    await settle();

    const alert = element().querySelector('[role="alert"][data-code="INCIDENT_STALE_VERSION"]');
    expect(alert?.textContent).toContain('Someone changed this incident since you opened it');
    click(byText('[role="alert"] button', 'Reload', element()));
    await settle();
    const changed = { ...incident, state: 'in_progress' as const, version: 2 };
    backend.expectOne({ method: 'GET', url: `/api/incidents/${incident.number}` }).flush(changed);
    await settle();
    answerIncidentSides(backend, incident);
    await settle();

    expect(element().querySelector('[data-code="INCIDENT_STALE_VERSION"]')).toBeNull();
    expect(element().querySelector<HTMLTextAreaElement>('textarea[name="comment"]')!.value).toBe(
      'Paged the DB team',
    );
    expect(element().querySelector('.heading nx-state-chip')!.textContent.trim()).toBe('In progress');
  });

  it('shows the detail of an illegal transition', async () => {
    const incident = incidentView({ state: 'new' });
    await openAs('admin', incident);

    click(byText('[role="toolbar"] button', 'Acknowledge', element()));
    await settle();
    backend
      .expectOne(`/api/incidents/${incident.id}/acknowledge`)
      .flush(...problemAnswer(409, 'INCIDENT_ILLEGAL_TRANSITION', 'closed -> in_progress is not allowed.'));
    await settle();

    const alert = element().querySelector('[role="alert"][data-code="INCIDENT_ILLEGAL_TRANSITION"]');
    expect(alert?.textContent).toContain('closed -> in_progress is not allowed.');
  });

  it('adds a work note and reloads the timeline', async () => {
    const incident = incidentView({ state: 'in_progress' });
    await openAs('responder', incident);

    click(byText('mat-button-toggle button', 'Work note', element()));
    await settle();
    type(
      element().querySelector<HTMLTextAreaElement>('textarea[name="comment"]'),
      'Internal: failover ready',
    );
    await settle();
    click(byText('form.comment button[type="submit"]', 'Add work note', element()));
    await settle();

    const post = backend.expectOne({ method: 'POST', url: `/api/incidents/${incident.id}/comments` });
    expect(post.request.body).toEqual({ body: 'Internal: failover ready', kind: 'work_note' });
    post.flush(timelineEntry({ kind: 'work_note', body: 'Internal: failover ready' }), {
      status: 201,
      statusText: 'Created',
    });
    await settle();
    answerIncidentSides(backend, incident, [
      timelineEntry({ kind: 'work_note', body: 'Internal: failover ready' }),
    ]);
    await settle();

    expect(element().querySelector<HTMLTextAreaElement>('textarea[name="comment"]')!.value).toBe('');
    const entry = element().querySelector('nx-incident-timeline li[data-kind="work_note"]');
    expect(entry?.textContent).toContain('Internal: failover ready');
  });

  it('shows deliveries with the "behind" count', async () => {
    const incident = incidentView({ deliveriesBehind: 2 });
    await load(userView({ role: 'viewer' }), incident, { id: incident.id });
    backend.expectOne((r) => r.url.endsWith('/timeline')).flush({ items: [], nextCursor: null });
    backend.expectOne(`/api/incidents/${incident.id}/deliveries`).flush({
      items: [deliveryView({ consumer: 'servicenow', status: 'failed', attempts: 3, lastError: 'HTTP 503' })],
    });
    backend.expectOne(`/api/incidents/${incident.id}/events`).flush({ items: [] });
    backend.expectOne(`/api/incidents/${incident.id}/servicenow`).flush(incidentServiceNowView());
    await settle();

    expect(queryByText('#deliveries-heading .behind', '2 behind', element())).not.toBeNull();
    const row = element().querySelector('nx-incident-deliveries tbody tr')!;
    expect(row.textContent).toContain('servicenow');
    expect(row.textContent).toContain('Failed');
    expect(row.textContent).toContain('3 / 10');
    expect(row.textContent).toContain('HTTP 503');
  });

  it('shows the events that grouped into the incident, with its alert count and last alert', async () => {
    const incident = incidentView({
      alertCount: 3,
      lastAlertAt: '2026-12-03T09:20:00.000Z',
      source: 'webhook',
    });
    await load(userView({ role: 'viewer' }), incident, { id: incident.id });
    backend.expectOne((r) => r.url.endsWith('/timeline')).flush({ items: [], nextCursor: null });
    backend.expectOne(`/api/incidents/${incident.id}/deliveries`).flush({ items: [] });
    const opened = inboundEventView({ incidentId: incident.id, summary: 'Disk 95% full on db-01' });
    const grouped = inboundEventView({
      incidentId: incident.id,
      outcome: 'grouped',
      effects: [
        { outcome: 'grouped', incidentId: incident.id, incidentNumber: incident.number, dedupKey: 'k' },
      ],
      channel: 'alertmanager',
      action: 'alerts',
      sourceLabel: 'Alertmanager (prod)',
    });
    const failed = inboundEventView({ status: 'failed', outcome: null, effects: [], action: 'acknowledge' });
    backend.expectOne(`/api/incidents/${incident.id}/events`).flush({ items: [opened, grouped, failed] });
    backend.expectOne(`/api/incidents/${incident.id}/servicenow`).flush(incidentServiceNowView());
    await settle();

    expect(element().querySelector('.heading .alerts')!.textContent).toContain('3 alerts');
    expect(element().querySelector('#events .alert-count')!.textContent).toContain(
      '3 alerts grouped into this incident, the last at',
    );
    const rows = Array.from(element().querySelectorAll('nx-incident-events tbody tr'));
    expect(
      rows.map((row) => Array.from(row.querySelectorAll('td')).map((cell) => cell.textContent.trim())),
    ).toEqual([
      [
        expect.any(String),
        'Prometheus (production) Events API',
        'Trigger',
        'Disk 95% full on db-01',
        'Opened',
      ],
      [expect.any(String), 'Alertmanager (prod) Alertmanager', 'Alerts', 'Disk 95% full on db-01', 'Grouped'],
      [
        expect.any(String),
        'Prometheus (production) Events API',
        'Acknowledge',
        'Disk 95% full on db-01',
        'Failed',
      ],
    ]);
  });

  it('says so when no event touched the incident, and shows no alert count', async () => {
    const incident = incidentView();
    await openAs('viewer', incident);
    expect(element().querySelector('.heading .alerts')).toBeNull();
    expect(element().querySelector('#events .alert-count')).toBeNull();
    expect(element().querySelector('#events')!.textContent).toContain(
      'No events from webhook producers touched this incident.',
    );
  });

  describe('ServiceNow panel', () => {
    async function openWith(
      servicenow: IncidentServiceNowView | 'error',
      incident = incidentView(),
    ): Promise<HTMLElement> {
      await load(userView({ role: 'viewer' }), incident);
      if (servicenow === 'error') {
        answerIncidentSides(backend, incident, undefined, undefined, true);
        backend
          .expectOne(`/api/incidents/${incident.id}/servicenow`)
          .flush(...problemAnswer(503, 'SERVICENOW_UNAVAILABLE', 'Sync status unavailable.'));
      } else {
        answerIncidentSides(backend, incident, undefined, servicenow);
      }
      await settle();
      return element().querySelector<HTMLElement>('section.servicenow')!;
    }

    it('names the ServiceNow number in the heading, pointing at the panel', async () => {
      await openWith(
        incidentServiceNowView({ linked: true, status: 'synced', number: 'INC0010002' }),
        incidentView({ externalSystem: 'servicenow', externalNumber: 'INC0010002' }),
      );
      const badge = element().querySelector<HTMLAnchorElement>('.heading a.external')!;
      expect(badge.textContent.trim()).toBe('ServiceNow INC0010002');
      expect(badge.getAttribute('href')).toBe('#servicenow');
    });

    it('links the ServiceNow number to the record and shows when it last synced', async () => {
      const panel = await openWith(
        incidentServiceNowView({
          linked: true,
          status: 'synced',
          number: 'INC0010002',
          sysId: '9d385017c611228701d22104cc95c371',
          url: 'https://acme.service-now.com/nav_to.do?uri=incident.do?sys_id=9d385017c611228701d22104cc95c371',
          lastSyncedAt: '2026-12-04T05:00:00.000Z',
        }),
      );
      const link = panel.querySelector<HTMLAnchorElement>('a.record')!;
      expect(link.textContent).toContain('INC0010002');
      expect(link.href).toContain('sys_id=9d385017c611228701d22104cc95c371');
      expect(link.target).toBe('_blank');
      expect(link.rel).toContain('noopener');
      expect(panel.querySelector('[data-status="synced"]')!.textContent.trim()).toBe('Synced');
      expect(panel.textContent).toContain('2026');
      expect(panel.querySelector('.error')).toBeNull();
    });

    it('shows a pending sync, and a failed one with its last error', async () => {
      const pending = await openWith(
        incidentServiceNowView({ linked: true, status: 'pending', number: 'INC0010003', url: null }),
      );
      expect(pending.querySelector('[data-status="pending"]')!.textContent.trim()).toBe('Sync pending');
      expect(pending.querySelector('a.record')).toBeNull();
      expect(pending.querySelector('.record')!.textContent.trim()).toBe('INC0010003');
      expect(pending.textContent).toContain('Never');
      fixture.destroy();
      backend.verify();
      TestBed.resetTestingModule();

      const failed = await openWith(
        incidentServiceNowView({
          linked: true,
          status: 'failed',
          number: 'INC0010004',
          url: 'https://acme.service-now.com/incident.do?sys_id=x',
          lastSyncedAt: '2026-12-04T04:00:00.000Z',
          lastError: 'Operation Failed: Data Policy Exception: Close notes are mandatory',
        }),
      );
      expect(failed.querySelector('[data-status="failed"]')!.textContent.trim()).toBe('Sync failed');
      expect(failed.querySelector('.error')!.textContent).toContain('Close notes are mandatory');
    });

    it('says "Not linked" when the incident has no ServiceNow record', async () => {
      const panel = await openWith(incidentServiceNowView());
      expect(panel.querySelector('.not-linked')!.textContent).toContain('Not linked');
      expect(panel.querySelector('dl')).toBeNull();
    });

    it('shows why the sync status could not be loaded', async () => {
      const panel = await openWith('error');
      expect(panel.querySelector('nx-problem-notice')!.textContent).toContain('Sync status unavailable.');
    });
  });
});
