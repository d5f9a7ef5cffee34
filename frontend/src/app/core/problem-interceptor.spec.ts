import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';

import { NETWORK_UNREACHABLE, ProblemError, UNEXPECTED_RESPONSE } from './problem';
import { problemInterceptor } from './problem-interceptor';

describe('problemInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([problemInterceptor])), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
  });

  /** Sends a request, lets `answer` respond, and returns what the caller's error handler receives. */
  async function failureOf(url: string, answer: (backend: HttpTestingController) => void): Promise<unknown> {
    const result = firstValueFrom(http.patch(url, {})).then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error,
    );
    answer(backend);
    return result;
  }

  it('maps an application/problem+json body to a ProblemError with every field', async () => {
    const problem = await failureOf('/api/incidents/42', (b) => {
      b.expectOne('/api/incidents/42').flush(
        {
          type: 'https://nexecute.example/problems/stale-version',
          title: 'Incident was changed by someone else',
          status: 409,
          detail: 'Version 2 is stale; the incident is at version 3.',
          instance: '/api/incidents/42',
          code: 'INCIDENT_STALE_VERSION',
          requestId: 'req-123',
        },
        { status: 409, statusText: 'Conflict', headers: { 'content-type': 'application/problem+json' } },
      );
    });

    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem).toMatchObject({
      type: 'https://nexecute.example/problems/stale-version',
      title: 'Incident was changed by someone else',
      status: 409,
      detail: 'Version 2 is stale; the incident is at version 3.',
      instance: '/api/incidents/42',
      code: 'INCIDENT_STALE_VERSION',
      requestId: 'req-123',
      message: 'Version 2 is stale; the incident is at version 3.',
    });
    expect((problem as ProblemError).errors).toBeUndefined();
  });

  it('keeps well-formed field errors of VALIDATION_FAILED and drops malformed ones', async () => {
    const problem = await failureOf('/api/incidents', (b) => {
      b.expectOne('/api/incidents').flush(
        {
          type: 'about:blank',
          title: 'Validation failed',
          status: 400,
          detail: 'The request body is invalid.',
          instance: '/api/incidents',
          code: 'VALIDATION_FAILED',
          requestId: 'req-9',
          errors: [{ field: 'priority', message: 'must be 1-5' }, { field: 7 }, 'nonsense'],
        },
        { status: 400, statusText: 'Bad Request' },
      );
    });

    expect(problem).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect((problem as ProblemError).errors).toEqual([{ field: 'priority', message: 'must be 1-5' }]);
  });

  it('maps a network failure to NETWORK_UNREACHABLE with status 0', async () => {
    const problem = await failureOf('/api/incidents/7', (b) => {
      b.expectOne('/api/incidents/7').error(new ProgressEvent('error'));
    });

    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem).toMatchObject({
      code: NETWORK_UNREACHABLE,
      status: 0,
      title: 'API unreachable',
      instance: '/api/incidents/7',
    });
  });

  it('maps an error without problem details (e.g. a proxy page) to UNEXPECTED_RESPONSE', async () => {
    const problem = await failureOf('/api/incidents', (b) => {
      b.expectOne('/api/incidents').flush('<html>502 Bad Gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'x-request-id': 'req-from-header' },
      });
    });

    expect(problem).toMatchObject({
      code: UNEXPECTED_RESPONSE,
      status: 502,
      instance: '/api/incidents',
      requestId: 'req-from-header',
    });
  });

  it('keeps the violations of AUTH_PASSWORD_POLICY and the wait of a 429', async () => {
    const policy = await failureOf('/api/auth/password', (b) => {
      b.expectOne('/api/auth/password').flush(
        {
          type: 'about:blank',
          title: 'Password policy',
          status: 422,
          detail: 'The password breaks the policy.',
          code: 'AUTH_PASSWORD_POLICY',
          violations: ['at least 12 characters', 42],
        },
        { status: 422, statusText: 'Unprocessable Entity' },
      );
    });
    expect((policy as ProblemError).violations).toEqual(['at least 12 characters']);

    const locked = await failureOf('/api/auth/login', (b) => {
      b.expectOne('/api/auth/login').flush(
        {
          title: 'Locked',
          status: 429,
          detail: 'Locked.',
          code: 'AUTH_ACCOUNT_LOCKED',
          retryAfterSeconds: 120,
        },
        { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '999' } },
      );
    });
    expect((locked as ProblemError).retryAfterSeconds).toBe(120);

    const limited = await failureOf('/api/auth/login', (b) => {
      b.expectOne('/api/auth/login').flush(
        { title: 'Slow down', status: 429, detail: 'Slow down.', code: 'AUTH_RATE_LIMITED' },
        { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '30' } },
      );
    });
    expect((limited as ProblemError).retryAfterSeconds).toBe(30);
  });

  it('lets successful responses through untouched', async () => {
    const response = firstValueFrom(http.get<{ ok: boolean }>('/api/thing'));
    backend.expectOne('/api/thing').flush({ ok: true });
    await expect(response).resolves.toEqual({ ok: true });
  });
});
