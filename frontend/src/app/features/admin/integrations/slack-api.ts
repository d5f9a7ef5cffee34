import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type { ApiSchema } from '../../../core/api/api-schema';

/** `GET /api/integrations/slack` (the platform's view of the connection). */
export type SlackConnectionView = ApiSchema<'SlackConnectionView'>;
export type SlackWorkspaceView = ApiSchema<'SlackWorkspaceView'>;
export type SlackRecentError = ApiSchema<'SlackRecentErrorView'>;
/** `GET /api/slack/install` with `Accept: application/json`: where to send the browser. */
export type SlackInstallUrlView = ApiSchema<'SlackInstallUrlView'>;

export type SlackRoutingRuleView = ApiSchema<'SlackRoutingRuleView'>;
export type SlackRoutingRuleListView = ApiSchema<'SlackRoutingRuleListView'>;
export type SlackRoutingRuleCreate = ApiSchema<'CreateSlackRoutingRuleDto'>;
export type SlackRoutingRuleUpdate = ApiSchema<'UpdateSlackRoutingRuleDto'>;
export type IncidentSource = SlackRoutingRuleView['sources'][number];

/** 422: work notes were asked for on a channel that is not marked internal. */
export const SLACK_ROUTE_WORK_NOTES_INTERNAL = 'SLACK_ROUTE_WORK_NOTES_INTERNAL';
/** 409: the order sent is not exactly the rules (someone else added or deleted one). */
export const SLACK_ROUTE_ORDER_MISMATCH = 'SLACK_ROUTE_ORDER_MISMATCH';

export const SLACK_URL = '/api/integrations/slack';
export const SLACK_ROUTES_URL = `${SLACK_URL}/routes`;
/**
 * Starts the OAuth install. Admin-only, so the console asks for it with its token (and
 * `Accept: application/json`), gets Slack's consent URL and sends the browser there.
 */
export const SLACK_INSTALL_URL = '/api/slack/install';

/** The Slack connection and routing rules, for admins: the only place that knows their URLs. */
@Injectable({ providedIn: 'root' })
export class SlackApi {
  private readonly http = inject(HttpClient);

  connection(): HttpResourceRef<SlackConnectionView | undefined> {
    return httpResource<SlackConnectionView>(() => SLACK_URL);
  }

  /** Slack's consent page for a new install (sets the state cookie the callback checks). */
  installUrl(): Observable<SlackInstallUrlView> {
    return this.http.get<SlackInstallUrlView>(SLACK_INSTALL_URL, {
      headers: { Accept: 'application/json' },
      withCredentials: true,
    });
  }

  routes(): HttpResourceRef<SlackRoutingRuleListView | undefined> {
    return httpResource<SlackRoutingRuleListView>(() => SLACK_ROUTES_URL);
  }

  create(rule: SlackRoutingRuleCreate): Observable<SlackRoutingRuleView> {
    return this.http.post<SlackRoutingRuleView>(SLACK_ROUTES_URL, rule);
  }

  update(id: string, change: SlackRoutingRuleUpdate): Observable<SlackRoutingRuleView> {
    return this.http.patch<SlackRoutingRuleView>(`${SLACK_ROUTES_URL}/${encodeURIComponent(id)}`, change);
  }

  remove(id: string): Observable<unknown> {
    return this.http.delete(`${SLACK_ROUTES_URL}/${encodeURIComponent(id)}`);
  }

  /** Every rule id, in the new order. */
  reorder(ids: readonly string[]): Observable<SlackRoutingRuleListView> {
    return this.http.put<SlackRoutingRuleListView>(`${SLACK_ROUTES_URL}/order`, { ids });
  }
}
