import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { problemAnswer, settle } from '../../../../testing/incident-fixtures';
import { healthView } from '../../../../testing/servicenow-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { formatLag, HEALTH_REFRESH_MS, IMPORT_REFRESH_MS, ServiceNowHealth } from './servicenow-health';

const HEALTH_URL = '/api/integrations/servicenow/health';

describe('ServiceNowHealth', () => {
  let fixture: ComponentFixture<ServiceNowHealth>;
  let backend: HttpTestingController;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ServiceNowHealth);
    await settle();
  });

  afterEach(() => {
    fixture.destroy();
    backend.verify();
    vi.useRealTimers();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  it('says it is loading until the first answer', () => {
    expect(element().textContent).toContain("Loading the connection's health…");
    backend.expectOne(HEALTH_URL).flush(healthView());
  });

  it('refreshes every 15 s, keeping the last answer on screen meanwhile and after a failure', async () => {
    backend.expectOne(HEALTH_URL).flush(healthView({ pendingSyncs: 3 }));
    await settle();
    expect(element().querySelector('.pending')!.textContent.trim()).toBe('3');

    vi.advanceTimersByTime(HEALTH_REFRESH_MS);
    await settle();
    const refresh = backend.expectOne(HEALTH_URL);
    expect(element().querySelector('.pending')!.textContent.trim()).toBe('3');
    refresh.flush(healthView({ pendingSyncs: 0, circuit: 'open' }));
    await settle();
    expect(element().querySelector('.pending')!.textContent.trim()).toBe('0');
    expect(element().querySelector('[data-circuit="open"]')!.textContent).toContain('calls paused');

    vi.advanceTimersByTime(HEALTH_REFRESH_MS);
    await settle();
    backend
      .expectOne(HEALTH_URL)
      .flush(...problemAnswer(503, 'SERVICE_UNAVAILABLE', 'Database unavailable.'));
    await settle();
    expect(element().querySelector('nx-problem-notice')!.textContent).toContain('Database unavailable.');
    expect(element().querySelector('.pending')!.textContent.trim()).toBe('0');
  });

  it('shows deliberate empty states when nothing has happened yet', async () => {
    backend.expectOne(HEALTH_URL).flush(
      healthView({
        calls: [],
        recentErrors: [],
        tokenExpiresAt: null,
        lastWebhookAt: null,
        lastReconciliationAt: null,
        reconciliationLagSeconds: null,
        pendingSyncs: 0,
        failedSyncs: 0,
      }),
    );
    await settle();
    const text = element().textContent;
    expect(text).toContain('No calls to the instance yet.');
    expect(text).toContain('No recent errors.');
    expect(text).toContain('No token yet');
    expect(element().querySelector('.failed a')).toBeNull();
  });

  it('warns when the refresh token ends within a week', async () => {
    backend
      .expectOne(HEALTH_URL)
      .flush(healthView({ refreshTokenExpiresAt: new Date(Date.now() + 3600_000).toISOString() }));
    await settle();
    expect(element().textContent).toContain('the configured grant runs again then');
  });

  it("shows the first import's progress bar while it runs, following it every 3 s, then its outcome", async () => {
    const started = { startedAt: '2026-12-04T09:10:00.000Z', finishedAt: null, lastError: null };
    backend
      .expectOne(HEALTH_URL)
      .flush(healthView({ firstImport: { state: 'running', imported: 0, total: null, ...started } }));
    await settle();
    const section = () => element().querySelector<HTMLElement>('.first-import')!;
    expect(section().dataset['state']).toBe('running');
    expect(section().querySelector('mat-progress-bar')!.getAttribute('mode')).toBe('indeterminate');
    expect(section().querySelector('.progress-text')!.textContent.trim()).toBe('0 open incidents imported');

    vi.advanceTimersByTime(IMPORT_REFRESH_MS);
    await settle();
    backend
      .expectOne(HEALTH_URL)
      .flush(healthView({ firstImport: { state: 'running', imported: 120, total: 250, ...started } }));
    await settle();
    const bar = section().querySelector('mat-progress-bar')!;
    expect(bar.getAttribute('mode')).toBe('determinate');
    expect(bar.getAttribute('aria-valuenow')).toBe('48');
    expect(section().querySelector('.progress-text')!.textContent.trim()).toBe(
      '120 of 250 open incidents imported (48 %)',
    );

    vi.advanceTimersByTime(IMPORT_REFRESH_MS);
    await settle();
    backend.expectOne(HEALTH_URL).flush(
      healthView({
        firstImport: {
          state: 'failed',
          imported: 200,
          total: 250,
          ...started,
          lastError: 'ServiceNow incident.list 500: Transaction cancelled: maximum execution time exceeded',
        },
      }),
    );
    await settle();
    expect(section().dataset['state']).toBe('failed');
    expect(section().querySelector('mat-progress-bar')).toBeNull();
    expect(section().textContent).toContain('Stopped after 200 of 250 open incidents imported (80 %)');
    expect(section().textContent).toContain('maximum execution time exceeded');

    // Not running: no more fast refreshes.
    vi.advanceTimersByTime(IMPORT_REFRESH_MS);
    await settle();
    backend.expectNone(HEALTH_URL);
  });

  it('says when the first import is done, and shows nothing of it when the answer has none', async () => {
    backend.expectOne(HEALTH_URL).flush(
      healthView({
        firstImport: {
          state: 'done',
          imported: 251,
          total: 250,
          startedAt: '2026-12-04T09:10:00.000Z',
          finishedAt: '2026-12-04T09:10:42.000Z',
          lastError: null,
        },
      }),
    );
    await settle();
    expect(element().querySelector('.first-import .done')!.textContent).toContain(
      'Done: 251 incidents imported',
    );

    vi.advanceTimersByTime(HEALTH_REFRESH_MS);
    await settle();
    backend.expectOne(HEALTH_URL).flush(healthView({ firstImport: null }));
    await settle();
    expect(element().querySelector('.first-import')).toBeNull();
  });

  it('formats the reconciliation lag', () => {
    expect(formatLag(42)).toBe('42 s');
    expect(formatLag(95)).toBe('2 min');
    expect(formatLag(3 * 3600 + 300)).toBe('3 h 5 min');
    expect(formatLag(7200)).toBe('2 h');
    backend.expectOne(HEALTH_URL).flush(healthView());
  });
});
