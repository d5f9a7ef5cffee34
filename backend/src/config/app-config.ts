import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsTimeZone,
  Matches,
  Max,
  Min,
  MinLength,
  IsUrl,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { isAbsolute, resolve } from 'node:path';
import { ROLES, type Role } from '../common/auth/roles';
import { repositoryRoot } from './repository-root';

export const SERVICENOW_GRANTS = ['password', 'client_credentials'] as const;
export type ServiceNowGrant = (typeof SERVICENOW_GRANTS)[number];

export const DEFAULT_ANALYTICS_TIME_ZONES = [
  'UTC',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
] as const;

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

  @Transform(toInt)
  @Min(100)
  @Max(60000)
  @IsInt()
  DATABASE_CONNECT_TIMEOUT_MS = 1000;

  @Transform(toInt)
  @Min(100)
  @Max(60000)
  @IsInt()
  DATABASE_HEALTH_INTERVAL_MS = 1000;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_RUN_MIGRATIONS = true;

  /** Unset: one instance, live events stay in-process. Set: the Socket.IO adapter fans them out. */
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: '$property must be a redis:// or rediss:// URL' })
  REDIS_URL?: string = undefined;

  /** Prefix of every Redis key and channel the live fan-out uses (one Redis, several deployments). */
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: '$property must be 1-64 letters, digits or : _ . -' })
  REDIS_KEY_PREFIX = 'nexecute:live';

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

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: '$property must be an http(s) URL' })
  PUBLIC_URL?: string = undefined;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: '$property must be at least 32 characters' })
  JWT_SECRET?: string = undefined;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{43,44}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{43,44})*$/, {
    message: '$property must list keys as id:base64-of-32-bytes, comma separated, active first',
  })
  ENCRYPTION_KEYS?: string = undefined;

  @IsString()
  @MinLength(1)
  LOCAL_SECRETS_FILE = 'data/local-secrets.json';

  @Transform(toInt)
  @Min(60)
  @Max(86400)
  @IsInt()
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @Transform(toInt)
  @Min(300)
  @Max(365 * 86400)
  @IsInt()
  REFRESH_TOKEN_TTL_SECONDS = 14 * 86400;

  @Transform(toInt)
  @Min(0)
  @Max(60)
  @IsInt()
  REFRESH_REUSE_GRACE_SECONDS = 15;

  /** How long a request may reuse the user and session it found (docs/auth.md); 0 = read every time. */
  @Transform(toInt)
  @Min(0)
  @Max(600_000)
  @IsInt()
  AUTH_PRINCIPAL_CACHE_TTL_MS = 60_000;

  @Transform(toBool)
  @IsBoolean()
  COOKIE_SECURE = true;

  @IsEmail({}, { message: '$property must be an email address' })
  ADMIN_EMAIL = 'admin@nexecute.local';

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string = undefined;

  @Transform(toInt)
  @Min(8)
  @Max(64)
  @IsInt()
  PASSWORD_MIN_LENGTH = 12;

  @Transform(toInt)
  @Min(1024)
  @Max(1024 * 1024)
  @IsInt()
  PASSWORD_HASH_MEMORY_KIB = 19456;

  @Transform(toInt)
  @Min(1)
  @Max(20)
  @IsInt()
  PASSWORD_HASH_ITERATIONS = 2;

  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  LOGIN_LOCKOUT_SECONDS = 60;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  LOGIN_LOCKOUT_MAX_SECONDS = 3600;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  LOGIN_RATE_LIMIT_PER_IP = 30;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  LOGIN_RATE_LIMIT_PER_ACCOUNT = 10;

  @Transform(toInt)
  @Min(1)
  @IsInt()
  LOGIN_RATE_LIMIT_WINDOW_SECONDS = 60;

  @IsIn(['none', 'servicenow', 'generic'])
  SSO_PROVIDER: 'none' | 'servicenow' | 'generic' = 'none';

  @IsString()
  @MinLength(1)
  SSO_DISPLAY_NAME = 'ServiceNow';

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+$/, {
    message: '$property must be an instance URL like https://acme.service-now.com',
  })
  SSO_BASE_URL?: string = undefined;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: '$property must be a URL' })
  SSO_AUTHORIZATION_URL?: string = undefined;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: '$property must be a URL' })
  SSO_TOKEN_URL?: string = undefined;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: '$property must be a URL' })
  SSO_USERINFO_URL?: string = undefined;

  @IsOptional()
  @IsString()
  SSO_CLIENT_ID?: string = undefined;

  @IsOptional()
  @IsString()
  SSO_CLIENT_SECRET?: string = undefined;

  @IsString()
  SSO_SCOPE = 'useraccount';

  @Transform(toBool)
  @IsBoolean()
  SSO_PKCE = true;

  @Transform(toBool)
  @IsBoolean()
  SSO_AUTO_PROVISION = true;

  @IsIn(ROLES)
  SSO_DEFAULT_ROLE: Role = 'viewer';

  @IsString()
  SSO_PROFILE_SUBJECT_PATH = 'result.0.sys_id';

  @IsString()
  SSO_PROFILE_EMAIL_PATH = 'result.0.email';

  @IsString()
  SSO_PROFILE_NAME_PATH = 'result.0.name';

  @Transform(toBool)
  @IsBoolean()
  DELIVERY_WORKER_ENABLED = true;

  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  DELIVERY_WORKER_CONCURRENCY = 4;

  @Transform(toInt)
  @Min(50)
  @Max(60000)
  @IsInt()
  DELIVERY_WORKER_POLL_INTERVAL_MS = 2000;

  @Transform(toInt)
  @Min(50)
  @Max(60000)
  @IsInt()
  DELIVERY_WORKER_HEARTBEAT_MS = 5000;

  @Transform(toInt)
  @Min(100)
  @Max(3600000)
  @IsInt()
  DELIVERY_WORKER_STALE_AFTER_MS = 20000;

  @Transform(toInt)
  @Min(1000)
  @Max(86400000)
  @IsInt()
  DELIVERY_STALLED_AFTER_MS = 120000;

  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  INBOX_MAX_ATTEMPTS = 8;

  @Transform(toInt)
  @Min(30)
  @Max(3650)
  @IsInt()
  INBOX_RETENTION_DAYS = 30;

  @Transform(toInt)
  @Min(100)
  @Max(3600000)
  @IsInt()
  INBOX_SWEEP_INTERVAL_MS = 5000;

  @Transform(toInt)
  @Min(30)
  @Max(3600)
  @IsInt()
  EVENTS_SIGNATURE_TOLERANCE_SECONDS = 300;

  @Transform(toInt)
  @Min(1)
  @Max(1000000)
  @IsInt()
  EVENTS_DEFAULT_RATE_PER_MINUTE = 6000;

  @Transform(toInt)
  @Min(0)
  @Max(60000)
  @IsInt()
  EVENTS_SOURCE_CACHE_MS = 5000;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+$/, {
    message: '$property must be an instance URL like https://acme.service-now.com',
  })
  SERVICENOW_INSTANCE_URL?: string = undefined;

  @IsOptional()
  @IsString()
  SERVICENOW_CLIENT_ID?: string = undefined;

  @IsOptional()
  @IsString()
  SERVICENOW_CLIENT_SECRET?: string = undefined;

  @IsOptional()
  @IsString()
  SERVICENOW_USERNAME?: string = undefined;

  @IsOptional()
  @IsString()
  SERVICENOW_PASSWORD?: string = undefined;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: '$property must be at least 16 characters' })
  SERVICENOW_WEBHOOK_SECRET?: string = undefined;

  @IsOptional()
  @IsIn(SERVICENOW_GRANTS)
  SERVICENOW_GRANT?: ServiceNowGrant = undefined;

  @IsOptional()
  @IsString()
  SERVICENOW_DEFAULT_ASSIGNMENT_GROUP?: string = undefined;

  /** Our group name → sys_user_group sys_id: `Network Operations=287ebd7d…,Service Desk=d625dcce…`. */
  @IsOptional()
  @Matches(/^\s*$|^[^=,]+=\s*[0-9a-f]{32}(\s*,[^=,]+=\s*[0-9a-f]{32})*\s*$/, {
    message: '$property must be "group name=sys_id" pairs (32 hex characters each) separated by commas',
  })
  SERVICENOW_ASSIGNMENT_GROUPS?: string = undefined;

  @Transform(toInt)
  @Min(100)
  @Max(300000)
  @IsInt()
  SERVICENOW_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @Min(0)
  @Max(600000)
  @IsInt()
  SERVICENOW_RETRY_BUDGET_MS = 30000;

  @Transform(toInt)
  @Min(0)
  @Max(20)
  @IsInt()
  SERVICENOW_MAX_RETRIES = 5;

  @Transform(toInt)
  @Min(1)
  @Max(1000)
  @IsInt()
  SERVICENOW_CIRCUIT_FAILURES = 5;

  @Transform(toInt)
  @Min(100)
  @Max(3600000)
  @IsInt()
  SERVICENOW_CIRCUIT_HALF_OPEN_MS = 30000;

  @Transform(toInt)
  @Min(1)
  @Max(365)
  @IsInt()
  SERVICENOW_CALL_RETENTION_DAYS = 7;
  @Transform(toInt)
  @Min(0)
  @Max(86400000)
  @IsInt()
  SERVICENOW_RECONCILE_INTERVAL_MS = 300000;

  /** How often the analytics views are refreshed (0: only after incident changes). */
  @Transform(toInt)
  @Min(0)
  @Max(86400000)
  @IsInt()
  ANALYTICS_REFRESH_INTERVAL_MS = 60000;

  /** After an incident change, the refresh waits this long so a burst of changes costs one. */
  @Transform(toInt)
  @Min(0)
  @Max(3600000)
  @IsInt()
  ANALYTICS_REFRESH_DEBOUNCE_MS = 5000;

  /** How often open incidents are checked for SLA warnings at 50, 75 and 90 % (0: never). */
  @Transform(toInt)
  @Min(0)
  @Max(3600000)
  @IsInt()
  ANALYTICS_SLA_SCAN_INTERVAL_MS = 60000;

  /**
   * Zones whose day and week buckets are kept pre-aggregated (docs/metrics.md); any other zone is
   * still answered exactly, from the per-incident facts.
   */
  @Transform(toList)
  @IsTimeZone({ each: true, message: 'each of $property must be an IANA time zone such as Europe/Paris' })
  ANALYTICS_TIME_ZONES: string[] = [...DEFAULT_ANALYTICS_TIME_ZONES];

  @IsOptional()
  @IsString()
  @MinLength(16, { message: '$property must be at least 16 characters' })
  SLACK_SIGNING_SECRET?: string = undefined;

  @IsOptional()
  @Matches(/^xox[bpe]-[\w-]+$/, { message: '$property must be a bot token (xoxb-…)' })
  SLACK_BOT_TOKEN?: string = undefined;

  @IsOptional()
  @Matches(/^[CGD][A-Z0-9]{2,}$/, { message: '$property must be a channel ID such as C0123456789' })
  SLACK_DEFAULT_CHANNEL?: string = undefined;

  @IsOptional()
  @Matches(/^https?:\/\/\S+\/$/, { message: '$property must be a URL ending in / (https://slack.com/api/)' })
  SLACK_API_URL?: string = undefined;

  @IsOptional()
  @IsString()
  SLACK_CLIENT_ID?: string = undefined;

  @IsOptional()
  @IsString()
  SLACK_CLIENT_SECRET?: string = undefined;

  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be a URL' })
  SLACK_OAUTH_AUTHORIZE_URL?: string = undefined;

  @Transform(toInt)
  @Min(100)
  @Max(120000)
  @IsInt()
  SLACK_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @Min(0)
  @Max(10000)
  @IsInt()
  SLACK_UPDATE_COALESCE_MS = 2000;

  @Transform(toInt)
  @Min(0)
  @Max(60000)
  @IsInt()
  SLACK_CHANNEL_INTERVAL_MS = 1000;

  @Transform(toInt)
  @Min(0)
  @Max(1000)
  @IsInt()
  LIVE_BATCH_WINDOW_MS = 50;

  @Transform(toBool)
  @IsBoolean()
  LIVE_COMPRESSION = false;

  @Transform(toInt)
  @Min(0)
  @Max(1024 * 1024)
  @IsInt()
  LIVE_COMPRESSION_THRESHOLD_BYTES = 1024;

  @Transform(toInt)
  @Min(1)
  @Max(10000)
  @IsInt()
  LIVE_MAX_MESSAGES_PER_SECOND = 20;

  @Transform(toInt)
  @Min(512)
  @Max(1024 * 1024)
  @IsInt()
  LIVE_MAX_MESSAGE_BYTES = 4096;

  @Transform(toInt)
  @Min(64 * 1024)
  @Max(1024 * 1024 * 1024)
  @IsInt()
  LIVE_MAX_QUEUED_BYTES = 2 * 1024 * 1024;
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
    /** Longest wait for a pooled connection (a free one, or a new one) before answering 503. */
    readonly connectTimeoutMs: number;
    /** How often the database's reachability is checked (and the longest a check may take). */
    readonly healthIntervalMs: number;
    readonly runMigrations: boolean;
    readonly embedded: { readonly dataDir: string; readonly port: number };
  };
  /** Redis, for the live gateway's fan-out across instances only (docs/deploy-multi-instance.md). */
  readonly redis: {
    /** Unset: a single instance; the live gateway keeps broadcasts in memory. */
    readonly url: string | undefined;
    readonly keyPrefix: string;
  };
  readonly consoleDir: string;
  /** Where browsers reach us; SSO callback URLs are built from it. */
  readonly publicUrl: string;
  readonly auth: AuthConfig;
  /** The outbox worker (deliveries/): off means events are still stored and queued, not delivered. */
  readonly deliveries: {
    readonly workerEnabled: boolean;
    readonly concurrency: number;
    readonly pollIntervalMs: number;
    /** How often a worker pool records that it is alive, and sweeps for pools that are not. */
    readonly heartbeatMs: number;
    /** A pool silent this long is gone: its jobs are handed back to the queue. */
    readonly staleAfterMs: number;
    /** A pending or failed delivery whose job has been due this long, untaken, is stalled. */
    readonly stalledAfterMs: number;
  };
  /** The inbox of inbound events (inbox/). */
  readonly inbox: {
    /** Processing attempts of one event before it is `failed` (replayable). */
    readonly maxAttempts: number;
    /** How long received events, and so their idempotency keys, are kept (at least 30 days). */
    readonly retentionDays: number;
    /**
     * How often a worker looks for accepted events that no processing job covers (their instance
     * stopped between storing and dispatching them) and queues them.
     */
    readonly sweepIntervalMs: number;
  };
  /** Webhook producers' endpoints (events/). */
  readonly events: {
    /** Largest |now − X-Nexecute-Timestamp| a signed request may show. */
    readonly signatureToleranceSeconds: number;
    /** A new source's rate limit unless the admin sets one. */
    readonly defaultRatePerMinute: number;
    /** How long an instance trusts a source it has read (changes made on this instance apply at once). */
    readonly sourceCacheMs: number;
  };
  /** The ServiceNow client (servicenow/). */
  readonly servicenow: ServiceNowConfig;
  /** The ServiceNow sync (servicenow/). */
  readonly servicenowSync: {
    /** How often the reconciliation pull runs (0: never). */
    readonly reconcileIntervalMs: number;
  };
  /** The Slack app (slack/); docs/slack.md. */
  readonly slack: SlackConfig;
  /** The /live socket (gateway/); docs/live.md. */
  readonly live: LiveConfig;
  /** Analytics (analytics/); docs/metrics.md. */
  readonly analytics: {
    /** Scheduled refresh of the views (0: never; they still refresh after incident changes). */
    readonly refreshIntervalMs: number;
    /** Delay of the refresh that incident changes ask for (one refresh per burst). */
    readonly refreshDebounceMs: number;
    /** SLA warning scan (0: never). */
    readonly slaScanIntervalMs: number;
    /** Zones with pre-aggregated day and week buckets (ANALYTICS_TIME_ZONES), duplicates removed. */
    readonly timeZones: readonly string[];
  };
}

