import { redactQueryString } from './query-redaction';

describe('redactQueryString', () => {
  it('leaves a URL without a query string alone', () => {
    expect(redactQueryString('/api/incidents/42')).toBe('/api/incidents/42');
    expect(redactQueryString('/api/incidents?')).toBe('/api/incidents?');
  });

  it("redacts an SSO callback's code and state, keeping the parameter names", () => {
    expect(redactQueryString('/api/auth/sso/servicenow/callback?code=abc123&state=xyz')).toBe(
      '/api/auth/sso/servicenow/callback?code=[REDACTED]&state=[REDACTED]',
    );
  });

  it.each([
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'api_key',
    'apikey',
    'apiKey',
    'key',
    'password',
    'secret',
    'client_secret',
    'code_verifier',
    'accessToken',
    'clientSecret',
    'x-api-key',
    'signature',
  ])('redacts %s', (name) => {
    expect(redactQueryString(`/x?${name}=s3cr3t`)).toBe(`/x?${name}=[REDACTED]`);
  });

  it('matches names case-insensitively and percent-encoded', () => {
    expect(redactQueryString('/x?CODE=a&Access_Token=b&%63ode=c')).toBe(
      '/x?CODE=[REDACTED]&Access_Token=[REDACTED]&%63ode=[REDACTED]',
    );
  });

  it('keeps ordinary parameters, their order and empty or valueless ones', () => {
    expect(redactQueryString('/api/incidents?status=new&q=disk%20full&code=9&sort=&flag&limit=50')).toBe(
      '/api/incidents?status=new&q=disk%20full&code=[REDACTED]&sort=&flag&limit=50',
    );
  });

  it('redacts every occurrence of a repeated parameter', () => {
    expect(redactQueryString('/x?token=a&token=b')).toBe('/x?token=[REDACTED]&token=[REDACTED]');
  });

  it('does not mistake names that merely contain a word for credentials', () => {
    expect(redactQueryString('/x?closeCode=resolved&keyword=disk&statement=ok')).toBe(
      '/x?closeCode=resolved&keyword=disk&statement=ok',
    );
  });

  it('copes with malformed percent-encoding and keeps the fragment-free form', () => {
    expect(redactQueryString('/x?%E0%A4%A=1&token=%ZZ')).toBe('/x?%E0%A4%A=1&token=[REDACTED]');
  });
});
