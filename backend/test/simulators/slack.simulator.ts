import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { URL, URLSearchParams } from 'node:url';
import { BLOCK_KIT, blocksText, messageBlockProblems, viewProblems } from './slack-block-kit';
import { SlackRequestSender } from './slack-request-sender';

/**
 * A local stand-in for Slack over real HTTP (protocols.md §2 and the simulator checklist, §3):
 *
 * - the Web API under `apiUrl` (`/api/<method>`): chat.postMessage/update/postEphemeral,
 *   views.open/update/push, users.info, users.lookupByEmail, conversations.info, auth.test, auth.revoke and
 *   oauth.v2.access (authorization code and refresh token, 43 200 s tokens under rotation). Form or
 *   JSON bodies; the token from `Authorization: Bearer` or a `token` field. Always HTTP 200 with
 *   `{ok}`, except 429 + `Retry-After` (`ratelimited`) and the 5xx a fault asks for. Block Kit
 *   limits are enforced (`invalid_blocks`; views: `invalid_arguments`), as Slack does.
 * - `/oauth/v2/authorize`: plays a signed-in workspace admin who has decided already
 *   (`setConsent`), redirecting to `redirect_uri` with `code` and `state` (or `error=access_denied`).
 * - `response_url`s (`/response/<id>`): 5 posts within 30 minutes each.
 * - `GET /`: a small page showing each channel as Slack would hold it (cards' text, edits,
 *   threads, ephemeral messages, open views), reloading itself every 2 s: the demo's window on Slack.
 * - `/_simulator/*` (opt-in, `controlApi`): faults, users, calls and messages for a simulator
 *   running in another process (the demo).
 *
 * `sender(appBaseUrl)` signs requests to our app as Slack would (events, commands, interactions).
 *
 * Choices where Slack's behaviour is not documented (protocols.md leaves it open), kept strict so
 * that mistakes show: any channel id shaped like one (`C…`, `G…`, `D…`) exists unless
 * `strictChannels` is set (then only `addChannel` ones); a `thread_ts` that names no message is
 * `thread_not_found`; a refresh token works once (its successor comes with the new access token),
 * and the access token it replaced stays valid until it expires.
 */

export interface SlackSimulatorOptions {
  readonly signingSecret?: string;
  readonly teamId?: string;
  readonly teamName?: string;
  readonly botToken?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** oauth.v2.access issues expiring tokens and refresh tokens (`token_rotation_enabled`). Default true. */
  readonly tokenRotation?: boolean;
  /** `expires_in` of rotating access tokens. Default 43 200 (12 h). */
  readonly accessTokenTtlSeconds?: number;
  /** When set, `/oauth/v2/authorize` and oauth.v2.access accept only these redirect URIs. */
  readonly redirectUris?: readonly string[];
  /** Only channels added with `addChannel` exist. Default false. */
  readonly strictChannels?: boolean;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Test clock in epoch milliseconds (triggers, response_urls, tokens). Default Date.now. */
  readonly now?: () => number;
  /** Serve `/_simulator/*` (no authentication: never on a shared network). Default false. */
  readonly controlApi?: boolean;
  /** Our app's base URL (`http://127.0.0.1:3000`), for the control API's signed drivers. */
  readonly appBaseUrl?: string;
  /** Keep only this many calls (a long-running process). Default: all. */
  readonly maxLoggedCalls?: number;
}

export interface SimUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly realName: string;
  readonly isBot?: boolean;
  readonly deleted?: boolean;
}

export interface SimChannel {
  readonly id: string;
  readonly name: string;
  readonly isPrivate: boolean;
}

export interface SimMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: unknown[] | undefined;
  /** The poster: the bot user for Web API posts. */
  readonly user: string;
  readonly threadTs: string | undefined;
  /** How many chat.update calls changed it. */
  edits: number;
  readonly replies: SimMessage[];
  /** Every version before the current one, oldest first. */
  readonly history: { text: string; blocks: unknown[] | undefined }[];
}

export interface SimEphemeral {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly blocks: unknown[] | undefined;
  readonly threadTs: string | undefined;
  readonly messageTs: string;
  readonly at: number;
}

export interface SimView {
  readonly id: string;
  readonly user: string | undefined;
  readonly triggerId: string | undefined;
  /** The view JSON as last opened, updated or pushed. */
  view: Record<string, unknown>;
  hash: string;
  readonly opened: 'views.open' | 'views.push';
  updates: number;
}

export interface SimCall {
  readonly method: string;
  /** Form fields or JSON body; `blocks`/`view`/`attachments` JSON-parsed when sent as strings. */
  readonly args: Record<string, unknown>;
  readonly token: string | undefined;
  readonly at: number;
  readonly contentType: string;
  ok: boolean;
  error?: string;
  /** The HTTP status answered (200 unless a fault or rate limit said otherwise). */
  status: number;
}

export interface SimFault {
  /** 429 (with Retry-After), 500 or 503 instead of an answer. */
  readonly status?: 429 | 500 | 502 | 503;
  /** Seconds, for a 429. Default 1. */
  readonly retryAfter?: number;
  /** Answer HTTP 200 `{ok:false, error}` (invalid_auth, token_revoked, channel_not_found, …). */
  readonly error?: string;
  /** Real wall-clock delay before answering (or before the status/error). */
  readonly delayMs?: number;
  /** How many calls it applies to. Default 1; Infinity until clearFaults(). */
  readonly times?: number;
}

export interface SimResponse {
  readonly url: string;
  readonly at: number;
  readonly body: unknown;
}

export interface SimIssuedToken {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly grant: 'authorization_code' | 'refresh_token' | 'environment';
  readonly teamId: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number | undefined;
  readonly revoked: boolean;
}

