import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';

import {
  byText,
  choose,
  click,
  problemAnswer,
  queryByText,
  settle,
  type,
} from '../../../../testing/incident-fixtures';
import {
  conflictPolicyView,
  connectionView,
  instanceChoices,
  ourChoices,
  healthView,
  testResult,
  unconfiguredConnection,
} from '../../../../testing/servicenow-fixtures';
import { slackConnection, slackRules } from '../../../../testing/slack-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { CloseCodeChoicesView } from '../../../shared/incident-rules/close-code-choices';
import { IntegrationSettings } from './integration-settings';
import { ServiceNowConnectionUpdate, ServiceNowConnectionView } from './servicenow-api';

const URL = '/api/integrations/servicenow';
const CHOICES_URL = '/api/integrations/servicenow/choices?element=close_code';

describe('IntegrationSettings', () => {
  let fixture: ComponentFixture<IntegrationSettings>;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    // A save reloads the instance's close codes.
    for (const request of backend.match(CHOICES_URL)) request.flush(ourChoices());
    fixture.destroy();
    backend.verify();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function input(label: string): HTMLInputElement {
    const field = Array.from(element().querySelectorAll('mat-form-field')).find(
      (f) => f.querySelector('mat-label')?.textContent.trim() === label,
    );
    const found = field?.querySelector<HTMLInputElement>('input');
    if (!found) throw new Error(`no field labelled ${label}`);
    return found;
  }

  function errors(): string[] {
    return Array.from(element().querySelectorAll('mat-error')).map((e) => e.textContent.trim());
  }

  /** Opens the page and answers its requests; a configured connection also loads health and policy. */
  async function open(
    connection: ServiceNowConnectionView = connectionView(),
    choices: CloseCodeChoicesView = ourChoices(),
  ): Promise<void> {
    fixture = TestBed.createComponent(IntegrationSettings);
    await settle();
    expect(element().textContent).toContain('Loading the ServiceNow connection…');
    backend.expectOne({ method: 'GET', url: URL }).flush(connection);
    await settle();
    backend.expectOne(CHOICES_URL).flush(choices);
    if (connection.configured) backend.expectOne(`${URL}/health`).flush(healthView());
    backend.expectOne(`${URL}/conflict-policy`).flush(conflictPolicyView());
    answerSlack();
    await settle();
  }

  /** The Slack section's own requests (its connection and routing rules). */
  function answerSlack(): void {
    backend.expectOne('/api/integrations/slack').flush(slackConnection());
    backend.expectOne('/api/integrations/slack/routes').flush(slackRules());
  }

  async function save(): Promise<TestRequest> {
    click(byText('button', 'Save', element()));
    await settle();
    return backend.expectOne({ method: 'PUT', url: URL });
  }

  function bodyOf(request: TestRequest): ServiceNowConnectionUpdate {
    return request.request.body as ServiceNowConnectionUpdate;
  }

  it('loads the connection into the form, says which secrets are set and never shows them', async () => {
    await open();
    expect(input('Instance URL').value).toBe('https://acme.service-now.com');
    expect(input('Client ID').value).toBe('nexecute-client');
    expect(input('Username').value).toBe('svc.nexecute');
    expect(input('Default assignment group').value).toBe('Service Desk');

    // Stored secrets: the field offers a replacement, starts empty and is masked.
    for (const label of ['Replace client secret', 'Replace password']) {
      expect(input(label).value).toBe('');
      expect(input(label).type).toBe('password');
    }
    expect(element().querySelector('[data-set="true"]')!.textContent.trim()).toBe('Set');
    const webhook = input('Webhook secret');
    expect(webhook.closest('mat-form-field')!.querySelector('[data-set]')!.textContent.trim()).toBe(
      'Not set',
    );
    expect(element().querySelector('.updated')!.textContent).toContain('by Ada Admin');
  });

  it('saves the whole connection with PUT, sending only the secrets that were typed', async () => {
    await open();
    type(input('Instance URL'), 'https://acme2.service-now.com/');
    type(input('Webhook secret'), 'whsec-0123456789');
    await settle();

    const request = await save();
    const body = bodyOf(request);
    expect(body).toEqual({
      instanceUrl: 'https://acme2.service-now.com',
      grant: 'password',
      clientId: 'nexecute-client',
      username: 'svc.nexecute',
      defaultAssignmentGroup: 'Service Desk',
      assignmentGroups: {},
      mapping: connectionView().mapping,
      enabled: true,
      webhookSecret: 'whsec-0123456789',
    });
    expect(body).not.toHaveProperty('clientSecret');
    expect(body).not.toHaveProperty('password');

    request.flush(connectionView({ instanceUrl: 'https://acme2.service-now.com', hasWebhookSecret: true }));
    await settle();
    // The typed secret is gone from the form; the API says it is set now.
    expect(input('Replace webhook secret').value).toBe('');
    expect(
      input('Replace webhook secret')
        .closest('mat-form-field')!
        .querySelector('[data-set]')!
        .textContent.trim(),
    ).toBe('Set');
  });

  it('edits the assignment groups as name = sys_id lines, refusing a line that is not one', async () => {
    await open(
      connectionView({ assignmentGroups: { 'Network Operations': '287ebd7da9fe198100f92cc8d1d2154e' } }),
    );
    const groups = element().querySelector<HTMLTextAreaElement>(
      'textarea[formcontrolname="assignmentGroups"]',
    )!;
    expect(groups.value).toBe('Network Operations = 287ebd7da9fe198100f92cc8d1d2154e');

    type(groups, `${groups.value}\nService Desk = not-a-sys-id`);
    await settle();
    click(byText('button', 'Save', element()));
    await settle();
    backend.expectNone({ method: 'PUT', url: URL });
    expect(errors()).toContain('Write each line as name = sys_id (32 hexadecimal characters).');

    type(
      groups,
      'Network Operations = 287ebd7da9fe198100f92cc8d1d2154e\n\nService Desk = D625DCCEC0A8016700A222A0F7900D06',
    );
    await settle();
    const request = await save();
    expect(bodyOf(request).assignmentGroups).toEqual({
      'Network Operations': '287ebd7da9fe198100f92cc8d1d2154e',
      'Service Desk': 'd625dccec0a8016700a222a0f7900d06',
    });
    request.flush(connectionView());
    await settle();
  });

  it('validates before saving: URL, client ID, and the secrets a new connection needs', async () => {
    await open(unconfiguredConnection());
    expect(element().textContent).toContain('Not connected yet');
    expect(element().textContent).toContain('Connect an instance to see its health here.');
    expect(queryByText('button', 'Test connection', element())!.hasAttribute('disabled')).toBe(true);

    type(input('Instance URL'), 'acme.service-now.com');
    await settle();
    click(byText('button', 'Save', element()));
    await settle();
    expect(errors()).toEqual([
      "Enter the instance's address, like https://acme.service-now.com.",
      'Enter the client ID.',
      'Enter the client secret.',
      "Enter the integration user's name.",
      'Enter the password.',
    ]);
    backend.expectNone({ method: 'PUT', url: URL });

    // Client credentials need neither username nor password.
    click(byText('mat-radio-button', /^Client credentials/, element()).querySelector('input'));
    await settle();
    expect(element().textContent).not.toContain('Username');
    type(input('Instance URL'), 'https://dev1234.service-now.com');
    type(input('Client ID'), 'cid');
    type(input('Client secret'), 'shh');
    await settle();
    const request = await save();
    expect(bodyOf(request)).toMatchObject({
      grant: 'client_credentials',
      username: null,
      clientSecret: 'shh',
    });
    expect(bodyOf(request)).not.toHaveProperty('password');
    request.flush(connectionView({ grant: 'client_credentials' }));
    await settle();
    backend.expectOne(`${URL}/health`).flush(healthView());
    await settle();
  });

  it('asks for a webhook secret of 16 to 256 characters, and sends none when left empty', async () => {
    await open();
    type(input('Webhook secret'), 'too-short');
    await settle();
    click(byText('button', 'Save', element()));
    await settle();
    expect(errors()).toEqual(['Use 16 to 256 characters.']);
    backend.expectNone({ method: 'PUT', url: URL });

    type(input('Webhook secret'), '');
    await settle();
    const request = await save();
    expect(bodyOf(request)).not.toHaveProperty('webhookSecret');
    request.flush(connectionView());
    await settle();
  });

  it('maps our states and close codes, starting from the defaults, and can reset them', async () => {
    await open(
      connectionView({
        mapping: {
          ...connectionView().mapping,
          closeCodes: { ...connectionView().mapping.closeCodes, Duplicate: 'Dup' },
        },
      }),
    );
    const resolved = element().querySelector('tr[data-state="resolved"]')!;
    expect(resolved.querySelector('.mat-mdc-select-value')!.textContent.trim()).toBe('6 · Resolved');
    expect(
      Array.from(element().querySelectorAll('tr[data-level="1"] .mat-mdc-select-value')).map((v) =>
        v.textContent.trim(),
      ),
    ).toEqual(['1 · High', '1 · High']);
    const duplicate = element().querySelector<HTMLInputElement>('tr[data-close-code="Duplicate"] input')!;
    expect(duplicate.value).toBe('Dup');

    type(duplicate, '');
    await settle();
    click(byText('button', 'Save', element()));
    await settle();
    expect(errors()).toContain('Enter a close code.');
    backend.expectNone({ method: 'PUT', url: URL });

    click(byText('button', 'Reset mapping to defaults', element()));
    await settle();
    expect(duplicate.value).toBe('Duplicate');
    const request = await save();
    expect(bodyOf(request).mapping?.closeCodes?.['Duplicate']).toBe('Duplicate');
    request.flush(connectionView());
    await settle();
  });

  it("offers the instance's close codes (sys_choice) for the close code mapping, marking values it lacks", async () => {
    await open(
      connectionView({
        mapping: {
          ...connectionView().mapping,
          closeCodes: { ...connectionView().mapping.closeCodes, 'Workaround provided': 'workaround' },
        },
      }),
      instanceChoices(),
    );
    expect(element().querySelector('[data-choices="servicenow"]')!.textContent).toContain('sys_choice');
    const workaround = element().querySelector('tr[data-close-code="Workaround provided"]')!;
    expect(workaround.querySelector('input')).toBeNull();
    expect(workaround.querySelector('.mat-mdc-select-value')!.textContent.trim()).toBe(
      'Solved (Work Around) (workaround)',
    );
    // The default maps "Solution provided" to itself, which this instance does not have.
    const solution = element().querySelector('tr[data-close-code="Solution provided"]')!;
    expect(solution.querySelector('.mat-mdc-select-value')!.textContent.trim()).toBe(
      'Solution provided (not on the instance)',
    );
    expect(element().querySelector('[data-choices="servicenow"]')!.textContent).toContain(
      'not on the instance',
    );

    await choose(solution.querySelector('mat-select'), 'Solved (Permanently)');
    const request = await save();
    expect(bodyOf(request).mapping?.closeCodes).toMatchObject({
      'Solution provided': 'Solved (Permanently)',
      'Workaround provided': 'workaround',
    });
    request.flush(connectionView());
    await settle();
    // Saved: the list is asked for again (another instance, another mapping).
    backend.expectOne(CHOICES_URL).flush(instanceChoices());
    await settle();
  });

  it("says why the instance's close codes are not offered, and takes typed ones", async () => {
    await open(connectionView(), {
      ...ourChoices(),
      error: 'ServiceNow choice.list 500: Choice table unavailable',
    });
    expect(element().querySelector('[data-choices="fallback"]')!.textContent).toContain(
      'Choice table unavailable',
    );
    expect(element().querySelector('tr[data-close-code="Duplicate"] input')).not.toBeNull();
  });

  it("shows the API's field errors on their fields", async () => {
    await open();
    (await save()).flush(
      ...problemAnswer(400, 'VALIDATION_FAILED', 'The request is invalid.', {
        errors: [{ field: 'instanceUrl', message: 'instanceUrl must be an https URL' }],
      }),
    );
    await settle();
    expect(element().querySelector('nx-problem-notice')!.textContent).toContain(
      'instanceUrl must be an https URL',
    );
    expect(errors()).toEqual(['instanceUrl must be an https URL']);
  });

  it('is read-only when the environment sets the connection, and can still be tested', async () => {
    await open(connectionView({ source: 'environment' }));
    expect(element().querySelector('[data-source="environment"]')!.textContent).toContain('SERVICENOW_*');
    expect(input('Instance URL').disabled).toBe(true);
    expect(input('Client secret').disabled).toBe(true);
    expect(input('Client secret').value).toBe('');
    expect(element().textContent).not.toContain('leave empty to keep it');
    expect(queryByText('button', 'Save', element())).toBeNull();
    expect(queryByText('button', 'Reset mapping to defaults', element())).toBeNull();

    click(byText('button', 'Test connection', element()));
    await settle();
    backend.expectOne({ method: 'POST', url: `${URL}/test` }).flush(testResult({ ok: true, steps: [] }));
    await settle();
  });

  it('turns read-only when a save is refused because the environment took over', async () => {
    await open();
    (await save()).flush(
      ...problemAnswer(409, 'INTEGRATION_MANAGED_BY_ENVIRONMENT', 'Set by SERVICENOW_* variables.'),
    );
    await settle();
    expect(element().querySelector('nx-problem-notice')!.textContent).toContain(
      'Set by SERVICENOW_* variables.',
    );

    backend.expectOne({ method: 'GET', url: URL }).flush(connectionView({ source: 'environment' }));
    await settle();
    expect(input('Instance URL').disabled).toBe(true);
    expect(queryByText('button', 'Save', element())).toBeNull();
  });

  it("shows each test step passed or failed, with the instance's own error text and duration", async () => {
    await open();
    click(byText('button', 'Test connection', element()));
    await settle();
    expect(byText('button', 'Testing…', element()).hasAttribute('disabled')).toBe(true);
    backend.expectOne({ method: 'POST', url: `${URL}/test` }).flush(testResult());
    await settle();

    const steps = Array.from(element().querySelectorAll<HTMLElement>('li[data-step]'));
    expect(steps.map((s) => [s.dataset['step'], s.dataset['ok']])).toEqual([
      ['token', 'true'],
      ['read', 'true'],
      ['write', 'false'],
      ['webhook_secret', 'false'],
    ]);
    const write = steps[2]!;
    expect(write.textContent).toContain('Write permission');
    expect(write.textContent).toContain('Failed');
    expect(write.textContent).toContain('130 ms');
    expect(write.textContent).toContain('Operation Failed: ACL restricts the record: incident');
    expect(steps[0]!.textContent).toContain('Passed');
    expect(element().querySelector('nx-servicenow-test-steps .summary')!.textContent).toContain(
      '2 of 4 steps failed.',
    );
  });

  it('shows a test that could not run as a problem', async () => {
    await open();
    click(byText('button', 'Test connection', element()));
    await settle();
    backend
      .expectOne({ method: 'POST', url: `${URL}/test` })
      .flush(...problemAnswer(503, 'SERVICENOW_UNAVAILABLE', 'The instance did not answer.'));
    await settle();
    expect(element().querySelector('.test nx-problem-notice')!.textContent).toContain(
      'The instance did not answer.',
    );
  });

  it('shows health, the conflict policy and the Slack section', async () => {
    await open();
    const health = element().querySelector('nx-servicenow-health')!;
    expect(health.querySelector('[data-circuit="closed"]')!.textContent).toContain('Closed');
    expect(health.textContent).toContain('2 min'); // the reconciliation lag, 95 s
    const create = health.querySelector('tr[data-operation="incident.create"]')!;
    expect(Array.from(create.querySelectorAll('td')).map((td) => td.textContent.trim())).toEqual([
      '120',
      '2',
      '84 ms',
      '310 ms',
      expect.stringContaining('Close notes are mandatory'),
    ]);
    expect(health.querySelector('.errors')!.textContent).toContain('HTTP 403');
    expect(health.querySelector('.failed a')!.getAttribute('href')).toBe(
      '/admin/deliveries?consumer=servicenow&status=failed',
    );

    const policy = element().querySelector('nx-servicenow-conflict-policy')!;
    expect(
      Array.from(policy.querySelectorAll('tbody tr')).map((tr) =>
        Array.from(tr.children).map((cell) => cell.textContent.trim()),
      ),
    ).toEqual([
      ['title', 'short_description', 'Last writer'],
      ['state', 'state', 'Nexecute'],
      ['assignmentGroup', 'assignment_group', 'ServiceNow'],
    ]);

    const slack = element().querySelector('section[aria-labelledby="slack-heading"]')!;
    expect(slack.querySelector('nx-slack-connection-status')!.textContent).toContain('Acme');
    expect(slack.querySelector('nx-slack-routing-rules')!.textContent).toContain('Major incidents');
  });

  it('shows why the connection could not be loaded', async () => {
    fixture = TestBed.createComponent(IntegrationSettings);
    await settle();
    backend.expectOne(URL).flush(...problemAnswer(403, 'AUTH_FORBIDDEN', 'Admins only.'));
    answerSlack();
    await settle();
    expect(element().querySelector('nx-problem-notice')!.textContent).toContain('Admins only.');
    expect(element().querySelector('form')).toBeNull();
  });
});
