import { CrossSiteCheck, type OriginEvidence } from './cross-site-check';

function request(
  headers: Record<string, string>,
  host = 'nexecute.example.com',
  protocol: 'http' | 'https' = 'https',
): OriginEvidence {
  return { headers, host, protocol };
}

describe('CrossSiteCheck', () => {
  const check = new CrossSiteCheck(['https://console.example.com', 'http://localhost:3000/']);

  it('admits requests with neither Origin nor Sec-Fetch-Site (curl, servers)', () => {
    expect(check.isCrossSite(request({}))).toBe(false);
  });

  it("admits the request's own origin, its default port written or not, in any case", () => {
    expect(check.isCrossSite(request({ origin: 'https://nexecute.example.com' }))).toBe(false);
    expect(check.isCrossSite(request({ origin: 'https://NEXECUTE.example.com:443' }))).toBe(false);
    expect(check.isCrossSite(request({ origin: 'http://127.0.0.1:4200' }, '127.0.0.1:4200', 'http'))).toBe(
      false,
    );
  });

  it('admits trusted origins (PUBLIC_URL, CORS_ORIGINS) whatever Sec-Fetch-Site says', () => {
    expect(
      check.isCrossSite(request({ origin: 'https://console.example.com', 'sec-fetch-site': 'cross-site' })),
    ).toBe(false);
    expect(check.isCrossSite(request({ origin: 'http://localhost:3000' }))).toBe(false);
  });

  it('refuses any other origin, even one claiming same-origin', () => {
    for (const origin of [
      'https://evil.example.net',
      'http://nexecute.example.com', // another scheme is another origin
      'https://nexecute.example.com:8443',
      'https://sub.nexecute.example.com',
      'null',
      'not a url',
    ]) {
      expect(check.isCrossSite(request({ origin, 'sec-fetch-site': 'same-origin' }))).toBe(true);
    }
  });

  it('without Origin, trusts the browser: cross-site and same-site are refused, same-origin and none admitted', () => {
    expect(check.isCrossSite(request({ 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(check.isCrossSite(request({ 'sec-fetch-site': 'same-site' }))).toBe(true);
    expect(check.isCrossSite(request({ 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(check.isCrossSite(request({ 'sec-fetch-site': 'none' }))).toBe(false);
  });

  it('ignores trusted origins that are not URLs', () => {
    expect(() => new CrossSiteCheck(['', 'garbage'])).not.toThrow();
    expect(new CrossSiteCheck(['garbage']).isCrossSite(request({ origin: 'garbage' }))).toBe(true);
  });
});