export type ConsentDecision = 'allow' | 'deny';

export const DEFAULT_SLACK = {
  teamId: 'T0SIMTEAM1',
  teamName: 'Nexecute Sim',
  clientId: '1111111111.2222222222',
  clientSecret: 'sim-client-secret-0123456789abcdef',
  signingSecret: 'sim-signing-secret-0123456789abcdef',
  botUserId: 'U0SIMBOT01',
  botId: 'B0SIMBOT01',
  appId: 'A0SIMAPP01',
  scopes: ['chat:write', 'commands', 'app_mentions:read', 'users:read', 'users:read.email'],
} as const;

const TRIGGER_TTL_MS = 3000;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
const RESPONSE_URL_USES = 5;
const CODE_TTL_MS = 10 * 60 * 1000;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const JSON_ARGS = ['blocks', 'view', 'attachments', 'metadata'];

interface TokenRecord {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly grant: SimIssuedToken['grant'];
  readonly teamId: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  expiresAt: number | undefined;
  revoked: boolean;
}

interface CodeRecord {
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  used: boolean;
}

interface TriggerRecord {
  readonly user: string;
  readonly expiresAt: number;
  used: boolean;
}

interface ResponseUrlRecord {
  readonly expiresAt: number;
  uses: number;
}

interface ActiveFault {
  readonly spec: SimFault;
  remaining: number;
}

/** Thrown inside a Web API method; the dispatcher answers `{ok:false, error, ...extra}`. */
class SlackApiRefusal extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

export class SlackSimulator {
  readonly signingSecret: string;
  readonly teamId: string;
  readonly teamName: string;
  readonly botToken: string;
  readonly botUserId = DEFAULT_SLACK.botUserId;
  readonly botId = DEFAULT_SLACK.botId;
  readonly appId = DEFAULT_SLACK.appId;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly now: () => number;

