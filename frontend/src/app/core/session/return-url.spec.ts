import { safeReturnUrl } from './return-url';

describe('safeReturnUrl', () => {
  it.each(['/feed', '/admin/users?search=ann&page=2', '/incidents/42#notes', '/'])(
    'keeps the console path %s',
    (url) => {
      expect(safeReturnUrl(url)).toBe(url);
    },
  );

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['absolute URL', 'https://evil.example/feed'],
    ['protocol-relative', '//evil.example/feed'],
    ['backslash trick', '/\\evil.example'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['relative path', 'feed'],
    ['control character', '/feed\n//evil.example'],
    ['tab', '/\t/evil.example'],
    ['the login page', '/login'],
    ['the login page with a query', '/login?returnUrl=%2Ffeed'],
  ])('rejects %s', (_what, url) => {
    expect(safeReturnUrl(url)).toBeNull();
  });
});
