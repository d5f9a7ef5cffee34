import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { URL, URLSearchParams } from 'node:url';
import { EncodedQueryError, type Row } from './servicenow-encoded-query';
import {
  isJournalElement,
  ServiceNowTables,
  sysIdForName,
  TableWriteRefusal,
  type Actor,
  type CloseCode,
  type DisplayMode,
  type JournalElement,
  type PresentOptions,
  type SysUserRow,
  type TableName,
  type WriteOutcome,
} from './servicenow-tables';
import { ServiceNowWebhookEmitter, type WebhookEmitterOptions } from './servicenow-webhook-emitter';

/**
 * A local stand-in for a ServiceNow instance over real HTTP: the OAuth 2.0 authorization server
 * (`/oauth_auth.do`, `/oauth_token.do`), the Table API on `incident`, `sys_journal_field`,
 * `sys_choice`, `sys_user_group` and `sys_user`, and the business rule that posts signed
 * webhooks to our endpoint. "Sign in with ServiceNow" and the ServiceNow sync both run against it.
 *
 * Behaviour follows docs/protocols.md §1 and the simulator checklist (§3). Where that document
 * marks ServiceNow's behaviour as unverified, the choice is an option here.
 *
 * The real instance shows a login form and an Allow/Deny consent page; the simulator plays a
 * browser user who is already signed in (`signInAs`) and has already decided (`setConsent`).
 * Table rules live in servicenow-tables.ts, queries in servicenow-encoded-query.ts, the
 * webhook sender in servicenow-webhook-emitter.ts.
 */

export interface SimulatedOAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Compared as exact strings, as an Application Registry record does. */
  readonly redirectUris: readonly string[];
  /** `user_name` the client_credentials grant runs as (ServiceNow's "OAuth Application User"). */
  readonly applicationUser?: string;
}

export interface SimulatedServiceNowUser {
  readonly sysId: string;
  readonly userName: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  /** Default true. Inactive users cannot sign in or obtain tokens. */
  readonly active?: boolean;
  /** For the password grant. Default 'password'. */
  readonly password?: string;
}

/**
 * How a bad grant or bad client credentials are refused. `servicenow` is what recorded
 * fixtures show (401 server_error/access_denied); `rfc6749` is the standard
 * invalid_grant/invalid_client, which protocols.md lists as unverified for ServiceNow.
 */
export type GrantErrorStyle = 'servicenow' | 'rfc6749';

export interface ServiceNowSimulatorOptions {
  /** Default: one client, DEFAULT_CLIENT. */
  readonly clients?: readonly SimulatedOAuthClient[];
  /** Default DEFAULT_USERS: the integration user first, then a few ServiceNow people. */
  readonly users?: readonly SimulatedServiceNowUser[];
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 1799: what live instances answer, although the docs say 1800. */
  readonly accessTokenTtlSeconds?: number;
  /** Default 8 640 000 (100 days), the Application Registry default. */
  readonly refreshTokenTtlSeconds?: number;
  /** Default 60. */
  readonly authorizationCodeTtlSeconds?: number;
  /** Test clock in epoch milliseconds. Default Date.now. */
  readonly now?: () => number;
  /** Refuse authorization requests without a code_challenge. Default false (ServiceNow's default). */
  readonly requirePkce?: boolean;
  /** client_credentials is off by default on real instances (Washington DC+ property). Default false. */
  readonly clientCredentialsGrant?: boolean;
  /** Default 'servicenow'. */
  readonly grantErrorStyle?: GrantErrorStyle;
  /** Default 10001: the first incident is INC0010001. */
  readonly firstIncidentNumber?: number;
  /** sys_choice close codes. Default: the base list (protocols.md §1.3). */
  readonly closeCodes?: readonly (string | CloseCode)[];
  /** sys_user_group rows. Default DEFAULT_GROUPS, each with a stable sys_id. */
  readonly groups?: readonly (string | { readonly sysId?: string; readonly name: string })[];
  /** A data policy requiring close_code and close_notes on resolve/close (403 otherwise). Default false. */
  readonly closeFieldsPolicy?: boolean;
  /** glide.invalid_query.returns_no_rows=true: unknown query fields match nothing. Default false (dropped). */
  readonly invalidQueryReturnsNoRows?: boolean;
  /** The business rule calling our webhook; also settable later with configureWebhook(). */
  readonly webhook?: SimulatorWebhookOptions;
  /**
   * Serve `/_simulator/*`, a control surface for a simulator running in another process (the
   * demo): act as ServiceNow people, set faults, go down for a while. No authentication: never
   * on a shared network. Default false.
   */
  readonly controlApi?: boolean;
  /** Keep only this many requests in `requests` (a long-running process). Default: all. */
  readonly maxLoggedRequests?: number;
}

export interface SimulatorWebhookOptions extends WebhookEmitterOptions {
  /** Send references as bare sys_ids instead of {link, value}. Default false (Table API default). */
  readonly excludeReferenceLink?: boolean;
}

/** ServiceNow's rate-limit rules (protocols.md §1.5), counted per window by the test clock. */
export interface RateLimitRule {
  /** Requests allowed per window, all Table API callers together. */
  readonly limit: number;
  /** Default 3600 (the instance's rules are hourly). */
  readonly windowSeconds?: number;
  /** Send Retry-After with the 429. Default true; false mimics 429s that carry only X-RateLimit-Reset. */
  readonly retryAfter?: boolean;
  /** X-RateLimit-Rule value. Default a fixed sys_id. */
  readonly ruleSysId?: string;
}

/** An incident change on the instance, as `onChange` reports it. */
export interface IncidentChange {
  readonly kind: 'created' | 'updated' | 'deleted';
  /** The raw record after the change (only sys_id for a delete). */
  readonly record: Row;
  /** sys_journal_field rows the change added. */
  readonly journal: readonly Row[];
  readonly userName: string;
}

/** A configurable ACL: writes on the Table API answer 403. */
export interface WriteDenial {
  /** Only these user_names are refused; undefined: everyone. */
  readonly users?: readonly string[];
  readonly message?: string;
  readonly detail?: string;
}

export type ConsentDecision = 'allow' | 'deny';

export interface SimulatedFault {
  /** Only requests with this method (e.g. PATCH); others pass untouched and leave `times` alone. */
  readonly method?: string;
  /** Reply with this status instead of handling the request. Omit to only delay. */
  readonly status?: number;
  /** How many requests the fault applies to. Default 1; Infinity for "until clearFaults()". */
  readonly times?: number;
  /** A string is sent as text/html (an instance's outage page); anything else as JSON. */
  readonly body?: unknown;
  readonly retryAfterSeconds?: number;
  /** Real wall-clock delay before answering (the test clock does not move). */
  readonly delayMs?: number;
  /** Destroy the socket without answering: the instance is down or the network dropped. */
  readonly dropConnection?: boolean;
  /** Add X-RateLimit-Limit/Reset/Rule headers (a rate-limit rule's 429). */
  readonly rateLimitHeaders?: boolean;
}

/** A settable clock for tests: pass `now: clock.now` to the simulator. */
export class TestClock {
  private ms: number;

  constructor(start: number | string = '2026-03-01T09:00:00Z') {
    this.ms = typeof start === 'number' ? start : Date.parse(start);
  }

  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }

  set(at: number | string): void {
    this.ms = typeof at === 'number' ? at : Date.parse(at);
  }
}

