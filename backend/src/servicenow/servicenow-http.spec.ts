import { errorTextOf, retryAfterSecondsOf } from './servicenow-http';
import { DEFAULT_MAPPING, mappingOf } from './servicenow-mapping';

describe('retryAfterSecondsOf', () => {
  const now = Date.UTC(2026, 11, 4, 9, 0, 0);
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterSecondsOf(new Headers({ 'Retry-After': '30' }), now)).toBe(30);
    expect(retryAfterSecondsOf(new Headers({ 'Retry-After': 'Fri, 04 Dec 2026 09:00:45 GMT' }), now)).toBe(
      45,
    );
  });

  it('falls back on X-RateLimit-Reset (Unix seconds), and says nothing without either', () => {
    expect(retryAfterSecondsOf(new Headers({ 'X-RateLimit-Reset': String(now / 1000 + 12) }), now)).toBe(12);
    expect(retryAfterSecondsOf(new Headers({ 'X-RateLimit-Reset': String(now / 1000 - 5) }), now)).toBe(0);
    expect(retryAfterSecondsOf(new Headers(), now)).toBeNull();
  });
});

describe('errorTextOf', () => {
  it('joins the Table API envelope’s message and detail', () => {
    expect(errorTextOf({ error: { message: 'Operation Failed', detail: 'ACL' }, status: 'failure' })).toBe(
      'Operation Failed: ACL',
    );
    expect(errorTextOf({ error: { message: 'No Record found', detail: null } })).toBe('No Record found');
  });

  it('joins OAuth’s error and error_description', () => {
    expect(errorTextOf({ error: 'server_error', error_description: 'access_denied' })).toBe(
      'server_error: access_denied',
    );
  });

  it('keeps the words of an HTML outage page, and nothing of other bodies', () => {
    expect(errorTextOf('<html><body><h1>Instance hibernating</h1></body></html>')).toBe(
      'Instance hibernating',
    );
    expect(errorTextOf(null)).toBeNull();
    expect(errorTextOf({ result: [] })).toBeNull();
  });
});

describe('mappingOf', () => {
  it('gives the defaults for nothing stored, and fills keys a partial mapping lacks', () => {
    expect(mappingOf(null)).toEqual(DEFAULT_MAPPING);
    const mapping = mappingOf({ states: { resolved: '16' } });
    expect(mapping.states).toEqual({ ...DEFAULT_MAPPING.states, resolved: '16' });
    expect(mapping.closeCodes).toEqual(DEFAULT_MAPPING.closeCodes);
  });
});
