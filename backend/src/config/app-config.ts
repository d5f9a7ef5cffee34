import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { isAbsolute, resolve } from 'node:path';
import { repositoryRoot } from './repository-root';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * Every setting the backend reads, named exactly as its environment variable so a validation
 * message points at the variable to fix. Defaults here are the documented ones (README table).
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: '$property must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string = undefined;

  @Transform(toInt)
  @Min(1)
  @Max(500)
  @IsInt()
  DATABASE_POOL_SIZE = 10;

  @Transform(toInt)
  @Min(0)
  @IsInt()
  DATABASE_STATEMENT_TIMEOUT_MS = 15000;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_RUN_MIGRATIONS = true;

  @IsString()
  @MinLength(1)
  EMBEDDED_POSTGRES_DIR = 'data/postgres';

  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  EMBEDDED_POSTGRES_PORT = 0;

  @Transform(toList)
  @Matches(/^https?:\/\/[^\s/]+$/, {
    each: true,
    message: '$property must list origins like https://console.example.com',
  })
  CORS_ORIGINS: string[] = [];

  @Transform(toInt)
  @Min(1024)
  @Max(100 * 1024 * 1024)
  @IsInt()
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toBool)
  @IsBoolean()
  TRUST_PROXY = false;

  @Transform(toInt)
  @Min(100)
  @IsInt()
  SHUTDOWN_TIMEOUT_MS = 10000;

  @IsString()
  @MinLength(1)
  CONSOLE_DIR = 'frontend/dist/nexecute-console/browser';
}

/** The validated, typed settings the app is built from. Paths are absolute. */
export interface AppConfig {
  readonly env: EnvironmentVariables['NODE_ENV'];
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly corsOrigins: readonly string[];
    readonly bodyLimitBytes: number;
    readonly trustProxy: boolean;
    readonly shutdownTimeoutMs: number;
  };
  readonly log: { readonly level: LogLevel };
  readonly database: {
    /** Unset means: start the embedded PostgreSQL. */
    readonly url: string | undefined;
    readonly poolSize: number;
    readonly statementTimeoutMs: number;
    readonly runMigrations: boolean;
    readonly embedded: { readonly dataDir: string; readonly port: number };
  };
  readonly consoleDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(
  errors: readonly ValidationError[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return errors.flatMap((e) => {
    const given = env[e.property];
    const shown = e.property === 'DATABASE_URL' || given === undefined ? '' : ` (got "${given}")`;
    return Object.values(e.constraints ?? {}).map((m) => `${m}${shown}`);
  });
}

/** Reads and validates settings; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  // Unset and empty variables both mean "use the default".
  const given = Object.fromEntries(
    Object.keys(new EnvironmentVariables())
      .map((k) => [k, env[k]] as const)
      .filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const vars = plainToInstance(EnvironmentVariables, given, { exposeDefaultValues: true });
  const errors = validateSync(vars, { forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(describe(errors, env));

  const root = repositoryRoot();
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(root, p));
  return {
    env: vars.NODE_ENV,
    http: {
      port: vars.PORT,
      host: vars.HOST,
      corsOrigins: vars.CORS_ORIGINS,
      bodyLimitBytes: vars.BODY_LIMIT_BYTES,
      trustProxy: vars.TRUST_PROXY,
      shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    },
    log: { level: vars.LOG_LEVEL },
    database: {
      url: vars.DATABASE_URL,
      poolSize: vars.DATABASE_POOL_SIZE,
      statementTimeoutMs: vars.DATABASE_STATEMENT_TIMEOUT_MS,
      runMigrations: vars.DATABASE_RUN_MIGRATIONS,
      embedded: { dataDir: absolute(vars.EMBEDDED_POSTGRES_DIR), port: vars.EMBEDDED_POSTGRES_PORT },
    },
    consoleDir: absolute(vars.CONSOLE_DIR),
  };
}

/** Injection token for AppConfig: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');
