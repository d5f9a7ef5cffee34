import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id';

const withHeader = (value: string | undefined): IncomingMessage =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

describe('requestIdFor', () => {
  it("keeps a caller's well-formed id", () => {
    expect(requestIdFor(withHeader('lb-7f3a9c21:0001'))).toBe('lb-7f3a9c21:0001');
  });

  it('mints a UUID when the header is missing, too short, too long or unsafe to log', () => {
    for (const bad of [undefined, 'short', 'x'.repeat(129), 'abc def ghi', 'id\ninjected-log-line']) {
      expect(requestIdFor(withHeader(bad))).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
