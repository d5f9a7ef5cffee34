import { createLogger, redactUrl } from './logger';
import { RequestContext } from './request-context';

function capture(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {
    write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level name, time and service', () => {
    const { lines, logger } = capture();
    logger.info({ incident: 'INC0010001' }, 'acknowledged');
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'nexecute-connect',
      incident: 'INC0010001',
      msg: 'acknowledged',
    });
    expect(typeof lines[0]?.['time']).toBe('string');
  });

  it('redacts credentials wherever they appear', () => {
    const { lines, logger } = capture();
    logger.info({
      authorization: 'Bearer abc.def',
      req: { headers: { authorization: 'Bearer xyz', cookie: 'sid=1', 'x-api-key': 'nx_live_key' } },
      integration: { clientSecret: 'cs', accessToken: 'at', refreshToken: 'rt', password: 'pw', token: 'tk' },
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'abc.def',
      'Bearer xyz',
      'sid=1',
      'nx_live_key',
      '"cs"',
      '"at"',
      '"rt"',
      '"pw"',
      '"tk"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });

  it('stamps the current request id on lines written inside a request scope', async () => {
    const { lines, logger } = capture();
    await RequestContext.run({ requestId: 'req-aaaaaaaa' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.warn('inside');
    });
    logger.warn('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'req-aaaaaaaa' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });
});

describe('redactUrl', () => {
  it('hides the password of a connection string', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/nexecute')).toBe('postgres://app:***@db:5432/nexecute');
    expect(redactUrl('postgres://db/nexecute')).toBe('postgres://db/nexecute');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
