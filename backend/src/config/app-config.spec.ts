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

  it('puts every problem in the error message, one per line', () => {
    expect(() => loadConfig({ PORT: '70000', NODE_ENV: 'staging' })).toThrow(
      /Invalid configuration:\n {2}- (NODE_ENV|PORT).*\n {2}- (NODE_ENV|PORT)/,
    );
  });
});