export interface SlackConfig {
  /** Verifies every request Slack sends (protocols.md §2.1); unset: the Slack endpoints answer 401. */
  readonly signingSecret: string | null;
  /** A single-workspace install's bot token from the environment (instead of the OAuth install). */
  readonly botToken: string | null;
  /** Where cards go when no routing rule matches. */
  readonly defaultChannel: string | null;
  /** The Web API base, ending in `/` (`https://slack.com/api/`; a simulator's in tests and the demo). */
  readonly apiUrl: string;
  /** The OAuth v2 install (both unset: installing from the console is off). */
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  /** Where the browser is sent to approve the install (`https://slack.com/oauth/v2/authorize`). */
  readonly authorizeUrl: string;
  /** Longest one Web API call may take. */
  readonly timeoutMs: number;
  /** Changes to one incident within this window become one `chat.update`. */
  readonly updateCoalesceMs: number;
  /** Least time between two posts to one channel (Slack allows about one a second). */
  readonly channelIntervalMs: number;
}

/** A connection set entirely by SERVICENOW_* variables (headless installs): the console only reads it. */
export interface ServiceNowEnvironmentConnection {
  readonly instanceUrl: string;
  readonly grant: ServiceNowGrant;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly webhookSecret: string | null;
  readonly defaultAssignmentGroup: string | null;
  readonly assignmentGroups: Readonly<Record<string, string>>;
}

