import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { repositoryRoot } from './repository-root';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({
      port: 3000,
      host: '0.0.0.0',
      corsOrigins: [],
      bodyLimitBytes: 1048576,
      trustProxy: false,
      shutdownTimeoutMs: 10000,
    });
    expect(config.database.url).toBeUndefined();
    expect(config.database.runMigrations).toBe(true);
    expect(config.database.poolSize).toBe(10);
    expect(config.database.embedded).toEqual({ dataDir: join(repositoryRoot(), 'data/postgres'), port: 0 });
    expect(config.consoleDir).toBe(join(repositoryRoot(), 'frontend/dist/nexecute-console/browser'));
    expect(config.log.level).toBe('info');
  });

  it('parses numbers, booleans and lists from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_RUN_MIGRATIONS: 'false',
      TRUST_PROXY: 'yes',
      CORS_ORIGINS: 'https://console.example.com, http://localhost:4200',
      DATABASE_URL: 'postgres://app:pw@db:5432/nexecute',
      EMBEDDED_POSTGRES_DIR: '/var/lib/nexecute/pg',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.runMigrations).toBe(false);
    expect(config.http.trustProxy).toBe(true);
    expect(config.http.corsOrigins).toEqual(['https://console.example.com', 'http://localhost:4200']);
    expect(config.database.url).toBe('postgres://app:pw@db:5432/nexecute');
    expect(config.database.embedded.dataDir).toBe('/var/lib/nexecute/pg');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).http.port).toBe(3000);
    expect(loadConfig({ DATABASE_URL: '' }).database.url).toBeUndefined();
  });

  it('names every bad variable and the value it was given', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_POOL_SIZE: '0',
      TRUST_PROXY: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT must be an integer number \(got "eighty"\)$/),
        expect.stringMatching(/^LOG_LEVEL .*\(got "loud"\)$/),
        expect.stringMatching(/^DATABASE_POOL_SIZE .*\(got "0"\)$/),
        expect.stringMatching(/^TRUST_PROXY .*\(got "maybe"\)$/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('rejects a malformed DATABASE_URL without echoing it (it may hold a password)', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problems).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// URL']);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('rejects CORS origins that are not bare http(s) origins', () => {
    expect(problemsOf({ CORS_ORIGINS: 'https://ok.example.com,*' })).toEqual([
      expect.stringContaining('CORS_ORIGINS must list origins'),
    ]);
  });

  it('keeps the analytics time zones as IANA names, duplicates once', () => {
    expect(loadConfig({}).analytics.timeZones).toContain('America/New_York');
    expect(loadConfig({ ANALYTICS_TIME_ZONES: 'UTC, Asia/Kolkata,UTC' }).analytics.timeZones).toEqual([
      'UTC',
      'Asia/Kolkata',
    ]);
    expect(problemsOf({ ANALYTICS_TIME_ZONES: 'UTC,Mars/Olympus_Mons' }).join('\n')).toMatch(
      /ANALYTICS_TIME_ZONES/,
    );
  });

  it('puts every problem in the error message, one per line', () => {
    expect(() => loadConfig({ PORT: '70000', NODE_ENV: 'staging' })).toThrow(
      /Invalid configuration:\n {2}- (NODE_ENV|PORT).*\n {2}- (NODE_ENV|PORT)/,
    );
  });

  describe('auth settings', () => {
    const key = Buffer.alloc(32, 1).toString('base64');

    it('defaults to generated development secrets, 15-minute access tokens and no SSO', () => {
      const { auth, publicUrl } = loadConfig({});
      expect(auth.jwtSecret).toBeUndefined();
      expect(auth.encryptionKeys).toBeUndefined();
      expect(auth.localSecretsFile).toBe(join(repositoryRoot(), 'data/local-secrets.json'));
      expect(auth.accessTokenTtlSeconds).toBe(900);
      expect(auth.refreshTokenTtlSeconds).toBe(14 * 86400);
      expect(auth.refreshReuseGraceSeconds).toBe(15);
      expect(auth.cookieSecure).toBe(true);
      expect(auth.bootstrapAdmin).toEqual({ email: 'admin@nexecute.local', password: undefined });
      expect(auth.password.hashCost).toEqual({ memoryKib: 19456, iterations: 2, parallelism: 1 });
      expect(auth.sso).toBeUndefined();
      expect(publicUrl).toBe('http://localhost:3000');
    });

    it('takes a refresh reuse grace window of 0 (off) to 60 seconds', () => {
      expect(loadConfig({ REFRESH_REUSE_GRACE_SECONDS: '0' }).auth.refreshReuseGraceSeconds).toBe(0);
      expect(problemsOf({ REFRESH_REUSE_GRACE_SECONDS: '61' })).toEqual([
        expect.stringContaining('REFRESH_REUSE_GRACE_SECONDS'),
      ]);
    });

    it('keeps a checked user and session for 60 s by default; 0 turns the principal cache off', () => {
      expect(loadConfig({}).auth.principalCacheTtlMs).toBe(60_000);
      expect(loadConfig({ AUTH_PRINCIPAL_CACHE_TTL_MS: '0' }).auth.principalCacheTtlMs).toBe(0);
      expect(problemsOf({ AUTH_PRINCIPAL_CACHE_TTL_MS: '-1' })).toEqual([
        expect.stringContaining('AUTH_PRINCIPAL_CACHE_TTL_MS'),
      ]);
    });

    it('refuses to start in production without JWT_SECRET and ENCRYPTION_KEYS', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
        expect.stringContaining('JWT_SECRET must be set in production'),
        expect.stringContaining('ENCRYPTION_KEYS must be set in production'),
      ]);
      expect(() =>
        loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEYS: `k1:${key}` }),
      ).not.toThrow();
    });

    it('never echoes secrets in a validation message', () => {
      const problems = problemsOf({
        JWT_SECRET: 'short-secret-hunter2',
        ENCRYPTION_KEYS: 'k1:hunter2',
        ADMIN_EMAIL: 'not-an-email',
      });
      expect(problems).toHaveLength(3);
      expect(problems.join()).not.toContain('hunter2');
      expect(problems.join()).toContain('not-an-email');
    });

    it('derives ServiceNow endpoints from SSO_BASE_URL', () => {
      const { auth } = loadConfig({
        SSO_PROVIDER: 'servicenow',
        SSO_BASE_URL: 'https://acme.service-now.com',
        SSO_CLIENT_ID: 'id',
        SSO_CLIENT_SECRET: 'secret',
        PUBLIC_URL: 'https://nexecute.acme.com/',
      });
      expect(auth.sso).toMatchObject({
        id: 'servicenow',
        authorizationUrl: 'https://acme.service-now.com/oauth_auth.do',
        tokenUrl: 'https://acme.service-now.com/oauth_token.do',
        userInfoUrl: expect.stringMatching(/^https:\/\/acme\.service-now\.com\/api\/now\/table\/sys_user\?/),
        pkce: true,
        defaultRole: 'viewer',
        profile: { subject: 'result.0.sys_id', email: 'result.0.email', name: 'result.0.name' },
      });
    });

    it('names what a half-configured SSO provider lacks', () => {
      expect(problemsOf({ SSO_PROVIDER: 'generic' })).toEqual([
        'SSO_CLIENT_ID must be set when SSO_PROVIDER is generic',
        'SSO_AUTHORIZATION_URL must be set when SSO_PROVIDER is generic',
        'SSO_TOKEN_URL must be set when SSO_PROVIDER is generic',
        'SSO_USERINFO_URL must be set when SSO_PROVIDER is generic',
      ]);
      expect(
        problemsOf({ SSO_PROVIDER: 'servicenow', SSO_CLIENT_ID: 'x', SSO_DEFAULT_ROLE: 'root' }),
      ).toEqual([expect.stringContaining('SSO_DEFAULT_ROLE')]);
    });
  });

  describe('delivery worker settings', () => {
    it('recovers a crashed worker within half a minute by default', () => {
      expect(loadConfig({}).deliveries).toEqual({
        workerEnabled: true,
        concurrency: 4,
        pollIntervalMs: 2000,
        heartbeatMs: 5000,
        staleAfterMs: 20000,
        stalledAfterMs: 120000,
      });
    });

    it('refuses a staleness shorter than two heartbeats (a live pool would be swept)', () => {
      expect(
        problemsOf({ DELIVERY_WORKER_HEARTBEAT_MS: '5000', DELIVERY_WORKER_STALE_AFTER_MS: '8000' }),
      ).toEqual([
        'DELIVERY_WORKER_STALE_AFTER_MS must be at least twice DELIVERY_WORKER_HEARTBEAT_MS (got 8000 and 5000)',
      ]);
    });
  });

  describe('ServiceNow settings', () => {
    const connection = {
      SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
      SERVICENOW_CLIENT_ID: 'client',
      SERVICENOW_CLIENT_SECRET: 'client-secret',
    };

    it('has no environment connection, bounded retries and a 10 s timeout by default', () => {
      expect(loadConfig({}).servicenow).toEqual({
        environment: undefined,
        timeoutMs: 10000,
        retryBudgetMs: 30000,
        maxRetries: 5,
        circuitFailures: 5,
        circuitHalfOpenMs: 30000,
        callRetentionDays: 7,
      });
    });

    it('takes the connection from the environment, with the password grant when a username is set', () => {
      const config = loadConfig({
        ...connection,
        SERVICENOW_USERNAME: 'integration',
        SERVICENOW_PASSWORD: 'pw',
        SERVICENOW_WEBHOOK_SECRET: 'a-webhook-secret-of-16+',
        SERVICENOW_DEFAULT_ASSIGNMENT_GROUP: 'Service Desk',
        SERVICENOW_ASSIGNMENT_GROUPS:
          'Network Operations=287ebd7da9fe198100f92cc8d1d2154e, Service Desk = d625dccec0a8016700a222a0f7900d06',
        SERVICENOW_TIMEOUT_MS: '5000',
      });
      expect(config.servicenow.environment).toEqual({
        instanceUrl: 'https://acme.service-now.com',
        grant: 'password',
        clientId: 'client',
        clientSecret: 'client-secret',
        username: 'integration',
        password: 'pw',
        webhookSecret: 'a-webhook-secret-of-16+',
        defaultAssignmentGroup: 'Service Desk',
        assignmentGroups: {
          'Network Operations': '287ebd7da9fe198100f92cc8d1d2154e',
          'Service Desk': 'd625dccec0a8016700a222a0f7900d06',
        },
      });
      expect(config.servicenow.timeoutMs).toBe(5000);
      expect(loadConfig(connection).servicenow.environment?.grant).toBe('client_credentials');
      expect(loadConfig(connection).servicenow.environment?.assignmentGroups).toEqual({});
    });

    it('refuses SERVICENOW_ASSIGNMENT_GROUPS that are not "name=sys_id" pairs', () => {
      for (const value of ['Service Desk', 'Service Desk=desk', 'A=287ebd7da9fe198100f92cc8d1d2154e,B']) {
        expect(problemsOf({ ...connection, SERVICENOW_ASSIGNMENT_GROUPS: value })).toEqual([
          expect.stringContaining('SERVICENOW_ASSIGNMENT_GROUPS must be "group name=sys_id" pairs'),
        ]);
      }
    });

    it('names what an environment connection lacks, never echoing secrets', () => {
      expect(
        problemsOf({ SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com', SERVICENOW_GRANT: 'password' }),
      ).toEqual([
        'SERVICENOW_CLIENT_ID must be set when SERVICENOW_INSTANCE_URL is',
        'SERVICENOW_CLIENT_SECRET must be set when SERVICENOW_INSTANCE_URL is',
        'SERVICENOW_USERNAME must be set when SERVICENOW_GRANT is password',
        'SERVICENOW_PASSWORD must be set when SERVICENOW_GRANT is password',
      ]);
      expect(problemsOf({ SERVICENOW_CLIENT_ID: 'x', SERVICENOW_PASSWORD: 'hunter2' })).toEqual([
        'SERVICENOW_INSTANCE_URL must be set when SERVICENOW_CLIENT_ID, SERVICENOW_PASSWORD are',
      ]);
      const problems = problemsOf({ ...connection, SERVICENOW_WEBHOOK_SECRET: 'short-hunter2' });
      expect(problems).toEqual(['SERVICENOW_WEBHOOK_SECRET must be at least 16 characters']);
      expect(problemsOf({ SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com/path' })).toEqual([
        expect.stringMatching(/^SERVICENOW_INSTANCE_URL must be an instance URL/),
      ]);
    });
  });
});
