/*
 * STAND-IN (helper H3, issue 13): a minimal ServiceNowClient with exactly the contract's
 * signatures (coord/issue-13.md), so the sync compiles and is tested before H2's client lands:
 * plain fetch, a bearer token from the token function given to the constructor, the error
 * envelope parsed into ServiceNowCallError. No retries, circuit breaker or call statistics: H2's
 * servicenow-client.ts replaces this whole file at merge (and its provider in servicenow.module.ts).
 * Nothing of the sync lives here.
 */
import { Injectable } from '@nestjs/common';
import { ServiceNowCallError } from './servicenow.errors';

export type ServiceNowRecord = {
  sys_id: string;
  number: string;
  sys_mod_count: string;
  sys_updated_on: string;
} & Record<string, unknown>;

export interface JournalEntry {
  sys_id: string;
  element: 'comments' | 'work_notes';
  value: string;
  sys_created_by: string;
  sys_created_on: string;
}

export interface ServiceNowPage {
  records: ServiceNowRecord[];
  total: number | null;
  nextUrl: string | null;
}

/** Where the instance is and how to get a bearer token for it (null: not configured). */
export interface ServiceNowEndpoint {
  instanceUrl(): Promise<string | null>;
  token(): Promise<string>;
}

const PERMANENT = new Set([400, 403, 404, 405, 415]);

@Injectable()
export class ServiceNowClient {
  private closeCodeCache: { at: number; codes: { value: string; label: string }[] } | undefined;

  constructor(private readonly endpoint: ServiceNowEndpoint) {}

  async isConfigured(): Promise<boolean> {
    return (await this.endpoint.instanceUrl()) !== null;
  }

  async listIncidents(
    query: string,
    opts: { fields?: string[]; limit?: number; offset?: number } = {},
  ): Promise<ServiceNowPage> {
    const params = new URLSearchParams({ sysparm_query: query, sysparm_exclude_reference_link: 'true' });
    if (opts.fields) params.set('sysparm_fields', opts.fields.join(','));
    if (opts.limit !== undefined) params.set('sysparm_limit', String(opts.limit));
    if (opts.offset !== undefined) params.set('sysparm_offset', String(opts.offset));
    const res = await this.call('GET', `/api/now/table/incident?${params.toString()}`);
    const body = (await res.json()) as { result: ServiceNowRecord[] };
    const total = res.headers.get('x-total-count');
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    return { records: body.result, total: total === null ? null : Number(total), nextUrl: next };
  }

  async getIncident(sysId: string): Promise<ServiceNowRecord | null> {
    try {
      const res = await this.call(
        'GET',
        `/api/now/table/incident/${encodeURIComponent(sysId)}?sysparm_exclude_reference_link=true`,
      );
      return ((await res.json()) as { result: ServiceNowRecord }).result;
    } catch (e) {
      if (e instanceof ServiceNowCallError && e.status === 404) return null;
      throw e;
    }
  }

  async createIncident(fields: Record<string, string>): Promise<ServiceNowRecord> {
    const res = await this.call(
      'POST',
      '/api/now/table/incident?sysparm_exclude_reference_link=true',
      fields,
    );
    return ((await res.json()) as { result: ServiceNowRecord }).result;
  }

  async updateIncident(sysId: string, fields: Record<string, string>): Promise<ServiceNowRecord> {
    const res = await this.call(
      'PATCH',
      `/api/now/table/incident/${encodeURIComponent(sysId)}?sysparm_exclude_reference_link=true`,
      fields,
    );
    return ((await res.json()) as { result: ServiceNowRecord }).result;
  }

  async listJournal(sysId: string, sinceUtc?: string): Promise<JournalEntry[]> {
    const query =
      `element_id=${sysId}^elementINcomments,work_notes` +
      (sinceUtc ? `^sys_created_on>=${sinceUtc}` : '') +
      '^ORDERBYsys_created_on';
    const params = new URLSearchParams({
      sysparm_query: query,
      sysparm_fields: 'sys_id,element,value,sys_created_by,sys_created_on',
    });
    const res = await this.call('GET', `/api/now/table/sys_journal_field?${params.toString()}`);
    return ((await res.json()) as { result: JournalEntry[] }).result;
  }

  async closeCodes(): Promise<{ value: string; label: string }[]> {
    if (this.closeCodeCache && Date.now() - this.closeCodeCache.at < 600_000)
      return this.closeCodeCache.codes;
    const params = new URLSearchParams({
      sysparm_query: 'name=incident^element=close_code^inactive=false^ORDERBYsequence',
      sysparm_fields: 'value,label',
    });
    const res = await this.call('GET', `/api/now/table/sys_choice?${params.toString()}`);
    const codes = ((await res.json()) as { result: { value: string; label: string }[] }).result;
    this.closeCodeCache = { at: Date.now(), codes };
    return codes;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const base = await this.endpoint.instanceUrl();
    if (!base) throw new ServiceNowCallError('not_configured', null, null, 'ServiceNow is not configured');
    let token: string;
    try {
      token = await this.endpoint.token();
    } catch (e) {
      throw new ServiceNowCallError('auth', null, e instanceof Error ? e.message : String(e));
    }
    let res: Response;
    try {
      res = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new ServiceNowCallError('transient', null, e instanceof Error ? e.message : String(e));
    }
    if (res.ok) return res;
    const text = await res.text();
    let message: string | null;
    try {
      const envelope = JSON.parse(text) as { error?: { message?: string; detail?: string | null } };
      message = [envelope.error?.message, envelope.error?.detail].filter(Boolean).join(': ') || null;
    } catch {
      message = text.slice(0, 500) || null;
    }
    const kind = res.status === 401 ? 'auth' : PERMANENT.has(res.status) ? 'permanent' : 'transient';
    throw new ServiceNowCallError(kind, res.status, message);
  }
}