/** The /live socket (docs/live.md). */
export interface LiveConfig {
  /** Events of one room that come within this window go in one frame; 0 sends each at once. */
  readonly batchWindowMs: number;
  /**
   * perMessageDeflate for clients that offer it. Off by default: a broadcast frame is encoded once
   * but compressed once per socket, which at hundreds of sockets costs more CPU than the bytes
   * saved are worth (bench/gateway).
   */
  readonly compression: boolean;
  /** With compression on, frames larger than this are compressed. */
  readonly compressionThresholdBytes: number;
  /** Client messages per socket per second before `live.error` LIVE_RATE_LIMITED (5x: disconnected). */
  readonly maxMessagesPerSecond: number;
  /** Largest client message (Socket.IO `maxHttpBufferSize`). */
  readonly maxMessageBytes: number;
  /** A socket with more than this queued and not sent (a client reading too slowly) is cut. */
  readonly maxQueuedBytes: number;
}

export interface ServiceNowConfig {
  /** Set when SERVICENOW_INSTANCE_URL is: the environment owns the connection. */
  readonly environment: ServiceNowEnvironmentConnection | undefined;
  /** Longest one HTTP call to the instance may take. */
  readonly timeoutMs: number;
  /** Longest a call may spend retrying (back-off included) before it reports a transient failure. */
  readonly retryBudgetMs: number;
  readonly maxRetries: number;
  /** Consecutive transient failures (5xx, timeouts, network) that open the circuit. */
  readonly circuitFailures: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  readonly circuitHalfOpenMs: number;
  /** How long per-call statistics are kept. */
  readonly callRetentionDays: number;
}

