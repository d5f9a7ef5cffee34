import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../../config/app-config';
import { RequestContext } from './request-context';

/** Anything that can carry a credential, wherever it appears in a log object. */
export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'secret',
  'apiKey',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'databaseUrl',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*["set-cookie"]',
  '*["x-api-key"]',
  '*["x-slack-signature"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.databaseUrl',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

/** Structured JSON logs; every line written during a request carries its requestId. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'nexecute-connect' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      mixin: () => {
        const scope = RequestContext.current();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    destination,
  );
}

/** Removes the password from a connection string before it is logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
