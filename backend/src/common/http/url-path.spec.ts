import { isUnderPrefix } from './url-path';

describe('isUnderPrefix', () => {
  it.each(['/api', '/api/', '/api/incidents', '/api?x=1', '/api/incidents?q=a'])(
    'counts %s as the API',
    (url) => {
      expect(isUnderPrefix(url, '/api')).toBe(true);
    },
  );

  it.each(['/', '/apiary', '/apiary?x', '/incidents', '/x/api'])('does not count %s', (url) => {
    expect(isUnderPrefix(url, '/api')).toBe(false);
  });
});
