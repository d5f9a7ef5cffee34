import { QueryFailedError } from 'typeorm';
import { databaseFailureOf } from './database-failure';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('databaseFailureOf', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['an unknown host', withCode('ENOTFOUND')],
    [
      'a server shutting down (57P01)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', withCode('08006')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
    ['a connect that timed out', new Error('timeout expired')],
  ])('calls %s lost', (_name, error) => {
    expect(databaseFailureOf(error)).toBe('lost');
  });

  it.each([
    ['too many connections (53300)', withCode('53300', 'sorry, too many clients already')],
    ['a statement timeout (57014)', withCode('57014', 'canceling statement due to statement timeout')],
    ['no free pooled connection', new Error('timeout exceeded when trying to connect')],
  ])('calls %s saturated', (_name, error) => {
    expect(databaseFailureOf(error)).toBe('saturated');
  });

  it('looks inside TypeORM query errors and cause chains', () => {
    const driverError = withCode('57P01');
    expect(databaseFailureOf(new QueryFailedError('SELECT 1', [], driverError))).toBe('lost');
    expect(databaseFailureOf(new Error('wrapped', { cause: withCode('ECONNREFUSED') }))).toBe('lost');
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a NUL byte in text (22021)', withCode('22021')],
    ['a plain bug', new TypeError('Cannot read properties of undefined')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves %s alone', (_name, error) => {
    expect(databaseFailureOf(error)).toBeNull();
  });
});
