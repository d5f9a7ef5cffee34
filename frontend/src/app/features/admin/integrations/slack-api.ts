import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type { ApiSchema } from '../../../core/api/api-schema';

// HAND-WRITTEN (issue 14): the Slack connection view as /work/coord/slack.md specifies it, written
// before the platform's GET /api/integrations/slack is in the OpenAPI document; once it is, this
// becomes `ApiSchema<'…'>` like the routing rules below.

/** Where a workspace's bot token came from. */
export type SlackWorkspaceSource = 'oauth' | 'environment';

export interface SlackWorkspaceView {
  readonly teamId: string;
  readonly teamName: string | null;
  readonly botUserId: string | null;
  readonly scopes: readonly string[];
  /** A rotating token's expiry; null when it does not expire. */
  readonly tokenExpiresAt: string | null;
  readonly source: SlackWorkspaceSource;
}

export interface SlackRecentError {
  readonly at: string;
  /** The Web API method, e.g. `chat.postMessage`. */
  readonly method: string;
  /** Slack's error code (`channel_not_found`, `ratelimited`, …). */
  readonly error: string;
}

/** `GET /api/integrations/slack`. */
export interface SlackConnectionView {
  readonly signingSecretConfigured: boolean;
  readonly oauthConfigured: boolean;
  readonly workspaces: readonly SlackWorkspaceView[];
  readonly defaultChannel: string | null;
  readonly recentErrors: readonly SlackRecentError[];
}

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
/** Starts the OAuth install (a browser navigation, not an XHR: Slack's consent page follows). */
export const SLACK_INSTALL_URL = '/api/slack/install';

/** The Slack connection and routing rules, for admins: the only place that knows their URLs. */
@Injectable({ providedIn: 'root' })
export class SlackApi {
  private readonly http = inject(HttpClient);

  connection(): HttpResourceRef<SlackConnectionView | undefined> {
    return httpResource<SlackConnectionView>(() => SLACK_URL);
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
