import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { IntegrationSignal } from './live-notification-listener';
import type { IntegrationName, IntegrationStatus } from './live-protocol';

/** A Slack integration with no failed call for this long is `ok` again. */
export const SLACK_QUIET_MS = 60_000;
/** How often a quiet spell is looked for. */
const CHECK_INTERVAL_MS = 15_000;
/** Slack errors that no retry fixes: the workspace's token is gone or refused. */
const SLACK_DOWN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
]);

export interface IntegrationState {
  readonly integration: IntegrationName;
  readonly status: IntegrationStatus;
  readonly detail: string | null;
}

/**
 * The integrations' health as `integration.status` shows it, from the database's signals
 * (migration 1765100000000: neither module signals its health otherwise, and the gateway may not
 * import them):
 * - ServiceNow: `down` when its reconciliation starts failing, `ok` when it succeeds again (the
 *   signal is sent on those transitions only);
 * - Slack: a failed Web API call makes it `degraded` (`down` for an auth error no retry fixes);
 *   SLACK_QUIET_MS without a failure makes it `ok` again.
 * Every instance hears every signal and keeps this state itself; `report` receives changes only.
 */
@Injectable()
export class LiveIntegrationWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly states = new Map<IntegrationName, IntegrationState>();
  private lastSlackFailureAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private report: (state: IntegrationState) => void = () => undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  onChange(report: (state: IntegrationState) => void): void {
    this.report = report;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.checkQuiet(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  signal(signal: IntegrationSignal): void {
    if (signal.integration === 'servicenow') {
      this.set({ integration: 'servicenow', status: signal.ok ? 'ok' : 'down', detail: signal.error });
      return;
    }
    if (signal.ok) return;
    this.lastSlackFailureAt = this.now();
    const down = signal.error !== null && SLACK_DOWN_ERRORS.has(signal.error);
    this.set({ integration: 'slack', status: down ? 'down' : 'degraded', detail: signal.error });
  }

  /** Slack back to `ok` after a quiet spell. */
  checkQuiet(): void {
    const slack = this.states.get('slack');
    if (slack && slack.status !== 'ok' && this.now() - this.lastSlackFailureAt >= SLACK_QUIET_MS) {
      this.set({ integration: 'slack', status: 'ok', detail: null });
    }
  }

  private set(state: IntegrationState): void {
    const before = this.states.get(state.integration);
    this.states.set(state.integration, state);
    if (before?.status === state.status) return;
    // An integration first heard of as ok was ok before too: nothing changed for the console.
    if (!before && state.status === 'ok') return;
    this.report(state);
  }
}
