import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IBackoff,
} from 'cockatiel';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ServiceNowCallStats } from './servicenow-call-stats';
import { ServiceNowConnectionService } from './servicenow-connection.service';
import {
  errorTextOf,
  retryAfterSecondsOf,
  ServiceNowExchange,
  type ServiceNowAnswer,
} from './servicenow-http';
import type { ServiceNowSettings } from './servicenow-settings';
import { ServiceNowTokenCache } from './servicenow-token-cache';
import { ServiceNowCallError } from './servicenow.errors';

/** A Table API record, raw values (strings; references as bare sys_ids). */
export type ServiceNowRecord = {
  sys_id: string;
  number: string;
  sys_mod_count: string;
  sys_updated_on: string;
} & Record<string, unknown>;

/** A row of `sys_journal_field`: one comment or work note. */
export interface JournalEntry {
  sys_id: string;
  element: 'comments' | 'work_notes';
  value: string;
  sys_created_by: string;
  sys_created_on: string;
}

export interface ServiceNowPage {
  records: ServiceNowRecord[];
  /** `X-Total-Count`; null when the instance did not send it. */
  total: number | null;
  /** The `Link` header's `rel="next"` URL; null on the last page. */
  nextUrl: string | null;
}

export type CircuitStatus = 'closed' | 'open' | 'half_open';

const CLOSE_CODES_TTL_MS = 10 * 60 * 1000;
const JOURNAL_PAGE = 500;
/** First back-off delay and cap when the instance gave no Retry-After (cockatiel's decorrelated jitter). */
const BACKOFF = { initialDelay: 250, maxDelay: 10_000 };

type Method = 'GET' | 'POST' | 'PATCH';

/**
 * The Table API of the configured instance (protocols.md §1.1). Every call:
 * - carries a bearer token from ServiceNowTokenCache, renewed once and retried once on a 401;
 * - is limited to SERVICENOW_TIMEOUT_MS per HTTP exchange;
 * - is retried on 429, 5xx, timeouts and network errors with exponential back-off and jitter,
 *   waiting what `Retry-After` (else `X-RateLimit-Reset`) asks, for at most SERVICENOW_MAX_RETRIES
 *   retries and SERVICENOW_RETRY_BUDGET_MS in all: past that it reports a transient failure and
 *   the caller (the outbox) tries again later, so a delivery attempt never hangs for minutes;
 * - goes through a circuit breaker: SERVICENOW_CIRCUIT_FAILURES consecutive 5xx/timeouts/network
 *   errors open it, calls then fail fast (transient) until, after SERVICENOW_CIRCUIT_HALF_OPEN_MS,
 *   one probe call is let through and closes it again on success;
 * - fails with a ServiceNowCallError carrying the instance's own error text.
 * References are read as bare sys_ids (`sysparm_exclude_reference_link`), values raw.
 */
@Injectable()
export class ServiceNowClient {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly exchange: ServiceNowExchange;
  private closeCodesCache:
    { instanceUrl: string; at: number; codes: { value: string; label: string }[] } | undefined;

  constructor(
    private readonly connection: ServiceNowConnectionService,
    private readonly tokens: ServiceNowTokenCache,
    private readonly stats: ServiceNowCallStats,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.exchange = new ServiceNowExchange(config.servicenow.timeoutMs, stats);
    this.breaker = circuitBreaker(
      handleWhen(
        (e) => e instanceof ServiceNowCallError && e.kind === 'transient' && (e.status ?? 500) >= 500,
      ),
      {
        breaker: new ConsecutiveBreaker(config.servicenow.circuitFailures),
        halfOpenAfter: config.servicenow.circuitHalfOpenMs,
      },
    );
  }

  async isConfigured(): Promise<boolean> {
    const settings = await this.connection.settings();
    return settings !== null && settings.enabled;
  }

  /** `GET /api/now/table/incident?sysparm_query=…` (one page; `limit` default 100). */
  async listIncidents(
    query: string,
    opts: { fields?: string[]; limit?: number; offset?: number } = {},
  ): Promise<ServiceNowPage> {
    const params: Record<string, string> = {
      sysparm_query: query,
      sysparm_limit: String(opts.limit ?? 100),
      sysparm_offset: String(opts.offset ?? 0),
    };
    if (opts.fields?.length) params.sysparm_fields = opts.fields.join(',');
    const answer = await this.call('incident.list', 'GET', '/api/now/table/incident', params);
    const total = answer.headers.get('x-total-count');
    return {
      records: resultList(answer) as ServiceNowRecord[],
      total: total !== null && /^\d+$/.test(total) ? Number(total) : null,
      nextUrl: nextLinkOf(answer.headers.get('link')),
    };
  }

  /** null when the instance has no such incident (or an ACL hides it: ServiceNow answers 404 for both). */
  async getIncident(sysId: string): Promise<ServiceNowRecord | null> {
    try {
      const answer = await this.call(
        'incident.get',
        'GET',
        `/api/now/table/incident/${encodeURIComponent(sysId)}`,
      );
      return resultRecord(answer, 'incident.get');
    } catch (e) {
      if (e instanceof ServiceNowCallError && e.status === 404) return null;
      throw e;
    }
  }