  private server: Server | undefined;
  private port = 0;
  private consent: ConsentDecision = 'allow';
  private tokenRotation: boolean;
  private accessTtlMs: number;
  private tsCounter = 0;
  private idCounter = 0;
  private readonly log: SimCall[] = [];
  private readonly users = new Map<string, SimUser>();
  private readonly channelsById = new Map<string, SimChannel>();
  private readonly messagesByChannel = new Map<string, SimMessage[]>();
  private readonly ephemeralLog: SimEphemeral[] = [];
  private readonly viewsById = new Map<string, SimView>();
  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly responseUrls = new Map<string, ResponseUrlRecord>();
  private readonly responseLog: SimResponse[] = [];
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly refreshTokens = new Map<string, TokenRecord>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly faults = new Map<string, ActiveFault>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: SlackSimulatorOptions = {}) {
    this.signingSecret = options.signingSecret ?? DEFAULT_SLACK.signingSecret;
    this.teamId = options.teamId ?? DEFAULT_SLACK.teamId;
    this.teamName = options.teamName ?? DEFAULT_SLACK.teamName;
    this.clientId = options.clientId ?? DEFAULT_SLACK.clientId;
    this.clientSecret = options.clientSecret ?? DEFAULT_SLACK.clientSecret;
    this.botToken = options.botToken ?? `xoxb-${digits(12)}-${digits(13)}-${randomBytes(12).toString('hex')}`;
    this.now = options.now ?? Date.now;
    this.tokenRotation = options.tokenRotation ?? true;
    this.accessTtlMs = (options.accessTokenTtlSeconds ?? 43_200) * 1000;
    this.tokens.set(this.botToken, {
      accessToken: this.botToken,
      refreshToken: undefined,
      grant: 'environment',
      teamId: this.teamId,
      scopes: DEFAULT_SLACK.scopes,
      issuedAt: this.now(),
      expiresAt: undefined,
      revoked: false,
    });
    this.users.set(this.botUserId, {
      id: this.botUserId,
      email: '',
      name: 'nexecute',
      realName: 'Nexecute Connect',
      isBot: true,
    });
    for (const channel of [
      { id: 'C0SIMGEN01', name: 'general', isPrivate: false },
      { id: 'C0SIMINC01', name: 'incidents', isPrivate: false },
      { id: 'C0SIMMAJ01', name: 'major-incidents', isPrivate: false },
    ]) {
      this.channelsById.set(channel.id, channel);
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.dispatch(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    this.port = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closing = new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    server.closeAllConnections();
    await closing;
  }

  /** http://127.0.0.1:PORT (no trailing slash). */
  get url(): string {
    if (this.port === 0) throw new Error('SlackSimulator: call start() first');
    return `http://127.0.0.1:${this.port}`;
  }

  /** SLACK_API_URL: ends in `/`, as WebClient's slackApiUrl. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** SLACK_OAUTH_AUTHORIZE_URL. */
  get authorizeUrl(): string {
    return `${this.url}/oauth/v2/authorize`;
  }

  /**
   * SLACK_* variables pointing our app at this simulator: API and authorize URLs, signing secret,
   * OAuth client, and the bot token unless `botToken: false` (then workspaces come from installs).
   */
  env(o: { botToken?: boolean; defaultChannel?: string } = {}): Record<string, string> {
    return {
      SLACK_API_URL: this.apiUrl,
      SLACK_OAUTH_AUTHORIZE_URL: this.authorizeUrl,
      SLACK_SIGNING_SECRET: this.signingSecret,
      SLACK_CLIENT_ID: this.clientId,
      SLACK_CLIENT_SECRET: this.clientSecret,
      ...(o.botToken === false ? {} : { SLACK_BOT_TOKEN: this.botToken }),
      ...(o.defaultChannel === undefined ? {} : { SLACK_DEFAULT_CHANNEL: o.defaultChannel }),
    };
  }

  // ---- the workspace ---------------------------------------------------------------------------

  addUser(user: {
    id?: string;
    email: string;
    name?: string;
    realName?: string;
    deleted?: boolean;
  }): SimUser {
    const id = user.id ?? this.nextId('U');
    const name = user.name ?? user.email.split('@')[0] ?? id;
    const added: SimUser = {
      id,
      email: user.email,
      name,
      realName: user.realName ?? name,
      deleted: user.deleted ?? false,
    };
    this.users.set(id, added);
    return added;
  }

  user(id: string): SimUser | undefined {
    return this.users.get(id);
  }

  addChannel(channel: { id?: string; name: string; isPrivate?: boolean }): SimChannel {
    const id = channel.id ?? this.nextId(channel.isPrivate ? 'G' : 'C');
    const added = { id, name: channel.name, isPrivate: channel.isPrivate ?? false };
    this.channelsById.set(id, added);
    return added;
  }

  channels(): SimChannel[] {
    return [...this.channelsById.values()];
  }

  // ---- what Slack holds ------------------------------------------------------------------------

  /** Every Web API call, oldest first; only `method`'s when given. */
  calls(method?: string): SimCall[] {
    return method === undefined ? [...this.log] : this.log.filter((call) => call.method === method);
  }

  clearCalls(): void {
    this.log.length = 0;
  }

  /** The channel's top-level messages, oldest first, each with its thread replies. */
  messages(channel: string): SimMessage[] {
    return [...(this.messagesByChannel.get(this.channelIdOf(channel) ?? channel) ?? [])];
  }

  /** One message (top-level or reply) by channel and ts. */
  message(channel: string, ts: string): SimMessage | undefined {
    for (const message of this.messages(channel)) {
      if (message.ts === ts) return message;
      const reply = message.replies.find((r) => r.ts === ts);
      if (reply) return reply;
    }
    return undefined;
  }

  ephemerals(channel?: string): SimEphemeral[] {
    return this.ephemeralLog.filter((e) => channel === undefined || e.channel === channel);
  }

  views(): SimView[] {
    return [...this.viewsById.values()];
  }

  // ---- triggers and response_urls ---------------------------------------------------------------

  /** A trigger_id as Slack puts in a command or interaction: valid 3 s, once. */
  issueTrigger(userId = this.defaultUserId()): string {
    const id = `${digits(12)}.${digits(11)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user: userId, expiresAt: this.now() + TRIGGER_TTL_MS, used: false });
    return id;
  }

  /** A fresh response_url: 5 posts within 30 minutes. */
  responseUrl(): string {
    const path = `/response/${this.teamId}/${digits(12)}/${randomBytes(12).toString('hex')}`;
    const url = `${this.url}${path}`;
    this.responseUrls.set(path, { expiresAt: this.now() + RESPONSE_URL_TTL_MS, uses: 0 });
    return url;
  }

  /** Bodies posted to response_urls (one url's when given), oldest first. */
  responses(url?: string): unknown[] {
    return this.responseLog.filter((r) => url === undefined || r.url === url).map((r) => r.body);
  }

  /** With url and time, for assertions on order. */
  responseLogEntries(): SimResponse[] {
    return [...this.responseLog];
  }

  // ---- OAuth -------------------------------------------------------------------------------------

  /** What the admin answers on Slack's consent page; stays until changed. */
  setConsent(decision: ConsentDecision): void {
    this.consent = decision;
  }

  setTokenRotation(enabled: boolean): void {
    this.tokenRotation = enabled;
  }

  setAccessTokenTtl(seconds: number): void {
    this.accessTtlMs = seconds * 1000;
  }

  /** An authorization code as the authorize page would hand out (for tests that skip the browser). */
  issueCode(o: { redirectUri?: string; scopes?: readonly string[] } = {}): string {
    const code = `${digits(12)}.${digits(13)}.${randomBytes(16).toString('hex')}`;
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri: o.redirectUri,
      scopes: o.scopes ?? DEFAULT_SLACK.scopes,
      expiresAt: this.now() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** Every token oauth.v2.access issued (and the environment's bot token first). */
  issuedTokens(): SimIssuedToken[] {
    return [...this.tokens.values()].map((t) => ({ ...t }));
  }

  /** Every rotating access token issued so far expires now (`token_expired` until refreshed). */
  expireTokens(): void {
    const now = this.now();
    for (const token of this.tokens.values()) {
      if (token.expiresAt !== undefined) token.expiresAt = Math.min(token.expiresAt, now);
    }
  }

  /** Revokes every token, the environment's included (`token_revoked`, refresh too). */
  revokeTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** The next `times` calls of `method` ('*' for any) misbehave. A new fault replaces the old one. */
  fault(method: string, fault: SimFault): void {
    this.faults.set(method, { spec: fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- requests to our app ---------------------------------------------------------------------

  /** Signed requests to our app, as Slack sends them. `appBaseUrl`: `http://127.0.0.1:PORT`. */
  sender(appBaseUrl: string): SlackRequestSender {
    return new SlackRequestSender(this, appBaseUrl);
  }

  /** The user commands and actions come from when none is named: the first person added, or one made up. */
  defaultUserId(): string {
    const person = [...this.users.values()].find((u) => !u.isBot);
    return (
      person?.id ??
      this.addUser({ email: 'alex.responder@example.com', name: 'alex', realName: 'Alex Responder' }).id
    );
  }

  channelName(channelId: string): string {
    return this.channelsById.get(channelId)?.name ?? channelId.toLowerCase();
  }

  // ---- dispatch --------------------------------------------------------------------------------

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawBody = await readBody(req);
    if (rawBody === undefined) {
      sendJson(res, 413, { ok: false, error: 'request_too_large' });
      return;
    }
    const path = target.pathname;
    if (path.startsWith('/api/')) return this.webApi(req, res, path.slice('/api/'.length), rawBody);
    if (path === '/oauth/v2/authorize' && req.method === 'GET')
      return this.authorize(res, target.searchParams);
    if (path.startsWith('/response/') && req.method === 'POST') return this.responseSink(res, path, rawBody);
    if (path === '/' && req.method === 'GET') return this.page(res);
    if (path === '/state.json' && req.method === 'GET') return sendJson(res, 200, this.state());
    if (this.options.controlApi && path.startsWith('/_simulator/')) {
      return this.control(req, res, path.slice('/_simulator/'.length), rawBody);
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private async webApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rawBody: string,
  ): Promise<void> {
    const contentType = mediaType(req.headers['content-type']);
    let args: Record<string, unknown>;
    try {
      args = parseArgs(contentType, rawBody, new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
    } catch {
      sendJson(res, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    const authorization = req.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const call: SimCall = { method, args, token, at: this.now(), contentType, ok: false, status: 200 };
    this.log.push(call);
    if (this.log.length > (this.options.maxLoggedCalls ?? Infinity)) this.log.shift();

    const fault = this.takeFault(method);
    if (fault?.delayMs !== undefined && fault.delayMs > 0) await this.sleep(fault.delayMs);
    if (fault?.status === 429) {
      call.error = 'ratelimited';
      call.status = 429;
      sendJson(
        res,
        429,
        { ok: false, error: 'ratelimited' },
        { 'Retry-After': String(fault.retryAfter ?? 1) },
      );
      return;
    }
    if (fault?.status !== undefined) {
      call.error = `http_${fault.status}`;
      call.status = fault.status;
      res.writeHead(fault.status, { 'Content-Type': 'text/html' });
      res.end(`<html><body>Simulated ${fault.status}</body></html>`);
      return;
    }
    if (fault?.error !== undefined) {
      call.error = fault.error;
      sendJson(res, 200, { ok: false, error: fault.error });
      return;
    }
    try {
      const answer = this.invoke(method, args, token, authorization);
      call.ok = true;
      sendJson(res, 200, { ok: true, ...answer });
    } catch (error) {
      if (!(error instanceof SlackApiRefusal)) throw error;
      call.error = error.error;
      sendJson(res, 200, { ok: false, error: error.error, ...error.extra });
    }
  }

  private takeFault(method: string): SimFault | undefined {
    const key = this.faults.has(method) ? method : this.faults.has('*') ? '*' : undefined;
    if (key === undefined) return undefined;
    const active = this.faults.get(key);
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.delete(key);
    return active.spec;
  }

  private invoke(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
    authorization: string | undefined,
  ): Record<string, unknown> {
    if (method === 'oauth.v2.access') return this.oauthAccess(args, authorization);
    if (method === 'api.test') return { args };
    const auth = this.authenticate(token);
    switch (method) {
      case 'auth.test':
        return {
          url: `${this.url}/`,
          team: this.teamName,
          user: 'nexecute',
          team_id: auth.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case 'auth.revoke':
        if (args.test !== 'true' && args.test !== true) auth.revoked = true;
        return { revoked: true };
      case 'chat.postMessage':
        return this.postMessage(args, auth);
      case 'chat.update':
        return this.updateMessage(args, auth);
      case 'chat.postEphemeral':
        return this.postEphemeral(args, auth);
      case 'views.open':
      case 'views.push':
        return this.openView(method, args, auth);
      case 'views.update':
        return this.updateView(args);
      case 'users.info':
        return this.usersInfo(args, auth);
      case 'users.lookupByEmail':
        return this.lookupByEmail(args, auth);
      case 'conversations.info':
        return { channel: this.channelJson(this.requireChannel(args.channel)) };
      default:
        throw new SlackApiRefusal('unknown_method');
    }
  }

  private authenticate(token: string | undefined): TokenRecord {
    if (token === undefined || token === '') throw new SlackApiRefusal('not_authed');
    const record = this.tokens.get(token);
    if (!record) throw new SlackApiRefusal('invalid_auth');
    if (record.revoked) throw new SlackApiRefusal('token_revoked');
    if (record.expiresAt !== undefined && this.now() >= record.expiresAt)
      throw new SlackApiRefusal('token_expired');
    return record;
  }

  private requireScope(auth: TokenRecord, ...needed: string[]): void {
    const missing = needed.filter((scope) => !auth.scopes.includes(scope));
    if (missing.length > 0) {
      throw new SlackApiRefusal('missing_scope', {
        needed: missing.join(','),
        provided: auth.scopes.join(','),
      });
    }
  }

  // ---- chat.* ----------------------------------------------------------------------------------

  private requireChannel(value: unknown): string {
    if (typeof value !== 'string' || value === '') throw new SlackApiRefusal('channel_not_found');
    const id = this.channelIdOf(value);
    if (id === undefined) throw new SlackApiRefusal('channel_not_found');
    return id;
  }

  /** A channel id, a known name (`#incidents` or `incidents`), or undefined. */
  private channelIdOf(value: string): string | undefined {
    if (this.channelsById.has(value)) return value;
    const name = value.replace(/^#/, '');
    const named = [...this.channelsById.values()].find((c) => c.name === name);
    if (named) return named.id;
    if (!this.options.strictChannels && CHANNEL_ID.test(value)) {
      this.channelsById.set(value, {
        id: value,
        name: value.toLowerCase(),
        isPrivate: value.startsWith('G'),
      });
      return value;
    }
    return undefined;
  }

  private messageContent(args: Record<string, unknown>): {
    text: string;
    blocks: unknown[] | undefined;
    warnings: string[];
  } {
    const text = typeof args.text === 'string' ? args.text : '';
    const blocks = args.blocks;
    if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackApiRefusal('invalid_blocks_format');
    if (text === '' && (blocks === undefined || blocks.length === 0)) throw new SlackApiRefusal('no_text');
    const problems = messageBlockProblems(blocks);
    if (problems.length > 0) {
      throw new SlackApiRefusal('invalid_blocks', {
        errors: problems,
        response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
      });
    }
    const warnings: string[] = [];
    let kept = text;
    if (text.length > BLOCK_KIT.messageText) {
      kept = text.slice(0, BLOCK_KIT.messageText);
      warnings.push('message_truncated');
    }
    if (blocks !== undefined && text === '') warnings.push('missing_text_or_fallback_or_attachments');
    return { text: kept, blocks: blocks as unknown[] | undefined, warnings };
  }

  private postMessage(args: Record<string, unknown>, auth: TokenRecord): Record<string, unknown> {
    this.requireScope(auth, 'chat:write');
    const channel = this.requireChannel(args.channel);
    const { text, blocks, warnings } = this.messageContent(args);
    const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
    const list = this.messagesByChannel.get(channel) ?? [];
    this.messagesByChannel.set(channel, list);
    const message: SimMessage = {
      channel,
      ts: this.nextTs(),
      text,
      blocks,
      user: this.botUserId,
      threadTs,
      edits: 0,
      replies: [],
      history: [],
    };
    if (threadTs !== undefined) {
      const parent = list.find((m) => m.ts === threadTs);
      if (!parent) throw new SlackApiRefusal('thread_not_found');
      parent.replies.push(message);
    } else {
      list.push(message);
    }
    return {
      channel,
      ts: message.ts,
      message: this.messageJson(message),
      ...(warnings.length > 0 ? { warning: warnings.join(','), response_metadata: { warnings } } : {}),
    };
  }

  private updateMessage(args: Record<string, unknown>, auth: TokenRecord): Record<string, unknown> {
    this.requireScope(auth, 'chat:write');
    const channel = this.requireChannel(args.channel);
    if (typeof args.ts !== 'string') throw new SlackApiRefusal('message_not_found');
    const message = this.message(channel, args.ts);
    if (!message) throw new SlackApiRefusal('message_not_found');
    if (message.user !== this.botUserId) throw new SlackApiRefusal('cant_update_message');
    const hasText = typeof args.text === 'string';
    const hasBlocks = args.blocks !== undefined;
    if (!hasText && !hasBlocks) throw new SlackApiRefusal('no_text');
    const { text, blocks } = this.messageContent({
      text: hasText ? args.text : message.text,
      blocks: hasBlocks ? args.blocks : message.blocks,
    });
    message.history.push({ text: message.text, blocks: message.blocks });
    message.text = text;
    message.blocks = blocks;
    message.edits += 1;
    return { channel, ts: message.ts, text: message.text, message: this.messageJson(message) };
  }

  private postEphemeral(args: Record<string, unknown>, auth: TokenRecord): Record<string, unknown> {
    this.requireScope(auth, 'chat:write');
    const channel = this.requireChannel(args.channel);
    if (typeof args.user !== 'string' || !this.users.has(args.user))
      throw new SlackApiRefusal('user_not_found');
    const { text, blocks } = this.messageContent(args);
    const messageTs = this.nextTs();
    this.ephemeralLog.push({
      channel,
      user: args.user,
      text,
      blocks,
      threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
      messageTs,
      at: this.now(),
    });
    return { message_ts: messageTs };
  }

  // ---- views.* ---------------------------------------------------------------------------------

  private openView(
    method: 'views.open' | 'views.push',
    args: Record<string, unknown>,
    auth: TokenRecord,
  ): Record<string, unknown> {
    const triggerId = typeof args.trigger_id === 'string' ? args.trigger_id : undefined;
    const trigger = triggerId === undefined ? undefined : this.triggers.get(triggerId);
    if (triggerId === undefined || !trigger) throw new SlackApiRefusal('invalid_trigger_id');
    if (trigger.used) throw new SlackApiRefusal('exchanged_trigger_id');
    if (this.now() > trigger.expiresAt) throw new SlackApiRefusal('expired_trigger_id');
    const view = this.checkedView(args.view);
    trigger.used = true;
    const id = this.nextId('V');
    const simView: SimView = {
      id,
      user: trigger.user,
      triggerId,
      view,
      hash: this.nextHash(),
      opened: method,
      updates: 0,
    };
    this.viewsById.set(id, simView);
    return { view: this.viewJson(simView, auth.teamId) };
  }

  private updateView(args: Record<string, unknown>): Record<string, unknown> {
    const viewId = typeof args.view_id === 'string' ? args.view_id : undefined;
    const externalId = typeof args.external_id === 'string' ? args.external_id : undefined;
    const simView =
      viewId !== undefined
        ? this.viewsById.get(viewId)
        : [...this.viewsById.values()].find(
            (v) => externalId !== undefined && v.view.external_id === externalId,
          );
    if (!simView) throw new SlackApiRefusal('not_found');
    if (typeof args.hash === 'string' && args.hash !== simView.hash)
      throw new SlackApiRefusal('hash_conflict');
    simView.view = this.checkedView(args.view);
    simView.hash = this.nextHash();
    simView.updates += 1;
    return { view: this.viewJson(simView, this.teamId) };
  }

  private checkedView(value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new SlackApiRefusal('invalid_arguments');
    if (Buffer.byteLength(JSON.stringify(value)) > BLOCK_KIT.viewBytes)
      throw new SlackApiRefusal('view_too_large');
    const problems = viewProblems(value);
    if (problems.length > 0) {
      throw new SlackApiRefusal('invalid_arguments', {
        response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
      });
    }
    return value as Record<string, unknown>;
  }

  // ---- users.* ---------------------------------------------------------------------------------

  private usersInfo(args: Record<string, unknown>, auth: TokenRecord): Record<string, unknown> {
    this.requireScope(auth, 'users:read');
    const user = typeof args.user === 'string' ? this.users.get(args.user) : undefined;
    if (!user) throw new SlackApiRefusal('user_not_found');
    return { user: this.userJson(user, auth) };
  }

  private lookupByEmail(args: Record<string, unknown>, auth: TokenRecord): Record<string, unknown> {
    this.requireScope(auth, 'users:read.email');
    const email = typeof args.email === 'string' ? args.email.toLowerCase() : '';
    const user = [...this.users.values()].find((u) => !u.isBot && u.email.toLowerCase() === email);
    if (!user) throw new SlackApiRefusal('users_not_found');
    return { user: this.userJson(user, auth) };
  }

  // ---- OAuth v2 --------------------------------------------------------------------------------

  private authorize(res: ServerResponse, query: URLSearchParams): void {
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri') ?? undefined;
    const state = query.get('state');
    if (clientId !== this.clientId) return sendHtml(res, 400, 'invalid_client_id', 'Unknown client_id.');
    if (redirectUri === undefined)
      return sendHtml(res, 400, 'bad_redirect_uri', 'redirect_uri is required here.');
    if (this.options.redirectUris && !this.options.redirectUris.includes(redirectUri)) {
      return sendHtml(res, 400, 'bad_redirect_uri', 'redirect_uri did not match any configured URIs.');
    }
    const target = new URL(redirectUri);
    if (this.consent === 'deny') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const scopes = (query.get('scope') ?? '').split(',').filter((s) => s !== '');
      const code = this.issueCode({ redirectUri, scopes });
      target.searchParams.set('code', code);
    }
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { Location: target.toString(), 'Cache-Control': 'no-store' });
    res.end();
  }

  private oauthAccess(
    args: Record<string, unknown>,
    authorization: string | undefined,
  ): Record<string, unknown> {
    let clientId = typeof args.client_id === 'string' ? args.client_id : undefined;
    let clientSecret = typeof args.client_secret === 'string' ? args.client_secret : undefined;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decoded.slice(0, colon);
        clientSecret = decoded.slice(colon + 1);
      }
    }
    if (clientId !== this.clientId) throw new SlackApiRefusal('invalid_client_id');
    if (clientSecret !== this.clientSecret) throw new SlackApiRefusal('bad_client_secret');
    const grantType = typeof args.grant_type === 'string' ? args.grant_type : 'authorization_code';
    if (grantType === 'refresh_token') {
      const old =
        typeof args.refresh_token === 'string' ? this.refreshTokens.get(args.refresh_token) : undefined;
      if (!old || old.revoked) throw new SlackApiRefusal('invalid_refresh_token');
      this.refreshTokens.delete(old.refreshToken ?? '');
      const next = this.mintToken('refresh_token', old.scopes, true);
      return {
        app_id: this.appId,
        access_token: next.accessToken,
        token_type: 'bot',
        scope: next.scopes.join(','),
        bot_user_id: this.botUserId,
        team: { id: this.teamId, name: this.teamName },
        enterprise: null,
        is_enterprise_install: false,
        refresh_token: next.refreshToken,
        expires_in: Math.round(this.accessTtlMs / 1000),
      };
    }
    if (grantType !== 'authorization_code') throw new SlackApiRefusal('invalid_grant_type');
    const code = typeof args.code === 'string' ? this.codes.get(args.code) : undefined;
    if (!code || code.used || this.now() > code.expiresAt) throw new SlackApiRefusal('invalid_code');
    const redirectUri = typeof args.redirect_uri === 'string' ? args.redirect_uri : undefined;
    if (code.redirectUri !== undefined && redirectUri !== undefined && redirectUri !== code.redirectUri) {
      throw new SlackApiRefusal('bad_redirect_uri');
    }
    code.used = true;
    const token = this.mintToken(
      'authorization_code',
      code.scopes.length > 0 ? code.scopes : DEFAULT_SLACK.scopes,
      this.tokenRotation,
    );
    const installer = this.defaultUserId();
    return {
      app_id: this.appId,
      authed_user: { id: installer },
      access_token: token.accessToken,
      token_type: 'bot',
      scope: token.scopes.join(','),
      bot_user_id: this.botUserId,
      team: { id: this.teamId, name: this.teamName },
      enterprise: null,
      is_enterprise_install: false,
      ...(token.refreshToken !== undefined
        ? { refresh_token: token.refreshToken, expires_in: Math.round(this.accessTtlMs / 1000) }
        : {}),
    };
  }

  private mintToken(grant: TokenRecord['grant'], scopes: readonly string[], rotating: boolean): TokenRecord {
    const accessToken = rotating
      ? `xoxe.xoxb-1-${randomBytes(24).toString('base64url')}`
      : `xoxb-${digits(12)}-${digits(13)}-${randomBytes(12).toString('hex')}`;
    const record: TokenRecord = {
      accessToken,
      refreshToken: rotating ? `xoxe-1-${randomBytes(32).toString('base64url')}` : undefined,
      grant,
      teamId: this.teamId,
      scopes,
      issuedAt: this.now(),
      expiresAt: rotating ? this.now() + this.accessTtlMs : undefined,
      revoked: false,
    };
    this.tokens.set(accessToken, record);
    if (record.refreshToken !== undefined) this.refreshTokens.set(record.refreshToken, record);
    return record;
  }

  // ---- response_url ----------------------------------------------------------------------------

  private responseSink(res: ServerResponse, path: string, rawBody: string): void {
    const record = this.responseUrls.get(path);
    if (!record) return sendText(res, 404, 'no_such_url');
    if (this.now() > record.expiresAt) return sendText(res, 404, 'expired_url');
    if (record.uses >= RESPONSE_URL_USES) return sendText(res, 404, 'used_url');
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return sendText(res, 400, 'invalid_payload');
    }
    if (typeof body === 'object' && body !== null && 'blocks' in body) {
      const problems = messageBlockProblems(body.blocks);
      if (problems.length > 0) return sendText(res, 400, 'invalid_blocks');
    }
    record.uses += 1;
    this.responseLog.push({ url: `${this.url}${path}`, at: this.now(), body });
    sendText(res, 200, 'ok');
  }

  // ---- JSON shapes -----------------------------------------------------------------------------

  messageJson(message: SimMessage): Record<string, unknown> {
    return {
      type: 'message',
      subtype: message.user === this.botUserId ? 'bot_message' : undefined,
      user: message.user,
      bot_id: message.user === this.botUserId ? this.botId : undefined,
      app_id: message.user === this.botUserId ? this.appId : undefined,
      text: message.text,
      blocks: message.blocks,
      ts: message.ts,
      thread_ts: message.threadTs,
      team: this.teamId,
      ...(message.edits > 0 ? { edited: { user: this.botUserId, ts: message.ts } } : {}),
    };
  }

  viewJson(simView: SimView, teamId: string): Record<string, unknown> {
    return {
      id: simView.id,
      team_id: teamId,
      type: simView.view.type,
      title: simView.view.title,
      submit: simView.view.submit,
      close: simView.view.close,
      blocks: simView.view.blocks,
      private_metadata: simView.view.private_metadata ?? '',
      callback_id: simView.view.callback_id ?? '',
      external_id: simView.view.external_id ?? '',
      state: { values: {} },
      hash: simView.hash,
      clear_on_close: simView.view.clear_on_close ?? false,
      notify_on_close: simView.view.notify_on_close ?? false,
      root_view_id: simView.id,
      previous_view_id: null,
      app_id: this.appId,
      bot_id: this.botId,
    };
  }

  private userJson(user: SimUser, auth: TokenRecord): Record<string, unknown> {
    const email = auth.scopes.includes('users:read.email') && user.email !== '' ? user.email : undefined;
    return {
      id: user.id,
      team_id: this.teamId,
      name: user.name,
      real_name: user.realName,
      deleted: user.deleted ?? false,
      is_bot: user.isBot ?? false,
      is_app_user: false,
      profile: { email, real_name: user.realName, display_name: user.name, team: this.teamId },
    };
  }

  private channelJson(id: string): Record<string, unknown> {
    const channel = this.channelsById.get(id);
    return {
      id,
      name: channel?.name ?? id.toLowerCase(),
      is_channel: !id.startsWith('D'),
      is_private: channel?.isPrivate ?? false,
      is_im: id.startsWith('D'),
      is_member: true,
      is_archived: false,
    };
  }

  // ---- the page --------------------------------------------------------------------------------

  /** Everything the page shows, as JSON (GET /state.json). */
  state(): Record<string, unknown> {
    return {
      team: { id: this.teamId, name: this.teamName },
      channels: [...this.channelsById.values()].map((channel) => ({
        ...channel,
        messages: this.messages(channel.id).map((m) => this.messageSummary(m)),
      })),
      ephemerals: this.ephemeralLog,
      views: this.views(),
      calls: this.log.length,
    };
  }

  private messageSummary(message: SimMessage): Record<string, unknown> {
    return {
      ts: message.ts,
      text: message.text,
      lines: blocksText(message.blocks),
      edits: message.edits,
      replies: message.replies.map((r) => this.messageSummary(r)),
    };
  }

  private page(res: ServerResponse): void {
    const renderMessage = (m: SimMessage): string => {
      const lines = m.blocks !== undefined ? blocksText(m.blocks) : [m.text];
      const replies = m.replies.map((r) => `<li>${renderMessage(r)}</li>`).join('');
      return (
        `<div class="msg"><div class="meta">${escapeHtml(m.ts)}${m.edits > 0 ? ` · edited ${m.edits}×` : ''}</div>` +
        lines.map((line) => `<div class="line">${mrkdwnToHtml(line)}</div>`).join('') +
        (m.replies.length > 0 ? `<ul class="thread">${replies}</ul>` : '') +
        `</div>`
      );
    };
    const channels = [...this.channelsById.values()]
      .map((c) => {
        const messages = this.messages(c.id);
        return (
          `<section><h2>#${escapeHtml(c.name)} <small>${escapeHtml(c.id)}</small></h2>` +
          (messages.length === 0
            ? '<p class="empty">No messages.</p>'
            : messages.map(renderMessage).join('')) +
          `</section>`
        );
      })
      .join('');
    const ephemerals = this.ephemeralLog
      .slice(-20)
      .map(
        (e) =>
          `<div class="msg eph"><div class="meta">only visible to ${escapeHtml(e.user)} in ${escapeHtml(this.channelName(e.channel))}</div>` +
          (e.blocks !== undefined ? blocksText(e.blocks) : [e.text])
            .map((l) => `<div class="line">${mrkdwnToHtml(l)}</div>`)
            .join('') +
          `</div>`,
      )
      .join('');
    const views = this.views()
      .slice(-10)
      .map((v) => {
        const title = (v.view.title as { text?: string } | undefined)?.text ?? '';
        return `<div class="msg"><div class="meta">${escapeHtml(v.id)} for ${escapeHtml(v.user ?? '')}</div><b>${escapeHtml(title)}</b> ${escapeHtml(typeof v.view.callback_id === 'string' ? v.view.callback_id : '')}</div>`;
      })
      .join('');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">` +
        `<title>Slack simulator: ${escapeHtml(this.teamName)}</title><style>` +
        `body{font-family:system-ui,sans-serif;margin:1rem 2rem;background:#f8f8f8}section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}` +
        `.msg{border-left:3px solid #4a154b;padding:.3rem .6rem;margin:.5rem 0}.eph{border-left-color:#999;color:#555}.meta{font-size:.75rem;color:#888}` +
        `.thread{list-style:none;margin:.3rem 0 0 1rem;padding:0}.empty{color:#999}h2 small{color:#999;font-weight:normal;font-size:.7em}` +
        `</style></head><body><h1>Slack simulator · ${escapeHtml(this.teamName)} <small>${escapeHtml(this.teamId)}</small></h1>` +
        `${channels}<section><h2>Ephemeral messages</h2>${ephemerals || '<p class="empty">None.</p>'}</section>` +
        `<section><h2>Views</h2>${views || '<p class="empty">None.</p>'}</section>` +
        `<p class="meta">${this.log.length} Web API calls. Reloads every 2 s.</p></body></html>`,
    );
  }

  // ---- /_simulator/* ---------------------------------------------------------------------------

  private async control(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    rawBody: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { ok: false, error: 'control bodies are JSON objects' });
    }
    const text = (key: string): string | undefined => (typeof body[key] === 'string' ? body[key] : undefined);
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    if (route === 'calls' && method === 'GET')
      return sendJson(res, 200, { ok: true, calls: this.calls(query.get('method') ?? undefined) });
    if (route === 'messages' && method === 'GET') {
      const channel = query.get('channel');
      return sendJson(res, 200, { ok: true, messages: channel === null ? [] : this.messages(channel) });
    }
    if (route === 'state' && method === 'GET') return sendJson(res, 200, this.state());
    if (route === 'faults' && method === 'POST') {
      const target = text('method');
      if (target === undefined) return sendJson(res, 400, { ok: false, error: 'method is required' });
      const times = typeof body.times === 'number' ? body.times : body.times === 'infinite' ? Infinity : 1;
      this.fault(target, { ...(body as SimFault), times });
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'faults' && method === 'DELETE') {
      this.clearFaults();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'users' && method === 'POST') {
      const email = text('email');
      if (email === undefined) return sendJson(res, 400, { ok: false, error: 'email is required' });
      return sendJson(res, 200, {
        ok: true,
        user: this.addUser({ email, id: text('id'), name: text('name'), realName: text('realName') }),
      });
    }
    if (route === 'consent' && method === 'POST') {
      this.setConsent(text('decision') === 'deny' ? 'deny' : 'allow');
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'expire-tokens' && method === 'POST') {
      this.expireTokens();
      return sendJson(res, 200, { ok: true });
    }
    const appBaseUrl = text('appBaseUrl') ?? this.options.appBaseUrl;
    if (['command', 'action', 'event'].includes(route) && method === 'POST') {
      if (appBaseUrl === undefined) return sendJson(res, 400, { ok: false, error: 'appBaseUrl is not set' });
      const sender = this.sender(appBaseUrl);
      const userId = text('userId');
      const response =
        route === 'command'
          ? await sender.command(text('text') ?? 'help', { userId, channelId: text('channelId') })
          : route === 'action'
            ? await sender.action(text('actionId') ?? '', text('value') ?? '', {
                userId,
                channelId: text('channelId'),
                messageTs: text('messageTs'),
              })
            : await sender.event(body.event ?? {});
      return sendJson(res, 200, { ok: true, status: response.status, body: await response.text() });
    }
    sendJson(res, 404, { ok: false, error: `no control route ${method} /_simulator/${route}` });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}0SIM${String(this.idCounter).padStart(6, '0')}`;
  }

  private nextHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function digits(n: number): string {
  let out = String(1 + Math.floor(Math.random() * 9));
  while (out.length < n) out += String(Math.floor(Math.random() * 10));
  return out;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseArgs(contentType: string, rawBody: string, query: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = Object.fromEntries(query);
  if (contentType === 'application/json') {
    const parsed: unknown = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    Object.assign(args, parsed);
  } else if (rawBody !== '') {
    Object.assign(args, Object.fromEntries(new URLSearchParams(rawBody)));
  }
  // WebClient (and Slack's form encoding) send structured arguments as JSON strings
  for (const key of JSON_ARGS) {
    const value = args[key];
    if (typeof value === 'string' && value !== '') {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // left as the string: the method answers invalid_blocks_format or invalid_arguments
      }
    }
  }
  return args;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, title: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    `<!DOCTYPE html><html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Enough mrkdwn for the page: <url|label> links, *bold*, _italic_; everything else shown as text. */
function mrkdwnToHtml(text: string): string {
  const decode = (t: string): string => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const styled = (t: string): string =>
    escapeHtml(decode(t))
      .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
      .replace(/(^|\s)_([^_\n]+)_/g, '$1<i>$2</i>')
      .replace(/\n/g, '<br>');
  let html = '';
  let last = 0;
  for (const match of text.matchAll(/<(https?:\/\/[^|>]+)(?:\|([^>]*))?>/g)) {
    html += styled(text.slice(last, match.index));
    const url = match[1] ?? '';
    html += `<a href="${escapeHtml(decode(url))}">${styled(match[2] ?? url)}</a>`;
    last = match.index + match[0].length;
  }
  return html + styled(text.slice(last));
}
