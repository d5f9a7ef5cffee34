import {
  ServiceNowSimulator,
  type ServiceNowSimulatorOptions,
} from '../../../test/simulators/servicenow.simulator';
import { TableApiStub } from './table-api-stub';

export const CLIENT = { clientId: 'nexecute-client', clientSecret: 'client-secret-0123456789' } as const;
export const INTEGRATION_USER = {
  userName: 'nexecute.integration',
  password: 'integration-pass-42',
} as const;
export const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';

/** The OAuth simulator plus the Table API stub in front of it, on a clock the test can move. */
export interface TestInstance {
  readonly oauth: ServiceNowSimulator;
  readonly table: TableApiStub;
  /** Base URL: what SERVICENOW_INSTANCE_URL points at. */
  readonly url: string;
  /** Moves the instance's clock (token expiries), not ours. */
  advance(ms: number): void;
  /** Token requests in order, by grant_type. */
  tokenGrants(): string[];
  close(): Promise<void>;
}

export async function startTestInstance(
  options: Partial<ServiceNowSimulatorOptions> = {},
): Promise<TestInstance> {
  let offset = 0;
  const now = () => Date.now() + offset;
  const oauth = await ServiceNowSimulator.start({
    clients: [
      { ...CLIENT, redirectUris: ['http://127.0.0.1/unused'], applicationUser: INTEGRATION_USER.userName },
    ],
    users: [
      {
        sysId: '6816f79cc0a8016401c5a33be04be441',
        userName: INTEGRATION_USER.userName,
        email: 'integration@example.com',
        firstName: 'Nexecute',
        lastName: 'Integration',
        password: INTEGRATION_USER.password,
      },
    ],
    now,
    clientCredentialsGrant: true,
    ...options,
  });
  const table = await TableApiStub.start(oauth, now);
  return {
    oauth,
    table,
    url: table.url,
    advance: (ms) => {
      offset += ms;
    },
    tokenGrants: () =>
      oauth.requests.filter((r) => r.path === '/oauth_token.do').map((r) => r.form?.grant_type ?? '?'),
    close: async () => {
      await table.close();
      await oauth.close();
    },
  };
}

/** SERVICENOW_* variables for a password-grant connection to `instance`, fast resilience settings. */
export function instanceEnv(
  instance: TestInstance,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SERVICENOW_INSTANCE_URL: instance.url,
    SERVICENOW_CLIENT_ID: CLIENT.clientId,
    SERVICENOW_CLIENT_SECRET: CLIENT.clientSecret,
    SERVICENOW_USERNAME: INTEGRATION_USER.userName,
    SERVICENOW_PASSWORD: INTEGRATION_USER.password,
    SERVICENOW_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...FAST_RESILIENCE,
    ...extra,
  };
}

export const FAST_RESILIENCE = {
  SERVICENOW_TIMEOUT_MS: '1000',
  SERVICENOW_RETRY_BUDGET_MS: '6000',
  SERVICENOW_MAX_RETRIES: '5',
  SERVICENOW_CIRCUIT_FAILURES: '3',
  SERVICENOW_CIRCUIT_HALF_OPEN_MS: '400',
  DELIVERY_WORKER_ENABLED: 'false',
} as const;