export interface SsoProviderConfig {
  readonly id: string;
  readonly displayName: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly pkce: boolean;
  readonly autoProvision: boolean;
  readonly defaultRole: Role;
  /** Dotted paths into the user-info JSON, e.g. `result.0.email` for ServiceNow's Table API. */
  readonly profile: { readonly subject: string; readonly email: string; readonly name: string };
}

export interface AuthConfig {
  /** Unset: generated once into `localSecretsFile` (refused in production). */
  readonly jwtSecret: string | undefined;
  readonly encryptionKeys: string | undefined;
  readonly localSecretsFile: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** How long the just-rotated refresh token may be presented again (two tabs) without counting as theft. */
  readonly refreshReuseGraceSeconds: number;
  /**
   * The longest a (user, session) check may be reused between the database's access-change
   * signals; 0 turns the principal cache off (every request reads the user and session).
   */
  readonly principalCacheTtlMs: number;
  readonly cookieSecure: boolean;
  readonly bootstrapAdmin: { readonly email: string; readonly password: string | undefined };
  readonly password: {
    readonly minLength: number;
    readonly hashCost: {
      readonly memoryKib: number;
      readonly iterations: number;
      readonly parallelism: number;
    };
  };
  readonly login: {
    readonly maxFailures: number;
    readonly lockoutSeconds: number;
    readonly lockoutMaxSeconds: number;
    readonly rateLimitPerIp: number;
    readonly rateLimitPerAccount: number;
    readonly rateLimitWindowSeconds: number;
  };
  readonly sso: SsoProviderConfig | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Never echoed in a validation message: they hold credentials. */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'ENCRYPTION_KEYS',
  'ADMIN_PASSWORD',
  'SSO_CLIENT_SECRET',
  'SERVICENOW_CLIENT_SECRET',
  'SERVICENOW_PASSWORD',
  'SERVICENOW_WEBHOOK_SECRET',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_CLIENT_SECRET',
]);