export const DEFAULT_CLIENT: SimulatedOAuthClient = {
  clientId: 'nexecute-sync',
  clientSecret: 'nexecute-sync-secret',
  redirectUris: ['http://127.0.0.1:3000/api/auth/sso/servicenow/callback'],
  applicationUser: 'nexecute.integration',
};

export const DEFAULT_USERS: readonly SimulatedServiceNowUser[] = [
  {
    sysId: '5137153cc611227c000bbd1bd8cd2005',
    userName: 'nexecute.integration',
    email: 'nexecute.integration@example.com',
    firstName: 'Nexecute',
    lastName: 'Integration',
    password: 'integration-password',
  },
  {
    sysId: '46d44a5dc0a8010e0000b9d8eaf1b87c',
    userName: 'beth.anglin',
    email: 'beth.anglin@example.com',
    firstName: 'Beth',
    lastName: 'Anglin',
  },
  {
    sysId: '62826bf03710200044e0bfc8bcbe5df1',
    userName: 'abel.tuter',
    email: 'abel.tuter@example.com',
    firstName: 'Abel',
    lastName: 'Tuter',
  },
  {
    sysId: '681ccaf9c0a8016400b98a06818d57c7',
    userName: 'fred.luddy',
    email: 'fred.luddy@example.com',
    firstName: 'Fred',
    lastName: 'Luddy',
  },
  {
    sysId: '5137153cc611227c000bbd1bd8cd2007',
    userName: 'david.loo',
    email: 'david.loo@example.com',
    firstName: 'David',
    lastName: 'Loo',
  },
];

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Raw, secrets included: asserting that a client sent its code_verifier is the point. */
  readonly rawBody: string;
  /** Parsed when the body was form-encoded. */
  readonly form: Readonly<Record<string, string>> | undefined;
  /** The status answered, or undefined while pending or when the connection was dropped. */
  readonly status: number | undefined;
}

export interface IssuedToken {
  readonly accessToken: string;
  /** Undefined for client_credentials, which issues no refresh token. */
  readonly refreshToken: string | undefined;
  readonly grantType: 'authorization_code' | 'refresh_token' | 'password' | 'client_credentials';
  readonly clientId: string;
  readonly userName: string;
  readonly scope: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly refreshTokenExpiresAt: number | undefined;
  /** Revoked directly, through its refresh token, or by the reuse of its authorization code. */
  readonly revoked: boolean;
}

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceS256Challenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

type GrantType = IssuedToken['grantType'];

interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly user: SimulatedServiceNowUser;
  readonly scope: string;
  readonly codeChallenge: string | undefined;
  readonly expiresAt: number;
  used: boolean;
  /** Kept so that a replayed code can revoke what it already bought (RFC 6749 §4.1.2). */
  grant: Grant | undefined;
}

/** One sign-in: a refresh token (if any) and every access token minted from it. */
interface Grant {
  readonly refreshToken: string | undefined;
  readonly clientId: string;
  readonly user: SimulatedServiceNowUser;
  readonly scope: string;
  readonly grantType: Exclude<GrantType, 'refresh_token'>;
  refreshExpiresAt: number | undefined;
  revoked: boolean;
}

interface AccessToken {
  readonly token: string;
  readonly grant: Grant;
  readonly grantType: GrantType;
  readonly issuedAt: number;
  expiresAt: number;
}

interface ActiveFault {
  readonly spec: SimulatedFault;
  remaining: number;
}

interface MutableRecordedRequest extends Omit<RecordedRequest, 'status'> {
  status: number | undefined;
}

/** Thrown inside the token endpoint; the dispatcher turns it into the JSON reply. */
class TokenEndpointRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error_description ?? body.error);
  }
}

const DEFAULT_SCOPE = 'useraccount';
const DEFAULT_PASSWORD = 'password';
const MAX_BODY_BYTES = 1024 * 1024;
const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is a base64url SHA-256: 43 characters without padding. */
const PKCE_S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;
const TABLE_API_PATH = /^\/api\/now\/(?:(v1|v2)\/)?table\/([^/]+)(?:\/([^/]+))?$/;
/** protocols.md §1.1: sysparm_limit's default. */
const DEFAULT_LIMIT = 10_000;
const TABLES: readonly TableName[] = [
  'incident',
  'sys_journal_field',
  'sys_choice',
  'sys_user_group',
  'sys_user',
];
const DEFAULT_RATE_LIMIT_RULE = 'd1f5a1a7c0a80a6d00a0a8b8c6ef5b3c';
const NOT_AUTHENTICATED = {
  error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
  status: 'failure',
};

export class ServiceNowSimulator {
  /** Base URL of the simulated instance, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;

  private readonly clients: ReadonlyMap<string, SimulatedOAuthClient>;
  private readonly users: readonly SimulatedServiceNowUser[];
  private readonly now: () => number;
  private readonly tables: ServiceNowTables;
  private accessTtlMs: number;
  private readonly refreshTtlMs: number;
  private readonly codeTtlMs: number;
  private readonly log: MutableRecordedRequest[] = [];
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly grantsByRefreshToken = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly faults = new Map<string, ActiveFault>();
  private readonly pendingDelays = new Set<NodeJS.Timeout>();
  private signedInUser: SimulatedServiceNowUser | undefined;
  private consent: ConsentDecision = 'allow';
  private closed = false;
  private listening = true;
  private webhookEmitter: ServiceNowWebhookEmitter | undefined;
  private aclDenial: (Required<Omit<WriteDenial, 'users'>> & Pick<WriteDenial, 'users'>) | undefined;
  private rateLimitRule: RateLimitRule | undefined;
  private rateWindow = { start: 0, count: 0 };
  private readonly changeListeners = new Set<(change: IncidentChange) => void>();

  private constructor(
    private readonly server: Server,
    private readonly port: number,
    private readonly options: ServiceNowSimulatorOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    const clients = options.clients ?? [DEFAULT_CLIENT];
    for (const client of clients) {
      // A malformed registered URI would otherwise surface as a confusing 500 mid-test.
      for (const uri of client.redirectUris) new URL(uri);
    }
    this.clients = new Map(clients.map((client) => [client.clientId, client]));
    this.users = options.users ?? DEFAULT_USERS;
    this.now = options.now ?? Date.now;
    this.tables = new ServiceNowTables(
      {
        now: this.now,
        users: () => this.users.map(sysUserRow),
        firstIncidentNumber: options.firstIncidentNumber,
        closeCodes: options.closeCodes,
        groups: options.groups,
      },
      () => this.url,
    );
    this.tables.closeFieldsPolicy = options.closeFieldsPolicy ?? false;
    this.tables.invalidQueryReturnsNoRows = options.invalidQueryReturnsNoRows ?? false;
    if (options.webhook !== undefined) this.configureWebhook(options.webhook);
    this.accessTtlMs = (options.accessTokenTtlSeconds ?? 1799) * 1000;
    this.refreshTtlMs = (options.refreshTokenTtlSeconds ?? 8_640_000) * 1000;
    this.codeTtlMs = (options.authorizationCodeTtlSeconds ?? 60) * 1000;
    this.signedInUser = this.users[0];
  }

  static async start(options: ServiceNowSimulatorOptions = {}): Promise<ServiceNowSimulator> {
    const server = createServer();
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const simulator = new ServiceNowSimulator(server, address.port, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => simulator.dispatch(req, res));
    return simulator;
  }

  get authorizeUrl(): string {
    return `${this.url}/oauth_auth.do`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth_token.do`;
  }

  /** Every request received, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  /** The browser user the authorization endpoint acts for. Throws for an unknown user_name. */
  signInAs(userName: string): void {
    this.signedInUser = this.userNamed(userName);
  }

