import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { Logger } from 'pino';

/** Nest's per-module and per-route start-up lines: useful when debugging, noise otherwise. */
const BOOT_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController']);

/** Routes Nest's own logging (and every `new Logger(Context)`) into the one pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && BOOT_CHATTER.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    // Nest passes (message, stack, context); keep the stack as its own field.
    const [stack, context] = params;
    if (typeof stack === 'string' && stack.includes('\n')) {
      this.logger.error({ context, stack }, String(message));
      return;
    }
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  setLogLevels(levels: NestLogLevel[]): void {
    // The level comes from LOG_LEVEL; Nest's list form is not used.
    void levels;
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    params: unknown[],
  ): void {
    const context = params.length > 0 ? params[params.length - 1] : undefined;
    if (message !== null && typeof message === 'object') {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
