import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { problemAnswer, settle } from '../../../../testing/incident-fixtures';
import { healthView } from '../../../../testing/servicenow-fixtures';
import { problemInterceptor } from '../../../core/problem-interceptor';
import { formatLag, HEALTH_REFRESH_MS, ServiceNowHealth } from './servicenow-health';

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

  it('formats the reconciliation lag', () => {
    expect(formatLag(42)).toBe('42 s');
    expect(formatLag(95)).toBe('2 min');
    expect(formatLag(3 * 3600 + 300)).toBe('3 h 5 min');
    expect(formatLag(7200)).toBe('2 h');
    backend.expectOne(HEALTH_URL).flush(healthView());
  });
});