  /** `POST`: 201 with the new record (its sys_id and number). */
  async createIncident(fields: Record<string, string>): Promise<ServiceNowRecord> {
    const answer = await this.call('incident.create', 'POST', '/api/now/table/incident', {}, fields);
    return resultRecord(answer, 'incident.create');
  }

  /** `PATCH` of only the given fields; answers the whole record. */
  async updateIncident(sysId: string, fields: Record<string, string>): Promise<ServiceNowRecord> {
    const answer = await this.call(
      'incident.update',
      'PATCH',
      `/api/now/table/incident/${encodeURIComponent(sysId)}`,
      {},
      fields,
    );
    return resultRecord(answer, 'incident.update');
  }

  /**
   * Comments and work notes of an incident, oldest first, from `sys_journal_field`; `sinceUtc`
   * (`YYYY-MM-DD HH:MM:SS` UTC, or ISO 8601) keeps entries created at or after it.
   */
  async listJournal(sysId: string, sinceUtc?: string): Promise<JournalEntry[]> {
    let query = `element_id=${sysId}^elementINcomments,work_notes`;
    if (sinceUtc) query += `^sys_created_on>=${glideDateTime(sinceUtc)}`;
    query += '^ORDERBYsys_created_on';
    const entries: JournalEntry[] = [];
    for (let offset = 0; ; offset += JOURNAL_PAGE) {
      const answer = await this.call('journal.list', 'GET', '/api/now/table/sys_journal_field', {
        sysparm_query: query,
        sysparm_fields: 'sys_id,element,value,sys_created_by,sys_created_on',
        sysparm_limit: String(JOURNAL_PAGE),
        sysparm_offset: String(offset),
      });
      const page = resultList(answer) as unknown as JournalEntry[];
      entries.push(...page.filter((e) => e.element === 'comments' || e.element === 'work_notes'));
      if (page.length < JOURNAL_PAGE) return entries;
    }
  }

  /** The instance's active incident close codes (`sys_choice`), cached 10 minutes. */
  async closeCodes(): Promise<{ value: string; label: string }[]> {
    const settings = await this.requireSettings('choice.list');
    const cached = this.closeCodesCache;
    if (cached && cached.instanceUrl === settings.instanceUrl && Date.now() - cached.at < CLOSE_CODES_TTL_MS)
      return cached.codes;
    const answer = await this.call('choice.list', 'GET', '/api/now/table/sys_choice', {
      sysparm_query: 'name=incident^element=close_code^inactive=false^ORDERBYsequence',
      sysparm_fields: 'value,label',
    });
    const seen = new Set<string>();
    const codes = (resultList(answer) as { value?: unknown; label?: unknown }[])
      .filter((c): c is { value: string; label: unknown } => typeof c.value === 'string' && c.value !== '')
      .filter((c) => !seen.has(c.value) && seen.add(c.value))
      .map((c) => ({
        value: c.value,
        label: typeof c.label === 'string' && c.label !== '' ? c.label : c.value,
      }));
    this.closeCodesCache = { instanceUrl: settings.instanceUrl, at: Date.now(), codes };
    return codes;
  }

  /** The incident's page on the instance, for links; null when not configured. */
  async recordUrl(sysId: string): Promise<string | null> {
    const settings = await this.connection.settings();
    return settings
      ? `${settings.instanceUrl}/nav_to.do?uri=incident.do%3Fsys_id%3D${encodeURIComponent(sysId)}`
      : null;
  }

  /**
   * "Test connection" (an admin's explicit request, so even while the connection is disabled):
   * the most recently updated incident, then that incident PATCHed with its own
   * short_description, which changes nothing on the instance.
   */
  async testRead(): Promise<ServiceNowRecord | null> {
    const answer = await this.call(
      'incident.list',
      'GET',
      '/api/now/table/incident',
      {
        sysparm_query: 'ORDERBYDESCsys_updated_on',
        sysparm_fields: 'sys_id,number,short_description',
        sysparm_limit: '1',
      },
      undefined,
      true,
    );
    return (resultList(answer)[0] as ServiceNowRecord | undefined) ?? null;
  }

  async testWrite(record: ServiceNowRecord): Promise<ServiceNowRecord> {
    const shortDescription = typeof record.short_description === 'string' ? record.short_description : '';
    const answer = await this.call(
      'incident.update',
      'PATCH',
      `/api/now/table/incident/${encodeURIComponent(record.sys_id)}`,
      {},
      { short_description: shortDescription },
      true,
    );
    return resultRecord(answer, 'incident.update');
  }

