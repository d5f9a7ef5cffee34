import { HttpErrorResponse } from '@angular/common/http';

import { CLIENT_ERROR, Problem, problemFrom, ProblemError } from './problem';

const staleVersion: Problem = {
  type: 'about:blank',
  title: 'Stale version',
  status: 409,
  detail: 'Reload and try again.',
  instance: '/api/incidents/1',
  code: 'INCIDENT_STALE_VERSION',
  requestId: 'req-1',
};

describe('problemFrom', () => {
  it('returns a ProblemError or a plain Problem as it is', () => {
    const error = new ProblemError(staleVersion);
    expect(problemFrom(error)).toBe(error);
    expect(problemFrom(staleVersion)).toBe(staleVersion);
  });

  it('unwraps the cause that resource() keeps for non-Error failures', () => {
    const wrapped = new Error('Resource failed', { cause: staleVersion });
    expect(problemFrom(wrapped)).toBe(staleVersion);
  });

  it('maps a raw HttpErrorResponse', () => {
    const response = new HttpErrorResponse({ status: 0, url: '/api/health/ready' });
    expect(problemFrom(response)).toMatchObject({
      code: 'NETWORK_UNREACHABLE',
      instance: '/api/health/ready',
    });
  });

  it('turns anything else into a CLIENT_ERROR problem', () => {
    expect(problemFrom(new TypeError('x is undefined'))).toMatchObject({
      code: CLIENT_ERROR,
      detail: 'x is undefined',
    });
    expect(problemFrom('boom')).toMatchObject({ code: CLIENT_ERROR });
  });
});
