import { probeVerdict } from './database-availability';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('probeVerdict', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    [
      'a server shutting down (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection that died', new Error('Connection terminated unexpectedly')],
    ['an authentication failure', withCode('28P01', 'password authentication failed')],
  ])('calls %s gone: an outage at once', (_name, error) => {
    expect(probeVerdict(error)).toBe('gone');
  });

  it.each([
    ['pg giving up on the connect', new Error('Connection terminated due to connection timeout')],
    ['an older pg giving up on the connect', new Error('timeout expired')],
  ])('calls %s silent: an outage only when repeated', (_name, error) => {
    expect(probeVerdict(error)).toBe('silent');
  });

  it('calls "too many clients" saturated: the server answered, so not an outage', () => {
    expect(probeVerdict(withCode('53300', 'sorry, too many clients already'))).toBe('saturated');
  });
});