function describe(
  errors: readonly ValidationError[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return errors.flatMap((e) => {
    const given = env[e.property];
    const shown = SECRET_VARIABLES.has(e.property) || given === undefined ? '' : ` (got "${given}")`;
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
  const problems = crossFieldProblems(vars);
  if (problems.length > 0) throw new ConfigError(problems);

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
      connectTimeoutMs: vars.DATABASE_CONNECT_TIMEOUT_MS,
      healthIntervalMs: vars.DATABASE_HEALTH_INTERVAL_MS,
      runMigrations: vars.DATABASE_RUN_MIGRATIONS,
      embedded: { dataDir: absolute(vars.EMBEDDED_POSTGRES_DIR), port: vars.EMBEDDED_POSTGRES_PORT },
    },
    redis: { url: vars.REDIS_URL, keyPrefix: vars.REDIS_KEY_PREFIX },
    consoleDir: absolute(vars.CONSOLE_DIR),
    publicUrl: (vars.PUBLIC_URL ?? `http://localhost:${vars.PORT}`).replace(/\/+$/, ''),
    auth: {
      jwtSecret: vars.JWT_SECRET,
      encryptionKeys: vars.ENCRYPTION_KEYS,
      localSecretsFile: absolute(vars.LOCAL_SECRETS_FILE),
      accessTokenTtlSeconds: vars.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: vars.REFRESH_TOKEN_TTL_SECONDS,
      refreshReuseGraceSeconds: vars.REFRESH_REUSE_GRACE_SECONDS,
      principalCacheTtlMs: vars.AUTH_PRINCIPAL_CACHE_TTL_MS,
      cookieSecure: vars.COOKIE_SECURE,
      bootstrapAdmin: { email: vars.ADMIN_EMAIL, password: vars.ADMIN_PASSWORD },
      password: {
        minLength: vars.PASSWORD_MIN_LENGTH,
        hashCost: {
          memoryKib: vars.PASSWORD_HASH_MEMORY_KIB,
          iterations: vars.PASSWORD_HASH_ITERATIONS,
          parallelism: 1,
        },
      },
      login: {
        maxFailures: vars.LOGIN_MAX_FAILURES,
        lockoutSeconds: vars.LOGIN_LOCKOUT_SECONDS,
        lockoutMaxSeconds: vars.LOGIN_LOCKOUT_MAX_SECONDS,
        rateLimitPerIp: vars.LOGIN_RATE_LIMIT_PER_IP,
        rateLimitPerAccount: vars.LOGIN_RATE_LIMIT_PER_ACCOUNT,
        rateLimitWindowSeconds: vars.LOGIN_RATE_LIMIT_WINDOW_SECONDS,
      },
      sso: ssoProvider(vars),
    },
    deliveries: {
      workerEnabled: vars.DELIVERY_WORKER_ENABLED,
      concurrency: vars.DELIVERY_WORKER_CONCURRENCY,
      pollIntervalMs: vars.DELIVERY_WORKER_POLL_INTERVAL_MS,
      heartbeatMs: vars.DELIVERY_WORKER_HEARTBEAT_MS,
      staleAfterMs: vars.DELIVERY_WORKER_STALE_AFTER_MS,
      stalledAfterMs: vars.DELIVERY_STALLED_AFTER_MS,
    },
    inbox: {
      maxAttempts: vars.INBOX_MAX_ATTEMPTS,
      retentionDays: vars.INBOX_RETENTION_DAYS,
      sweepIntervalMs: vars.INBOX_SWEEP_INTERVAL_MS,
    },
    events: {
      signatureToleranceSeconds: vars.EVENTS_SIGNATURE_TOLERANCE_SECONDS,
      defaultRatePerMinute: vars.EVENTS_DEFAULT_RATE_PER_MINUTE,
      sourceCacheMs: vars.EVENTS_SOURCE_CACHE_MS,
    },
    servicenow: {
      environment: servicenowEnvironment(vars),
      timeoutMs: vars.SERVICENOW_TIMEOUT_MS,
      retryBudgetMs: vars.SERVICENOW_RETRY_BUDGET_MS,
      maxRetries: vars.SERVICENOW_MAX_RETRIES,
      circuitFailures: vars.SERVICENOW_CIRCUIT_FAILURES,
      circuitHalfOpenMs: vars.SERVICENOW_CIRCUIT_HALF_OPEN_MS,
      callRetentionDays: vars.SERVICENOW_CALL_RETENTION_DAYS,
    },
    servicenowSync: { reconcileIntervalMs: vars.SERVICENOW_RECONCILE_INTERVAL_MS },
    analytics: {
      refreshIntervalMs: vars.ANALYTICS_REFRESH_INTERVAL_MS,
      refreshDebounceMs: vars.ANALYTICS_REFRESH_DEBOUNCE_MS,
      slaScanIntervalMs: vars.ANALYTICS_SLA_SCAN_INTERVAL_MS,
      timeZones: [...new Set(vars.ANALYTICS_TIME_ZONES)],
    },
    slack: {
      signingSecret: vars.SLACK_SIGNING_SECRET ?? null,
      botToken: vars.SLACK_BOT_TOKEN ?? null,
      defaultChannel: vars.SLACK_DEFAULT_CHANNEL ?? null,
      apiUrl: vars.SLACK_API_URL ?? 'https://slack.com/api/',
      clientId: vars.SLACK_CLIENT_ID ?? null,
      clientSecret: vars.SLACK_CLIENT_SECRET ?? null,
      authorizeUrl: vars.SLACK_OAUTH_AUTHORIZE_URL ?? 'https://slack.com/oauth/v2/authorize',
      timeoutMs: vars.SLACK_TIMEOUT_MS,
      updateCoalesceMs: vars.SLACK_UPDATE_COALESCE_MS,
      channelIntervalMs: vars.SLACK_CHANNEL_INTERVAL_MS,
    },
    live: {
      batchWindowMs: vars.LIVE_BATCH_WINDOW_MS,
      compression: vars.LIVE_COMPRESSION,
      compressionThresholdBytes: vars.LIVE_COMPRESSION_THRESHOLD_BYTES,
      maxMessagesPerSecond: vars.LIVE_MAX_MESSAGES_PER_SECOND,
      maxMessageBytes: vars.LIVE_MAX_MESSAGE_BYTES,
      maxQueuedBytes: vars.LIVE_MAX_QUEUED_BYTES,
    },
  };
}

/** The grant SERVICENOW_GRANT names, else password when a username is set, else client_credentials. */
function servicenowGrant(vars: EnvironmentVariables): ServiceNowGrant {
  return vars.SERVICENOW_GRANT ?? (vars.SERVICENOW_USERNAME ? 'password' : 'client_credentials');
}

function servicenowEnvironment(vars: EnvironmentVariables): ServiceNowEnvironmentConnection | undefined {
  if (!vars.SERVICENOW_INSTANCE_URL) return undefined;
  return {
    instanceUrl: vars.SERVICENOW_INSTANCE_URL,
    grant: servicenowGrant(vars),
    clientId: vars.SERVICENOW_CLIENT_ID ?? '',
    clientSecret: vars.SERVICENOW_CLIENT_SECRET ?? '',
    username: vars.SERVICENOW_USERNAME ?? null,
    password: vars.SERVICENOW_PASSWORD ?? null,
    webhookSecret: vars.SERVICENOW_WEBHOOK_SECRET ?? null,
    defaultAssignmentGroup: vars.SERVICENOW_DEFAULT_ASSIGNMENT_GROUP ?? null,
    assignmentGroups: parseAssignmentGroups(vars.SERVICENOW_ASSIGNMENT_GROUPS),
  };
}

/** `name=sys_id,…` as a map (the name may hold spaces, not `=` or `,`). */
function parseAssignmentGroups(value: string | undefined): Record<string, string> {
  const groups: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.lastIndexOf('=');
    if (at > 0) groups[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return groups;
}

/** ServiceNow's endpoints, so pointing at an instance is one setting. */
function servicenowEndpoints(base: string): { authorize: string; token: string; userInfo: string } {
  return {
    authorize: `${base}/oauth_auth.do`,
    token: `${base}/oauth_token.do`,
    userInfo: `${base}/api/now/table/sys_user?sysparm_query=sys_id%3Djavascript:gs.getUserID()&sysparm_fields=sys_id,user_name,email,name,first_name,last_name&sysparm_limit=1`,
  };
}

function ssoProvider(vars: EnvironmentVariables): SsoProviderConfig | undefined {
  if (vars.SSO_PROVIDER === 'none') return undefined;
  const preset =
    vars.SSO_PROVIDER === 'servicenow' && vars.SSO_BASE_URL
      ? servicenowEndpoints(vars.SSO_BASE_URL)
      : undefined;
  return {
    id: vars.SSO_PROVIDER,
    displayName: vars.SSO_DISPLAY_NAME,
    authorizationUrl: vars.SSO_AUTHORIZATION_URL ?? preset?.authorize ?? '',
    tokenUrl: vars.SSO_TOKEN_URL ?? preset?.token ?? '',
    userInfoUrl: vars.SSO_USERINFO_URL ?? preset?.userInfo ?? '',
    clientId: vars.SSO_CLIENT_ID ?? '',
    clientSecret: vars.SSO_CLIENT_SECRET ?? '',
    scope: vars.SSO_SCOPE,
    pkce: vars.SSO_PKCE,
    autoProvision: vars.SSO_AUTO_PROVISION,
    defaultRole: vars.SSO_DEFAULT_ROLE,
    profile: {
      subject: vars.SSO_PROFILE_SUBJECT_PATH,
      email: vars.SSO_PROFILE_EMAIL_PATH,
      name: vars.SSO_PROFILE_NAME_PATH,
    },
  };
}

/** Rules that span variables; each message names what to set. Values are not echoed: some are secrets. */
function crossFieldProblems(vars: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (vars.NODE_ENV === 'production') {
    if (!vars.JWT_SECRET) problems.push('JWT_SECRET must be set in production (32+ random characters)');
    if (!vars.ENCRYPTION_KEYS)
      problems.push('ENCRYPTION_KEYS must be set in production (id:base64-of-32-bytes)');
  }
  if (vars.SSO_PROVIDER !== 'none') {
    if (!vars.SSO_CLIENT_ID)
      problems.push(`SSO_CLIENT_ID must be set when SSO_PROVIDER is ${vars.SSO_PROVIDER}`);
    if (!vars.SSO_CLIENT_SECRET && !vars.SSO_PKCE)
      problems.push('SSO_CLIENT_SECRET must be set unless SSO_PKCE is on');
    const preset = vars.SSO_PROVIDER === 'servicenow' && vars.SSO_BASE_URL;
    for (const name of ['SSO_AUTHORIZATION_URL', 'SSO_TOKEN_URL', 'SSO_USERINFO_URL'] as const) {
      if (!vars[name] && !preset) {
        problems.push(
          vars.SSO_PROVIDER === 'servicenow'
            ? `${name} or SSO_BASE_URL must be set when SSO_PROVIDER is servicenow`
            : `${name} must be set when SSO_PROVIDER is generic`,
        );
      }
    }
  }
  if (vars.DELIVERY_WORKER_STALE_AFTER_MS < 2 * vars.DELIVERY_WORKER_HEARTBEAT_MS) {
    // one late beat (a GC pause, a slow query) must not get a live pool's jobs run twice
    problems.push(
      'DELIVERY_WORKER_STALE_AFTER_MS must be at least twice DELIVERY_WORKER_HEARTBEAT_MS ' +
        `(got ${vars.DELIVERY_WORKER_STALE_AFTER_MS} and ${vars.DELIVERY_WORKER_HEARTBEAT_MS})`,
    );
  }
  problems.push(...servicenowProblems(vars));
  return problems;
}

function servicenowProblems(vars: EnvironmentVariables): string[] {
  const connection = [
    'SERVICENOW_CLIENT_ID',
    'SERVICENOW_CLIENT_SECRET',
    'SERVICENOW_USERNAME',
    'SERVICENOW_PASSWORD',
    'SERVICENOW_WEBHOOK_SECRET',
    'SERVICENOW_GRANT',
    'SERVICENOW_DEFAULT_ASSIGNMENT_GROUP',
  ] as const;
  if (!vars.SERVICENOW_INSTANCE_URL) {
    const stray = connection.filter((name) => vars[name] !== undefined);
    return stray.length > 0
      ? [`SERVICENOW_INSTANCE_URL must be set when ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'}`]
      : [];
  }
  const problems: string[] = [];
  const grant = servicenowGrant(vars);
  for (const name of ['SERVICENOW_CLIENT_ID', 'SERVICENOW_CLIENT_SECRET'] as const) {
    if (!vars[name]) problems.push(`${name} must be set when SERVICENOW_INSTANCE_URL is`);
  }
  if (grant === 'password') {
    for (const name of ['SERVICENOW_USERNAME', 'SERVICENOW_PASSWORD'] as const) {
      if (!vars[name]) problems.push(`${name} must be set when SERVICENOW_GRANT is password`);
    }
  }
  return problems;
}

/** Injection token for AppConfig: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');
