import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SyncSummaryView } from '../servicenow/dto/servicenow-sync.view';
import { ServiceNowSyncStatus } from '../servicenow/servicenow-sync-status';
import type { IntegrationStatus, LiveIntegrationStatus } from './live-protocol';
import { LiveGateway } from './live.gateway';

/** How often the integrations' health is looked at. */
export const INTEGRATION_CHECK_INTERVAL_MS = 15_000;

/** ServiceNow's health as its sync summary shows it (the Integrations page's own data). */
export function serviceNowStatusOf(summary: SyncSummaryView): {
  status: IntegrationStatus;
  detail: string | null;
} {
  const reconciliation = summary.recentErrors.find((e) => e.operation === 'reconciliation');
  if (reconciliation) return { status: 'down', detail: reconciliation.message };
  if (summary.failedSyncs > 0) {
    return {
      status: 'degraded',
      detail: `${summary.failedSyncs} incident(s) failed to sync${summary.recentErrors[0] ? `: ${summary.recentErrors[0].message}` : ''}`,
    };
  }
  return { status: 'ok', detail: null };
}

/**
 * `integration.status` for admins: the integration's health, sent when it changes. Nothing in
 * ServiceNow's module signals a change, so each instance looks at its sync summary
 * (ServiceNowSyncStatus, exported; two small queries) every INTEGRATION_CHECK_INTERVAL_MS and
 * tells its own sockets of a transition it observed (every instance observes the same database).
 * The first look only sets the baseline. Slack has no cheap health signal yet (docs/live.md).
 */
@Injectable()
export class LiveIntegrationWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveIntegrationWatch.name);
  private timer: NodeJS.Timeout | undefined;
  private last: { status: IntegrationStatus; detail: string | null } | undefined;

  constructor(
    private readonly servicenow: ServiceNowSyncStatus,
    private readonly gateway: LiveGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), INTEGRATION_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One look; sends `integration.status` if the status changed since the last one. */
  async check(): Promise<void> {
    let now: { status: IntegrationStatus; detail: string | null };
    try {
      now = serviceNowStatusOf(await this.servicenow.summary());
    } catch (e) {
      // The database, most likely: that is the database's outage, not ServiceNow's.
      this.logger.debug(`Integration check skipped: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const before = this.last;
    this.last = now;
    if (!before || before.status === now.status) return;
    const event: LiveIntegrationStatus = {
      type: 'integration.status',
      v: 1,
      id: randomUUID(),
      at: new Date().toISOString(),
      integration: 'servicenow',
      ...now,
    };
    this.gateway.publishLocally(event);
  }
}
