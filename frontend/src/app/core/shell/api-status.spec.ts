import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';

import { problemInterceptor } from '../problem-interceptor';
import { ApiStatus, READINESS_URL, RECHECK_INTERVAL_MS } from './api-status';

describe('ApiStatus', () => {
  let fixture: ComponentFixture<ApiStatus>;
  let backend: HttpTestingController;

  function badge(): HTMLElement {
    return (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>('[role="status"]')!;
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([problemInterceptor])), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ApiStatus);
    fixture.detectChanges();
  });

  afterEach(() => {
    backend.verify();
    vi.useRealTimers();
  });

  it('says it is checking until the readiness probe answers', () => {
    expect(badge().textContent).toContain('Checking API');
    backend.expectOne(READINESS_URL).flush({ status: 'ok' });
  });

  it('shows "API ready" when GET /api/health/ready answers 200', async () => {
    const request = backend.expectOne(READINESS_URL);
    expect(request.request.method).toBe('GET');
    request.flush({ status: 'ok' });
    await fixture.whenStable();

    expect(badge().textContent).toContain('API ready');
    expect(badge().getAttribute('aria-label')).toBe('API status: API ready');
    expect(badge().dataset['state']).toBe('ready');
  });

  it('shows "API unavailable" when the probe answers 503', async () => {
    backend
      .expectOne(READINESS_URL)
      .flush({ status: 'error' }, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();

    expect(badge().textContent).toContain('API unavailable');
    expect(badge().getAttribute('aria-label')).toBe('API status: API unavailable');
    expect(badge().dataset['state']).toBe('unavailable');
  });

  it('shows "API unavailable" when the API cannot be reached at all', async () => {
    backend.expectOne(READINESS_URL).error(new ProgressEvent('error'));
    await fixture.whenStable();

    expect(badge().textContent).toContain('API unavailable');
  });

  it('re-checks periodically and keeps the last answer on screen meanwhile', async () => {
    backend.expectOne(READINESS_URL).flush({ status: 'ok' });
    await fixture.whenStable();

    vi.advanceTimersByTime(RECHECK_INTERVAL_MS);
    fixture.detectChanges();
    const recheck = backend.expectOne(READINESS_URL);
    expect(badge().textContent).toContain('API ready');

    recheck.flush({ status: 'error' }, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();
    expect(badge().textContent).toContain('API unavailable');
  });
});
