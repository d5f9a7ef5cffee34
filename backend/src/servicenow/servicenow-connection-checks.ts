import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ServiceNowHealthView } from './dto/servicenow-health.view';
import type { ServiceNowTestStepView, ServiceNowTestView } from './dto/servicenow-connection.view';
import { ServiceNowCallStats } from './servicenow-call-stats';
import { ServiceNowClient, type ServiceNowRecord } from './servicenow-client';
import { ServiceNowConnectionService } from './servicenow-connection.service';
import { SERVICENOW_SYNC_STATUS, type SyncStatusSource } from './servicenow-sync-status';
import { ServiceNowTokenCache } from './servicenow-token-cache';
import { ServiceNowCallError } from './servicenow.errors';

type Step = ServiceNowTestStepView['step'];

const RECENT_ERRORS = 20;

/** What a failed step shows: the instance's status and own words when it gave them. */
function failureText(e: unknown): string {
  if (!(e instanceof ServiceNowCallError)) return e instanceof Error ? e.message : String(e);
  const words = e.instanceMessage ?? e.message;
  return e.status === null ? words : `${e.status} ${words}`;
}

/** "Test connection" and the health figures of the Integrations page. */
@Injectable()
export class ServiceNowConnectionChecks {
  constructor(
    private readonly connection: ServiceNowConnectionService,
    private readonly client: ServiceNowClient,
    private readonly tokens: ServiceNowTokenCache,
    private readonly stats: ServiceNowCallStats,
    @Optional() @Inject(SERVICENOW_SYNC_STATUS) private readonly sync: SyncStatusSource | null,
  ) {}

  /**
   * Token: a new one from the configured grant. Read: the most recently updated incident. Write:
   * that incident PATCHed with its own short_description, so nothing changes on the instance
   * (sys_mod_count may still move); the instance's 403 text is shown if it refuses. Webhook secret: set.
   */
  async test(): Promise<ServiceNowTestView> {
    const steps: ServiceNowTestStepView[] = [];
    const run = async <T>(
      step: Step,
      work: () => Promise<{ value: T; detail: string }>,
    ): Promise<T | undefined> => {
      const started = performance.now();
      try {
        const { value, detail } = await work();
        steps.push({ step, ok: true, detail, durationMs: Math.round(performance.now() - started) });
        return value;
      } catch (e) {
        steps.push({
          step,
          ok: false,
          detail: failureText(e),
          durationMs: Math.round(performance.now() - started),
        });
        return undefined;
      }
    };
    const skip = (step: Step, detail: string): void =>
      void steps.push({ step, ok: false, detail, durationMs: 0 });

    const settings = await this.connection.settings();
    if (settings === null) {
      for (const step of ['token', 'read', 'write', 'webhook_secret'] as const)
        skip(step, 'No ServiceNow connection is configured');
      return { ok: false, steps };
    }

    const token = await run('token', async () => {
      const t = await this.tokens.obtainNew(settings);
      const seconds = Math.round((t.expiresAt.getTime() - Date.now()) / 1000);
      return { value: t, detail: `Obtained an access token (${t.grant} grant), valid ${seconds} s` };
    });
    let incident: ServiceNowRecord | null | undefined;
    if (token === undefined) {
      skip('read', 'Not tried: no access token');
      skip('write', 'Not tried: no access token');
    } else {
      incident = await run('read', async () => {
        const first = await this.client.testRead();
        return {
          value: first,
          detail: first ? `Read incident ${first.number}` : 'Read the incident table: it has no incident',
        };
      });
      if (incident === undefined) skip('write', 'Not tried: the read step failed');
      else if (incident === null) skip('write', 'Not tried: the instance has no incident to write to');
      else {
        const target = incident;
        await run('write', async () => {
          await this.client.testWrite(target);
          return {
            value: true,
            detail: `Wrote incident ${target.number} (its own short_description: no change)`,
          };
        });
      }
    }
    if (settings.webhookSecret) {
      steps.push({
        step: 'webhook_secret',
        ok: true,
        detail: 'Set: webhooks signed with it are accepted',
        durationMs: 0,
      });
    } else skip('webhook_secret', 'Not set: webhooks from the instance cannot be verified and are refused');
    return { ok: steps.every((s) => s.ok), steps };
  }

  async health(): Promise<ServiceNowHealthView> {
    const [calls, expiries, ownErrors, sync] = await Promise.all([
      this.stats.byOperation(),
      this.tokens.expiries(),
      this.stats.recentErrors(RECENT_ERRORS),
      this.sync ? this.sync.summary() : Promise.resolve(null),
    ]);
    const recentErrors = [...ownErrors, ...(sync?.recentErrors ?? [])]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, RECENT_ERRORS);
    return {
      calls,
      circuit: this.client.circuitState(),
      tokenExpiresAt: expiries.accessTokenExpiresAt?.toISOString() ?? null,
      refreshTokenExpiresAt: expiries.refreshTokenExpiresAt?.toISOString() ?? null,
      lastWebhookAt: sync?.lastWebhookAt ?? null,
      lastReconciliationAt: sync?.lastReconciliationAt ?? null,
      reconciliationLagSeconds: sync?.reconciliationLagSeconds ?? null,
      pendingSyncs: sync?.pendingSyncs ?? null,
      failedSyncs: sync?.failedSyncs ?? null,
      firstImport: sync?.firstImport ?? null,
      recentErrors,
    };
  }
}