  /** No browser session: /oauth_auth.do answers with its login page instead of redirecting. */
  signOut(): void {
    this.signedInUser = undefined;
  }

  /** What the user clicks on the consent page; stays until changed. */
  setConsent(decision: ConsentDecision): void {
    this.consent = decision;
  }

  /** Every access token issued so far expires now; refresh tokens stay valid. */
  expireAccessTokens(): void {
    const now = this.now();
    for (const token of this.accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
  }

  /**
   * Every refresh token issued so far expires now (the 100-day limit reached, protocols.md §1.4):
   * refresh grants fail until the client re-runs its configured grant. Access tokens stay valid.
   */
  expireRefreshTokens(): void {
    const now = this.now();
    for (const grant of this.grantsByRefreshToken.values()) {
      if (grant.refreshExpiresAt !== undefined)
        grant.refreshExpiresAt = Math.min(grant.refreshExpiresAt, now);
    }
  }

  /** Revokes every access and refresh token issued so far (an admin revoking access). */
  revokeAll(): void {
    for (const token of this.accessTokens.values()) token.grant.revoked = true;
    for (const grant of this.grantsByRefreshToken.values()) grant.revoked = true;
  }

  /**
   * Makes the next `times` requests to `path` (exact pathname, or anything beneath it) misbehave.
   * A new fault for the same path replaces the old one.
   */
  fault(path: string, fault: SimulatedFault): void {
    this.faults.set(path, { spec: fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Snapshot of every access token issued, oldest first. */
  issuedTokens(): IssuedToken[] {
    return [...this.accessTokens.values()].map((token) => ({
      accessToken: token.token,
      refreshToken: token.grant.refreshToken,
      grantType: token.grantType,
      clientId: token.grant.clientId,
      userName: token.grant.user.userName,
      scope: token.grant.scope,
      issuedAt: token.issuedAt,
      expiresAt: token.expiresAt,
      refreshTokenExpiresAt: token.grant.refreshExpiresAt,
      revoked: token.grant.revoked,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.webhookEmitter?.close();
    for (const timer of this.pendingDelays) clearTimeout(timer);
    this.pendingDelays.clear();
    if (this.listening) await this.stopListening();
  }

  // ---- instance switches ---------------------------------------------------------------------

  /**
   * The instance goes down: the listener closes and open connections are reset, so calls fail
   * with ECONNREFUSED until `up()`. (For resets on a live listener, use `fault(path, { dropConnection })`.)
   */
  async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await this.stopListening();
  }

  /** Listens again on the same port, with every record kept. */
  async up(): Promise<void> {
    if (this.listening || this.closed) return;
    await listen(this.server, this.port, this.options.host ?? '127.0.0.1');
    this.listening = true;
  }

  get isUp(): boolean {
    return this.listening;
  }

  /** Token lifetime for access tokens minted from now on (`expires_in`). */
  setAccessTokenTtl(seconds: number): void {
    this.accessTtlMs = seconds * 1000;
  }

  /** Turns the close-field data policy on or off (protocols.md §1.3). */
  setCloseFieldsPolicy(enabled: boolean): void {
    this.tables.closeFieldsPolicy = enabled;
  }

  /** Table API writes answer 403 (an ACL or a business rule aborting), for everyone or some users. */
  denyWrites(denial: WriteDenial = {}): void {
    this.aclDenial = {
      users: denial.users,
      message: denial.message ?? 'Operation Failed',
      detail: denial.detail ?? 'ACL Exception Update Failed due to security constraints',
    };
  }

  allowWrites(): void {
    this.aclDenial = undefined;
  }

  /** A rate-limit rule on every Table API call (X-RateLimit-* headers, 429 past the limit); undefined clears it. */
  setRateLimit(rule: RateLimitRule | undefined): void {
    this.rateLimitRule = rule;
    this.rateWindow = { start: this.now(), count: 0 };
  }

  /** Replaces the sys_choice close codes (value = label for plain strings). */
  setCloseCodes(codes: readonly (string | CloseCode)[]): void {
    this.tables.setCloseCodes(codes);
  }

  /** The active close codes, as sys_choice answers them. */
  closeCodes(): CloseCode[] {
    return this.tables
      .query('sys_choice', 'name=incident^element=close_code^inactive=false^ORDERBYsequence')
      .map((row) => ({ value: row.value ?? '', label: row.label ?? '' }));
  }

  /** The user our product signs in as: the webhook's integrationUser, else the first client's application user. */
  integrationUserName(): string | undefined {
    return this.webhookEmitter?.integrationUser ?? this.defaultIntegrationUser();
  }

  /** user_names of the configured users. */
  userNames(): string[] {
    return this.users.map((user) => user.userName);
  }

  /** Adds a sys_user_group row; returns its sys_id. */
  addGroup(name: string, sysId?: string): string {
    return this.tables.addGroup(name, sysId).sys_id ?? '';
  }

  /** sys_user_group rows. */
  groups(): { sysId: string; name: string }[] {
    return this.tables
      .rows('sys_user_group')
      .map((row) => ({ sysId: row.sys_id ?? '', name: row.name ?? '' }));
  }

  // ---- webhooks ------------------------------------------------------------------------------

  /** Installs the business rule, or changes it (endpoint, secret, emitFor, retries). */
  configureWebhook(
    options: Partial<SimulatorWebhookOptions> & Pick<SimulatorWebhookOptions, 'url' | 'secret'>,
  ): void;
  configureWebhook(options: Partial<SimulatorWebhookOptions>): void;
  configureWebhook(options: Partial<SimulatorWebhookOptions>): void {
    if (this.webhookEmitter !== undefined) {
      this.webhookEmitter.configure(options);
      return;
    }
    if (options.url === undefined || options.secret === undefined) {
      throw new Error('ServiceNowSimulator: the first configureWebhook() needs url and secret');
    }
    this.webhookEmitter = new ServiceNowWebhookEmitter({
      ...options,
      url: options.url,
      secret: options.secret,
      integrationUser: options.integrationUser ?? this.defaultIntegrationUser(),
    });
  }

  /** The webhook sender and its switches (corrupt, stale, duplicate, hold, pause) and log. */
  get webhook(): ServiceNowWebhookEmitter {
    if (this.webhookEmitter === undefined) {
      throw new Error('ServiceNowSimulator: no webhook configured (options.webhook or configureWebhook())');
    }
    return this.webhookEmitter;
  }

  // ---- changes on the ServiceNow side (test and demo helpers) --------------------------------

  /**
   * Calls `listener` after every incident change, whoever made it (Table API or helpers), before
   * any webhook goes out: a bench timestamps arrivals with it. Returns the unsubscribe function.
   */
  onChange(listener: (change: IncidentChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private notify(change: IncidentChange): void {
    for (const listener of this.changeListeners) listener(change);
  }

  /** Creates an incident without firing the business rule (test setup). Returns the raw record. */
  seedIncident(fields: Readonly<Record<string, unknown>> = {}, userName = this.defaultPerson()): Row {
    return this.tables.insertIncident(fields, this.actorFor(userName), false).record;
  }

  /** Creates an incident as a ServiceNow user would, firing the webhook. */
  createAsUser(fields: Readonly<Record<string, unknown>>, userName = this.defaultPerson()): Row {
    const outcome = this.tables.insertIncident(
      fields,
      this.actorFor(userName),
      this.tables.closeFieldsPolicy,
    );
    this.afterWrite(outcome, true, userName);
    return outcome.record;
  }

  /**
   * Changes an incident as a ServiceNow user would (bumps sys_mod_count and sys_updated_on when
   * something changes, appends journal entries, fires the webhook). Throws for an unknown sys_id.
   */
  updateAsUser(
    sysId: string,
    fields: Readonly<Record<string, unknown>>,
    userName = this.defaultPerson(),
  ): Row {
    const outcome = this.tables.updateIncident(
      sysId,
      fields,
      this.actorFor(userName),
      this.tables.closeFieldsPolicy,
    );
    if (outcome === undefined) throw new Error(`ServiceNowSimulator: no incident ${sysId}`);
    this.afterWrite(outcome, false, userName);
    return outcome.record;
  }

  /** Adds a comment or work note as `userName`; returns the sys_journal_field row. */
  addJournal(sysId: string, element: JournalElement, text: string, userName = this.defaultPerson()): Row {
    if (!isJournalElement(element))
      throw new Error(`ServiceNowSimulator: ${String(element)} is no journal field`);
    const outcome = this.tables.updateIncident(sysId, { [element]: text }, this.actorFor(userName), false);
    if (outcome === undefined) throw new Error(`ServiceNowSimulator: no incident ${sysId}`);
    this.afterWrite(outcome, false, userName);
    const entry = outcome.journal[0];
    if (entry === undefined) throw new Error('ServiceNowSimulator: an empty journal entry adds nothing');
    return entry;
  }

  deleteAsUser(sysId: string, userName = this.defaultPerson()): void {
    if (this.tables.deleteIncident(sysId) === undefined)
      throw new Error(`ServiceNowSimulator: no incident ${sysId}`);
    this.afterDelete(sysId, userName);
  }

  /** The stored raw record (journal fields read ""), or undefined. */
  record(sysId: string): Row | undefined {
    const row = this.tables.find('incident', sysId);
    return row === undefined ? undefined : { ...row };
  }

  /** Every incident, in creation order. */
  all(): Row[] {
    return this.tables.rows('incident').map((row) => ({ ...row }));
  }

  /** sys_journal_field rows, oldest first; of one incident when given. */
  journal(sysId?: string): Row[] {
    return (sysId === undefined ? this.tables.rows('sys_journal_field') : this.tables.journalOf(sysId)).map(
      (row) => ({
        ...row,
      }),
    );
  }

  /** The Table API's view of a record (display modes, reference links), as a GET would return it. */
  present(
    sysId: string,
    options: { displayValue?: DisplayMode; excludeReferenceLink?: boolean; fields?: string[] } = {},
  ): Record<string, unknown> | undefined {
    const row = this.tables.find('incident', sysId);
    return row === undefined ? undefined : this.tables.present('incident', row, options);
  }

  /** The client_credentials user of the first client, else the first user. */
  private defaultIntegrationUser(): string | undefined {
    return this.clients.values().next().value?.applicationUser ?? this.users[0]?.userName;
  }

  /** The first configured user other than the integration user: a ServiceNow person. */
  private defaultPerson(): string {
    const integration = this.integrationUserName();
    return (this.users.find((user) => user.userName !== integration) ?? this.users[0])?.userName ?? 'admin';
  }

  private async stopListening(): Promise<void> {
    const closing = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    // fetch keeps connections alive; without this, close() waits for them to idle out.
    this.server.closeAllConnections();
    await closing;
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.sendJson(res, 500, { error: { message: 'Simulator error', detail: message }, status: 'failure' });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', this.url);
    const rawBody = await this.readBody(req);
    const isForm = mediaType(req.headers['content-type']) === 'application/x-www-form-urlencoded';
    const entry: MutableRecordedRequest = {
      at: this.now(),
      method: req.method ?? 'GET',
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: req.headers,
      rawBody: rawBody ?? '',
      form: isForm && rawBody !== undefined ? Object.fromEntries(new URLSearchParams(rawBody)) : undefined,
      status: undefined,
    };
    this.log.push(entry);
    // A long-running demo process keeps only the latest requests.
    if (this.log.length > (this.options.maxLoggedRequests ?? Infinity)) this.log.shift();
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    if (rawBody === undefined) {
      this.sendJson(res, 413, { error: 'invalid_request', error_description: 'request body too large' });
      return;
    }
    if (await this.applyFault(target.pathname, req, res)) return;

    if (target.pathname === '/oauth_auth.do') return this.authorize(req, res, target.searchParams);
    if (target.pathname === '/oauth_token.do') return this.token(req, res, rawBody, isForm);
    const table = TABLE_API_PATH.exec(target.pathname);
    if (table) {
      if (this.applyRateLimit(res)) return;
      return this.tableApi(req, res, table, target.searchParams, rawBody);
    }
    if (this.options.controlApi && target.pathname.startsWith('/_simulator/')) {
      return this.control(req, res, target.pathname.slice('/_simulator/'.length), rawBody);
    }
    this.sendJson(res, 404, {
      error: { message: 'Requested URI does not represent any resource', detail: null },
      status: 'failure',
    });
  }

  /** True when the fault answered (or dropped) the request. */
  private async applyFault(path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const key = [...this.faults.keys()].find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const active = key === undefined ? undefined : this.faults.get(key);
    if (key === undefined || active === undefined) return false;
    if (active.spec.method !== undefined && active.spec.method.toUpperCase() !== (req.method ?? 'GET'))
      return false;
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.delete(key);
    const { spec } = active;
    if (spec.delayMs !== undefined && spec.delayMs > 0) await this.sleep(spec.delayMs);
    if (spec.dropConnection) {
      req.socket.destroy();
      return true;
    }
    if (spec.status === undefined) return false;
    const headers: Record<string, string> = spec.rateLimitHeaders
      ? this.rateLimitHeaders(
          { limit: 500 },
          Math.floor(this.now() / 1000) + (spec.retryAfterSeconds ?? 3600),
        )
      : {};
    if (spec.retryAfterSeconds !== undefined) headers['Retry-After'] = String(spec.retryAfterSeconds);
    if (typeof spec.body === 'string') {
      res.writeHead(spec.status, { ...headers, 'Content-Type': 'text/html;charset=UTF-8' });
      res.end(spec.body);
      return true;
    }
    const body = spec.body ?? {
      error: { message: `Simulated fault ${spec.status}`, detail: null },
      status: 'failure',
    };
    this.sendJson(res, spec.status, body, headers);
    return true;
  }

  /** True when the rate-limit rule answered 429; otherwise its headers are set on the response. */
  private applyRateLimit(res: ServerResponse): boolean {
    const rule = this.rateLimitRule;
    if (rule === undefined) return false;
    const windowMs = (rule.windowSeconds ?? 3600) * 1000;
    const now = this.now();
    if (now >= this.rateWindow.start + windowMs) this.rateWindow = { start: now, count: 0 };
    this.rateWindow.count += 1;
    const resetAt = Math.ceil((this.rateWindow.start + windowMs) / 1000);
    const headers = this.rateLimitHeaders(rule, resetAt);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (this.rateWindow.count <= rule.limit) return false;
    const extra: Record<string, string> =
      rule.retryAfter === false
        ? {}
        : { 'Retry-After': String(Math.max(1, resetAt - Math.floor(now / 1000))) };
    this.sendJson(
      res,
      429,
      {
        error: { message: 'Rate limit exceeded', detail: `Rate limit of ${rule.limit} requests exceeded` },
        status: 'failure',
      },
      extra,
    );
    return true;
  }

  private rateLimitHeaders(rule: RateLimitRule, resetAtSeconds: number): Record<string, string> {
    return {
      'X-RateLimit-Limit': String(rule.limit),
      'X-RateLimit-Reset': String(resetAtSeconds),
      'X-RateLimit-Rule': rule.ruleSysId ?? DEFAULT_RATE_LIMIT_RULE,
    };
  }

  // ---- /_simulator/* (control surface, opt-in) -----------------------------------------------

  private control(req: IncomingMessage, res: ServerResponse, route: string, rawBody: string): void {
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {
      return this.sendFailure(res, 400, 'Control API bodies are JSON objects', null);
    }
    const text = (key: string): string | undefined => (typeof body[key] === 'string' ? body[key] : undefined);
    const fields = (typeof body.fields === 'object' && body.fields !== null ? body.fields : {}) as Record<
      string,
      unknown
    >;
    const [resource, id, sub] = route.split('/');
    try {
      if (resource === 'incidents' && id === undefined && method === 'GET') {
        return this.sendJson(res, 200, { result: this.all() });
      }
      if (resource === 'incidents' && id === undefined && method === 'POST') {
        return this.sendJson(res, 201, { result: this.createAsUser(fields, text('user')) });
      }
      if (resource === 'incidents' && id !== undefined && sub === undefined && method === 'PATCH') {
        return this.sendJson(res, 200, { result: this.updateAsUser(id, fields, text('user')) });
      }
      if (resource === 'incidents' && id !== undefined && sub === 'journal' && method === 'POST') {
        const element = text('element') ?? 'comments';
        if (!isJournalElement(element))
          return this.sendFailure(res, 400, 'element is comments or work_notes', null);
        return this.sendJson(res, 201, {
          result: this.addJournal(id, element, text('text') ?? '', text('user')),
        });
      }
      if (resource === 'faults' && method === 'POST') {
        const path = text('path');
        if (path === undefined) return this.sendFailure(res, 400, 'path is required', null);
        // JSON has no Infinity: "times": "infinite" means until DELETE /_simulator/faults.
        const times = typeof body.times === 'number' ? body.times : body.times === 'infinite' ? Infinity : 1;
        this.fault(path, { ...(body as SimulatedFault), times });
        return this.sendJson(res, 200, { result: 'ok' });
      }
      if (resource === 'faults' && method === 'DELETE') {
        this.clearFaults();
        return this.sendJson(res, 200, { result: 'ok' });
      }
      if (resource === 'down' && method === 'POST') {
        // Down means unreachable, this surface included: it comes back by itself.
        const forMs = typeof body.forMs === 'number' ? body.forMs : 30_000;
        this.sendJson(res, 202, { result: `down for ${forMs} ms` });
        res.once('finish', () => {
          void this.down().then(() => {
            const timer = setTimeout(() => {
              this.pendingDelays.delete(timer);
              void this.up();
            }, forMs);
            this.pendingDelays.add(timer);
          });
        });
        return;
      }
      if (resource === 'webhook' && method === 'GET') {
        return this.sendJson(res, 200, { result: this.webhookEmitter?.attempts ?? [] });
      }
      if (resource === 'webhook' && (id === 'pause' || id === 'resume') && method === 'POST') {
        if (id === 'pause') this.webhook.pause();
        else this.webhook.resume();
        return this.sendJson(res, 200, { result: 'ok' });
      }
    } catch (error) {
      if (error instanceof TableWriteRefusal)
        return this.sendFailure(res, error.status, error.message, error.detail);
      return this.sendFailure(res, 400, error instanceof Error ? error.message : String(error), null);
    }
    this.sendFailure(res, 404, `No control route ${method} /_simulator/${route}`, null);
  }

  // ---- GET /oauth_auth.do --------------------------------------------------------------------

  private authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    if (req.method !== 'GET') {
      this.sendHtml(res, 405, 'Method not allowed', 'The authorization endpoint takes GET.');
      return;
    }
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    const client = clientId === null ? undefined : this.clients.get(clientId);
    // Until client and redirect_uri are both known-good, an error must never redirect:
    // that would turn the instance into an open redirector (RFC 6749 §4.1.2.1).
    if (client === undefined || query.getAll('client_id').length > 1) {
      this.sendHtml(res, 400, 'Invalid client', 'The client_id is missing or not registered.');
      return;
    }
    if (
      redirectUri === null ||
      query.getAll('redirect_uri').length > 1 ||
      !client.redirectUris.includes(redirectUri)
    ) {
      this.sendHtml(res, 400, 'Invalid redirect_uri', 'The redirect_uri does not match the registered URL.');
      return;
    }

    const state = query.get('state') ?? undefined;
    const redirectError = (error: string, description: string): void =>
      this.redirect(res, redirectUri, { error, error_description: description, state });

    const duplicated = duplicateKeys(query);
    if (duplicated.length > 0)
      return redirectError('invalid_request', `repeated parameter: ${duplicated.join(', ')}`);
    if (query.get('response_type') !== 'code') {
      return redirectError('unsupported_response_type', 'only response_type=code is supported');
    }
    const codeChallenge = query.get('code_challenge') ?? undefined;
    const challengeMethod = query.get('code_challenge_method') ?? undefined;
    if (codeChallenge === undefined) {
      if (challengeMethod !== undefined) return redirectError('invalid_request', 'code_challenge is missing');
      if (this.options.requirePkce) return redirectError('invalid_request', 'code_challenge is required');
    } else {
      // RFC 7636 makes a missing method mean `plain`; plain offers no protection, so only S256.
      if (challengeMethod !== 'S256')
        return redirectError('invalid_request', 'code_challenge_method must be S256');
      if (!PKCE_S256_CHALLENGE.test(codeChallenge))
        return redirectError('invalid_request', 'malformed code_challenge');
    }

    const user = this.signedInUser;
    if (user === undefined) {
      this.sendHtml(res, 200, 'Log in', 'The simulated browser has no session: call signInAs(userName).');
      return;
    }
    if (user.active === false) return redirectError('access_denied', 'user is not active');
    if (this.consent === 'deny') return redirectError('access_denied', 'the user denied access');

    const code = randomToken();
    this.codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      user,
      scope: query.get('scope') || DEFAULT_SCOPE,
      codeChallenge,
      expiresAt: this.now() + this.codeTtlMs,
      used: false,
      grant: undefined,
    });
    this.redirect(res, redirectUri, { code, state });
  }

  // ---- POST /oauth_token.do ------------------------------------------------------------------

  private token(req: IncomingMessage, res: ServerResponse, rawBody: string, isForm: boolean): void {
    const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
    try {
      if (req.method !== 'POST') {
        throw new TokenEndpointRefusal(405, { error: 'invalid_request', error_description: 'use POST' });
      }
      if (!isForm) {
        // protocols.md §1.4: form-encoded only; a JSON body fails.
        throw invalidRequest('the body must be application/x-www-form-urlencoded');
      }
      const form = new URLSearchParams(rawBody);
      const duplicated = duplicateKeys(form);
      if (duplicated.length > 0) throw invalidRequest(`repeated parameter: ${duplicated.join(', ')}`);
      const grantType = form.get('grant_type');
      if (!grantType) throw invalidRequest('grant_type is missing');
      const reply = this.grant(grantType, form, req.headers.authorization);
      this.sendJson(res, 200, reply, noStore);
    } catch (error) {
      if (!(error instanceof TokenEndpointRefusal)) throw error;
      this.sendJson(res, error.status, error.body, { ...noStore, ...error.headers });
    }
  }

  private grant(grantType: string, form: URLSearchParams, authorization: string | undefined): object {
    switch (grantType) {
      case 'authorization_code':
        return this.authorizationCodeGrant(form, authorization);
      case 'refresh_token':
        return this.refreshTokenGrant(form, authorization);
      case 'password':
        return this.passwordGrant(form, authorization);
      case 'client_credentials':
        if (this.options.clientCredentialsGrant) return this.clientCredentialsGrant(form, authorization);
        throw new TokenEndpointRefusal(400, { error: 'unsupported_grant_type' });
      default:
        throw new TokenEndpointRefusal(400, { error: 'unsupported_grant_type' });
    }
  }

  private authorizationCodeGrant(form: URLSearchParams, authorization: string | undefined): object {
    const codeVerifier = form.get('code_verifier') ?? undefined;
    // protocols.md §1.4: "client_secret or code_verifier" (a public client proves itself by PKCE).
    // Without a secret, the PKCE checks below are the only proof of the client's identity.
    const client = this.identifyClient(form, authorization, codeVerifier !== undefined);
    const code = form.get('code');
    if (!code) throw invalidRequest('code is missing');
    const issued = this.codes.get(code);
    if (issued === undefined) throw this.badGrant('unknown authorization code');
    if (issued.used) {
      // A replayed code means it leaked: withdraw what the first exchange bought (RFC 6749 §4.1.2).
      if (issued.grant !== undefined) issued.grant.revoked = true;
      throw this.badGrant('authorization code already used; tokens issued from it are revoked');
    }
    // Consumed on first presentation, even if refused below, so a code can never be guessed at.
    issued.used = true;
    if (this.now() >= issued.expiresAt) throw this.badGrant('authorization code expired');
    if (issued.clientId !== client.clientId)
      throw this.badGrant('authorization code was issued to another client');
    if (form.get('redirect_uri') !== issued.redirectUri) throw this.badGrant('redirect_uri does not match');
    if (issued.codeChallenge !== undefined) {
      if (codeVerifier === undefined) throw this.badGrant('code_verifier is missing');
      if (!PKCE_VERIFIER.test(codeVerifier)) throw this.badGrant('malformed code_verifier');
      if (pkceS256Challenge(codeVerifier) !== issued.codeChallenge)
        throw this.badGrant('code_verifier does not match');
    } else if (codeVerifier !== undefined) {
      // A verifier without a challenge means the challenge was stripped on the way (PKCE downgrade).
      throw this.badGrant('code_verifier sent but the authorization request had no code_challenge');
    }
    if (issued.user.active === false) throw this.badGrant('user is not active');

    issued.grant = this.newGrant('authorization_code', client, issued.user, issued.scope);
    return this.tokenReply(this.mintAccessToken(issued.grant, 'authorization_code'));
  }

  private refreshTokenGrant(form: URLSearchParams, authorization: string | undefined): object {
    const client = this.identifyClient(form, authorization, false);
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) throw invalidRequest('refresh_token is missing');
    const grant = this.grantsByRefreshToken.get(refreshToken);
    if (grant === undefined || grant.revoked) throw this.badGrant('unknown or revoked refresh token');
    if (grant.clientId !== client.clientId) throw this.badGrant('refresh token was issued to another client');
    if (grant.refreshExpiresAt !== undefined && this.now() >= grant.refreshExpiresAt) {
      throw this.badGrant('refresh token expired');
    }
    if (grant.user.active === false) throw this.badGrant('user is not active');
    // protocols.md §1.4: a new access token, the same refresh token, its expiry not extended.
    return this.tokenReply(this.mintAccessToken(grant, 'refresh_token'));
  }

  private passwordGrant(form: URLSearchParams, authorization: string | undefined): object {
    const client = this.identifyClient(form, authorization, false);
    const userName = form.get('username');
    const password = form.get('password');
    if (!userName || password === null) throw invalidRequest('username and password are required');
    const user = this.users.find((candidate) => candidate.userName === userName);
    if (user === undefined || (user.password ?? DEFAULT_PASSWORD) !== password || user.active === false) {
      throw this.badGrant('invalid username or password');
    }
    // protocols.md §1.4: a still-valid access token is returned again rather than a new one.
    const existing = [...this.accessTokens.values()].find(
      (token) =>
        token.grant.grantType === 'password' &&
        token.grant.clientId === client.clientId &&
        token.grant.user === user &&
        this.isUsable(token),
    );
    if (existing !== undefined) return this.tokenReply(existing);
    const grant = this.newGrant('password', client, user, form.get('scope') || DEFAULT_SCOPE);
    return this.tokenReply(this.mintAccessToken(grant, 'password'));
  }

  private clientCredentialsGrant(form: URLSearchParams, authorization: string | undefined): object {
    const client = this.identifyClient(form, authorization, false);
    const user = this.users.find((candidate) => candidate.userName === client.applicationUser);
    if (user === undefined || user.active === false)
      throw this.badGrant('client has no active OAuth Application User');
    const grant = this.newGrant('client_credentials', client, user, form.get('scope') || DEFAULT_SCOPE);
    return this.tokenReply(this.mintAccessToken(grant, 'client_credentials'));
  }

  /**
   * Client authentication by form client_id/client_secret or HTTP Basic (RFC 6749 §2.3.1).
   * `mayOmitSecret`: a public client may send no secret when it proves itself with PKCE instead.
   */
  private identifyClient(
    form: URLSearchParams,
    authorization: string | undefined,
    mayOmitSecret: boolean,
  ): SimulatedOAuthClient {
    const basic = parseBasicCredentials(authorization);
    if (basic === null) throw this.badClient(true);
    const formId = form.get('client_id') ?? undefined;
    const formSecret = form.get('client_secret') ?? undefined;
    // Sending both is tolerated only when they agree; passport-oauth2 sends form credentials.
    if (basic !== undefined && formId !== undefined && formId !== basic.id) throw this.badClient(true);
    if (basic !== undefined && formSecret !== undefined && formSecret !== basic.secret)
      throw this.badClient(true);
    const clientId = basic?.id ?? formId;
    const secret = basic?.secret ?? formSecret;
    const client = clientId === undefined ? undefined : this.clients.get(clientId);
    if (client === undefined) throw this.badClient(basic !== undefined);
    if (secret === undefined) {
      if (mayOmitSecret) return client;
      throw this.badClient(false);
    }
    if (secret !== client.clientSecret) throw this.badClient(basic !== undefined);
    return client;
  }

  private newGrant(
    grantType: Grant['grantType'],
    client: SimulatedOAuthClient,
    user: SimulatedServiceNowUser,
    scope: string,
  ): Grant {
    // RFC 6749 §4.4.3: no refresh token for client_credentials.
    const withRefresh = grantType !== 'client_credentials';
    const grant: Grant = {
      refreshToken: withRefresh ? randomToken() : undefined,
      clientId: client.clientId,
      user,
      scope,
      grantType,
      refreshExpiresAt: withRefresh ? this.now() + this.refreshTtlMs : undefined,
      revoked: false,
    };
    if (grant.refreshToken !== undefined) this.grantsByRefreshToken.set(grant.refreshToken, grant);
    return grant;
  }

  private mintAccessToken(grant: Grant, grantType: GrantType): AccessToken {
    const issuedAt = this.now();
    const token: AccessToken = {
      token: randomToken(),
      grant,
      grantType,
      issuedAt,
      expiresAt: issuedAt + this.accessTtlMs,
    };
    this.accessTokens.set(token.token, token);
    return token;
  }

  private tokenReply(token: AccessToken): object {
    const expiresIn = Math.max(0, Math.floor((token.expiresAt - this.now()) / 1000));
    // Key order as the instance sends it (protocols.md §1.4).
    return token.grant.refreshToken === undefined
      ? { access_token: token.token, scope: token.grant.scope, token_type: 'Bearer', expires_in: expiresIn }
      : {
          access_token: token.token,
          refresh_token: token.grant.refreshToken,
          scope: token.grant.scope,
          token_type: 'Bearer',
          expires_in: expiresIn,
        };
  }

  private badGrant(description: string): TokenEndpointRefusal {
    if (this.options.grantErrorStyle === 'rfc6749') {
      return new TokenEndpointRefusal(400, { error: 'invalid_grant', error_description: description });
    }
    return new TokenEndpointRefusal(401, { error: 'server_error', error_description: 'access_denied' });
  }

  private badClient(usedBasic: boolean): TokenEndpointRefusal {
    if (this.options.grantErrorStyle === 'rfc6749') {
      // RFC 6749 §5.2: a client that tried Basic gets a WWW-Authenticate challenge back.
      const headers: Record<string, string> = usedBasic ? { 'WWW-Authenticate': 'Basic realm="oauth"' } : {};
      return new TokenEndpointRefusal(401, { error: 'invalid_client' }, headers);
    }
    return new TokenEndpointRefusal(401, { error: 'server_error', error_description: 'access_denied' });
  }

  // ---- Table API -----------------------------------------------------------------------------

  private tableApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: RegExpExecArray,
    query: URLSearchParams,
    rawBody: string,
  ): void {
    const [, version, tableName = '', sysId] = path;
    const caller = this.authenticatedUser(req.headers.authorization);
    if (caller === undefined) {
      this.sendJson(res, 401, NOT_AUTHENTICATED);
      return;
    }
    if (!isTableName(tableName)) {
      this.sendFailure(res, 400, `Invalid table ${tableName}`, null);
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      if (sysId !== undefined) return this.readOne(res, tableName, sysId, query);
      return this.readList(res, tableName, version, query, caller);
    }
    if (tableName !== 'incident') {
      this.sendFailure(
        res,
        403,
        'Operation Failed',
        'ACL Exception Insert Failed due to security constraints',
      );
      return;
    }
    const actor = this.actorFor(caller.userName);
    const denial = this.aclDenial;
    if (denial !== undefined && (denial.users === undefined || denial.users.includes(actor.userName))) {
      this.sendFailure(res, 403, denial.message, denial.detail);
      return;
    }
    if (method === 'DELETE' && sysId !== undefined) {
      if (this.tables.deleteIncident(sysId) === undefined) return this.sendNoRecord(res);
      this.afterDelete(sysId, actor.userName);
      res.writeHead(204);
      res.end();
      return;
    }
    const isCreate = method === 'POST' && sysId === undefined;
    const isUpdate = (method === 'PATCH' || method === 'PUT') && sysId !== undefined;
    if (!isCreate && !isUpdate) {
      this.sendFailure(res, 405, 'Method not Supported', `${method} is not supported for this resource`);
      return;
    }
    const body = this.jsonBody(req, res, rawBody);
    if (body === undefined) return;
    try {
      const outcome = isCreate
        ? this.tables.insertIncident(body, actor, true)
        : this.tables.updateIncident(sysId ?? '', body, actor, true);
      if (outcome === undefined) return this.sendNoRecord(res);
      this.afterWrite(outcome, isCreate, actor.userName);
      const status = isCreate ? 201 : 200;
      const headers: Record<string, string> = isCreate
        ? { Location: `${this.url}/api/now/table/incident/${outcome.record.sys_id ?? ''}` }
        : {};
      if (String(req.headers['x-no-response-body']).toLowerCase() === 'true') {
        res.writeHead(status, headers);
        res.end();
        return;
      }
      this.sendJson(
        res,
        status,
        { result: this.tables.present('incident', outcome.record, presentOptions(query)) },
        headers,
      );
    } catch (error) {
      if (!(error instanceof TableWriteRefusal)) throw error;
      this.sendFailure(res, error.status, error.message, error.detail);
    }
  }

  private readOne(res: ServerResponse, table: TableName, sysId: string, query: URLSearchParams): void {
    const row = this.tables.find(table, sysId);
    if (row === undefined) return this.sendNoRecord(res);
    this.sendJson(res, 200, { result: this.tables.present(table, row, presentOptions(query)) });
  }

  private readList(
    res: ServerResponse,
    table: TableName,
    version: string | undefined,
    query: URLSearchParams,
    caller: SimulatedServiceNowUser,
  ): void {
    let matching: readonly Row[];
    try {
      matching = this.tables.query(table, query.get('sysparm_query') ?? '', caller.sysId);
    } catch (error) {
      if (!(error instanceof EncodedQueryError)) throw error;
      this.sendFailure(res, 400, error.message, null);
      return;
    }
    const offset = nonNegativeInt(query.get('sysparm_offset'), 0);
    const limit = Math.max(1, nonNegativeInt(query.get('sysparm_limit'), DEFAULT_LIMIT));
    const page = matching.slice(offset, offset + limit);
    // protocols.md §1.1: only the v1 API answers an empty list with 404.
    if (version === 'v1' && page.length === 0) {
      this.sendFailure(
        res,
        404,
        'No Record found',
        'Records matching query not found. Check query parameter or offered values',
      );
      return;
    }
    const headers: Record<string, string> = {};
    if (query.get('sysparm_no_count') !== 'true') headers['X-Total-Count'] = String(matching.length);
    if (query.get('sysparm_suppress_pagination_header') !== 'true') {
      headers.Link = this.paginationLinks(table, version, query, matching.length, offset, limit);
    }
    const options = presentOptions(query);
    this.sendJson(res, 200, { result: page.map((row) => this.tables.present(table, row, options)) }, headers);
  }

  /** `Link: <…offset=0>;rel="first",<…>;rel="prev",<…>;rel="next",<…>;rel="last"`, prev/next when applicable. */
  private paginationLinks(
    table: TableName,
    version: string | undefined,
    query: URLSearchParams,
    total: number,
    offset: number,
    limit: number,
  ): string {
    const base = `${this.url}/api/now/${version === undefined ? '' : `${version}/`}table/${table}`;
    const at = (start: number): string => {
      const params = new URLSearchParams(query);
      params.set('sysparm_limit', String(limit));
      params.set('sysparm_offset', String(start));
      return `<${base}?${params.toString()}>`;
    };
    const links = [`${at(0)};rel="first"`];
    if (offset > 0) links.push(`${at(Math.max(0, offset - limit))};rel="prev"`);
    if (offset + limit < total) links.push(`${at(offset + limit)};rel="next"`);
    links.push(`${at(total === 0 ? 0 : Math.floor((total - 1) / limit) * limit)};rel="last"`);
    return links.join(',');
  }

  /** Undefined after answering 400/415 itself. */
  private jsonBody(
    req: IncomingMessage,
    res: ServerResponse,
    rawBody: string,
  ): Readonly<Record<string, unknown>> | undefined {
    const type = mediaType(req.headers['content-type']);
    if (rawBody.trim() !== '' && type !== 'application/json' && type !== '') {
      this.sendFailure(res, 415, 'Unsupported Media Type', `The simulator reads JSON bodies, got ${type}`);
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
    } catch {
      this.sendFailure(res, 400, 'Exception while reading request', 'The payload is not valid JSON.');
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.sendFailure(res, 400, 'Exception while reading request', 'The payload must be a JSON object.');
      return undefined;
    }
    return parsed as Record<string, unknown>;
  }

  /** Fires the business rules (webhooks) for a write that changed something. */
  private afterWrite(outcome: WriteOutcome, created: boolean, userName: string): void {
    if (!outcome.changed) return;
    this.notify({
      kind: created ? 'created' : 'updated',
      record: outcome.record,
      journal: outcome.journal,
      userName,
    });
    const emitter = this.webhookEmitter;
    if (emitter === undefined || !emitter.shouldEmitFor(userName)) return;
    const record = outcome.record;
    emitter.emit({
      event_id: `${record.sys_id ?? ''}:${record.sys_mod_count ?? ''}`,
      event: created ? 'incident.created' : 'incident.updated',
      record: this.tables.present('incident', record, this.webhookPresent()),
    });
    for (const entry of outcome.journal) {
      emitter.emit({
        event_id: `journal:${entry.sys_id ?? ''}`,
        event: 'journal.added',
        record: this.tables.present('sys_journal_field', entry),
      });
    }
  }

  private afterDelete(sysId: string, userName: string): void {
    this.notify({ kind: 'deleted', record: { sys_id: sysId }, journal: [], userName });
    const emitter = this.webhookEmitter;
    if (emitter === undefined || !emitter.shouldEmitFor(userName)) return;
    emitter.emit({ event_id: `${sysId}:deleted`, event: 'incident.deleted', record: { sys_id: sysId } });
  }

  private webhookPresent(): PresentOptions {
    return { excludeReferenceLink: this.options.webhook?.excludeReferenceLink ?? false };
  }

  /** The token's user, or a Basic-authenticated user (handy with curl against the demo). */
  private authenticatedUser(authorization: string | undefined): SimulatedServiceNowUser | undefined {
    const basic = parseBasicCredentials(authorization);
    if (basic === null) return undefined;
    if (basic !== undefined) {
      const user = this.users.find((candidate) => candidate.userName === basic.id);
      const valid = user?.active !== false && (user?.password ?? DEFAULT_PASSWORD) === basic.secret;
      return valid ? user : undefined;
    }
    return this.bearerUser(authorization);
  }

  private bearerUser(authorization: string | undefined): SimulatedServiceNowUser | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match?.[1] === undefined ? undefined : this.accessTokens.get(match[1]);
    return token !== undefined && this.isUsable(token) && token.grant.user.active !== false
      ? token.grant.user
      : undefined;
  }

  private isUsable(token: AccessToken): boolean {
    return !token.grant.revoked && this.now() < token.expiresAt;
  }

  private actorFor(userName: string): Actor {
    const user = this.users.find((candidate) => candidate.userName === userName);
    if (user === undefined) return { userName, sysId: sysIdForName(`sys_user:${userName}`), name: userName };
    return { userName, sysId: user.sysId, name: `${user.firstName} ${user.lastName}`.trim() };
  }

  private sendFailure(res: ServerResponse, status: number, message: string, detail: string | null): void {
    this.sendJson(res, status, { error: { message, detail }, status: 'failure' });
  }

  private sendNoRecord(res: ServerResponse): void {
    this.sendFailure(
      res,
      404,
      'No Record found',
      "Record doesn't exist or ACL restricts the record retrieval",
    );
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private userNamed(userName: string): SimulatedServiceNowUser {
    const user = this.users.find((candidate) => candidate.userName === userName);
    if (user === undefined) throw new Error(`ServiceNowSimulator: no user named ${userName}`);
    return user;
  }

  private redirect(
    res: ServerResponse,
    redirectUri: string,
    params: Record<string, string | undefined>,
  ): void {
    const location = new URL(redirectUri);
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) location.searchParams.set(key, value);
    }
    res.writeHead(302, { Location: location.toString(), 'Cache-Control': 'no-store' });
    res.end();
  }

  private sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(body));
  }

  private sendHtml(res: ServerResponse, status: number, title: string, message: string): void {
    res.writeHead(status, { 'Content-Type': 'text/html;charset=UTF-8', 'Cache-Control': 'no-store' });
    res.end(
      `<!DOCTYPE html><html><head><title>${escapeHtml(title)}</title></head>` +
        `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
    );
  }

  /** Undefined when the body exceeds MAX_BODY_BYTES (read to the end anyway, so a 413 can be sent). */
  private async readBody(req: IncomingMessage): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
    return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingDelays.delete(timer);
        resolve();
      }, ms);
      this.pendingDelays.add(timer);
    });
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function isTableName(name: string): name is TableName {
  return (TABLES as readonly string[]).includes(name);
}

function sysUserRow(user: SimulatedServiceNowUser): SysUserRow {
  return {
    sys_id: user.sysId,
    user_name: user.userName,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    name: `${user.firstName} ${user.lastName}`.trim(),
    active: user.active === false ? 'false' : 'true',
  };
}

/** sysparm_fields (unknown names silently ignored), sysparm_display_value, sysparm_exclude_reference_link. */
function presentOptions(query: URLSearchParams): PresentOptions {
  const fields = query.get('sysparm_fields');
  const display = (query.get('sysparm_display_value') ?? 'false').toLowerCase();
  return {
    fields:
      fields === null || fields.trim() === ''
        ? undefined
        : fields
            .split(',')
            .map((field) => field.trim())
            .filter((field) => field !== ''),
    displayValue: display === 'true' || display === 'all' ? display : 'false',
    excludeReferenceLink: query.get('sysparm_exclude_reference_link') === 'true',
  };
}

function invalidRequest(description: string): TokenEndpointRefusal {
  return new TokenEndpointRefusal(400, { error: 'invalid_request', error_description: description });
}

function randomToken(): string {
  return randomBytes(48).toString('base64url');
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** RFC 6749 §3.1/§3.2: request parameters must not repeat. */
function duplicateKeys(params: URLSearchParams): string[] {
  const keys = [...params.keys()];
  return [...new Set(keys.filter((key, index) => keys.indexOf(key) !== index))];
}

/**
 * Undefined when there is no Basic header, null when it is malformed. Both halves are
 * form-urlencoded before base64 (RFC 6749 §2.3.1), so '+' means a space.
 */
function parseBasicCredentials(
  authorization: string | undefined,
): { id: string; secret: string } | null | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    const formDecode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

function nonNegativeInt(param: string | null, fallback: number): number {
  const value = param === null ? NaN : Number.parseInt(param, 10);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