  /** This instance's circuit breaker. */
  circuitState(): CircuitStatus {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half_open';
      default:
        return 'open';
    }
  }

  private async requireSettings(operation: string, evenDisabled = false): Promise<ServiceNowSettings> {
    const settings = await this.connection.settings();
    if (settings === null || (!settings.enabled && !evenDisabled)) {
      throw new ServiceNowCallError({
        kind: 'not_configured',
        operation,
        reason:
          settings === null
            ? 'no ServiceNow connection is configured'
            : 'the ServiceNow connection is disabled',
      });
    }
    return settings;
  }

  /** One logical call: retries (within the budget) around the breaker around one attempt. */
  private async call(
    operation: string,
    method: Method,
    path: string,
    params: Record<string, string> = {},
    body?: Record<string, string>,
    evenDisabled = false,
  ): Promise<ServiceNowAnswer> {
    const settings = await this.requireSettings(operation, evenDisabled);
    const url = new URL(`${settings.instanceUrl}${path}`);
    if (method === 'GET') {
      url.searchParams.set('sysparm_exclude_reference_link', 'true');
      url.searchParams.set('sysparm_display_value', 'false');
    }
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);

    const { retryBudgetMs, maxRetries } = this.config.servicenow;
    const started = Date.now();
    let backoff: IBackoff<unknown> = new ExponentialBackoff(BACKOFF).next();
    let planned = 0;
    const policy = retry(
      handleWhen((e) => {
        if (!(e instanceof ServiceNowCallError) || !e.retryable) return false;
        let delay: number;
        if (e.retryAfterSeconds !== null) delay = e.retryAfterSeconds * 1000;
        else {
          delay = backoff.duration;
          backoff = backoff.next(undefined);
        }
        // Past the budget the failure is reported now: the caller's own retry (the outbox) takes over.
        if (Date.now() - started + delay > retryBudgetMs) return false;
        planned = delay;
        return true;
      }),
      { maxAttempts: maxRetries, backoff: new DelegateBackoff(() => planned) },
    );
    return policy.execute(() =>
      this.throughBreaker(operation, () => this.attempt(operation, settings, method, url, body)),
    );
  }

  private async throughBreaker<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(fn);
    } catch (e) {
      if (!(e instanceof BrokenCircuitError)) throw e;
      const reason = 'circuit open: recent calls failed, not calling the instance for now';
      this.stats.record({ operation, status: null, ok: false, durationMs: 0, error: reason });
      throw new ServiceNowCallError({ kind: 'transient', operation, reason, failure: 'circuit_open' });
    }
  }

  private async attempt(
    operation: string,
    settings: ServiceNowSettings,
    method: Method,
    url: URL,
    body: Record<string, string> | undefined,
  ): Promise<ServiceNowAnswer> {
    const send = (token: string) =>
      this.exchange.send(operation, url.toString(), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const token = await this.tokens.accessToken(settings);
    let answer = await send(token);
    if (answer.status === 401) {
      // Expired or revoked before we thought: one renewal, one retry.
      answer = await send(await this.tokens.renewAfterRejection(settings, token));
    }
    if (answer.status < 300) return answer;
    throw callErrorOf(operation, answer);
  }
}

function callErrorOf(operation: string, answer: ServiceNowAnswer): ServiceNowCallError {
  const { status } = answer;
  const instanceMessage = errorTextOf(answer.body);
  if (status === 429 || status >= 500) {
    return new ServiceNowCallError({
      kind: 'transient',
      operation,
      status,
      instanceMessage,
      retryAfterSeconds: retryAfterSecondsOf(answer.headers),
    });
  }
  if (status === 401) return new ServiceNowCallError({ kind: 'auth', operation, status, instanceMessage });
  return new ServiceNowCallError({
    kind: 'permanent',
    operation,
    status,
    instanceMessage,
    reason: status < 400 ? `unexpected ${status} answer` : undefined,
  });
}

function resultOf(answer: ServiceNowAnswer): unknown {
  const body = answer.body;
  return typeof body === 'object' && body !== null ? (body as { result?: unknown }).result : undefined;
}

function resultList(answer: ServiceNowAnswer): Record<string, unknown>[] {
  const result = resultOf(answer);
  return Array.isArray(result) ? (result as Record<string, unknown>[]) : [];
}

function resultRecord(answer: ServiceNowAnswer, operation: string): ServiceNowRecord {
  const result = resultOf(answer);
  if (
    typeof result !== 'object' ||
    result === null ||
    typeof (result as { sys_id?: unknown }).sys_id !== 'string'
  ) {
    throw new ServiceNowCallError({
      kind: 'permanent',
      operation,
      status: answer.status,
      reason: 'the answer carried no record (is X-no-response-body set on the instance?)',
    });
  }
  return result as ServiceNowRecord;
}

/** `Link: <url>;rel="first",<url>;rel="next"` → the next URL. */
function nextLinkOf(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (match?.[1]) return match[1];
  }
  return null;
}

/** ISO 8601 → `YYYY-MM-DD HH:MM:SS` (UTC); the Glide form is passed through. */
function glideDateTime(value: string): string {
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return value;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a date-time: ${value}`);
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
