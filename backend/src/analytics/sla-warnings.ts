import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Outbox } from '../deliveries/outbox';
import { IncidentQueries } from '../incidents/incident-queries';
import { INCIDENT_EVENTS } from '../incidents/incident.events';

export const SLA_WARNING_THRESHOLDS = [50, 75, 90] as const;
export type SlaWarningThreshold = (typeof SLA_WARNING_THRESHOLDS)[number];

/** Incidents warned per run: a backlog of them (first start on an old database) takes a few runs. */
const BATCH = 200;

const SCAN_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtext('nexecute:analytics-sla-warnings')) AS acquired`;

/**
 * Claims the thresholds reached and not yet warned of: open incidents still within their SLA due
 * time (a breach is no longer a warning) whose elapsed time since opening is at least the
 * threshold's share of the target (opened → due). The ledger's key makes each one once.
 */
const CLAIM_SQL = `
  INSERT INTO analytics_sla_warnings (incident_id, threshold)
  SELECT i.id, t.threshold
    FROM incidents i
   CROSS JOIN (VALUES (50), (75), (90)) AS t(threshold)
   WHERE i.state IN ('new', 'in_progress', 'on_hold')
     AND i.sla_due_at > now()
     AND i.sla_due_at > i.opened_at
     AND now() >= i.opened_at + (i.sla_due_at - i.opened_at) * (t.threshold / 100.0)
     AND NOT EXISTS (SELECT 1 FROM analytics_sla_warnings w WHERE w.incident_id = i.id AND w.threshold = t.threshold)
   ORDER BY i.sla_due_at, t.threshold
   LIMIT ${BATCH}
  RETURNING incident_id, threshold, raised_at`;

export interface RaisedWarning {
  readonly incidentId: string;
  readonly threshold: SlaWarningThreshold;
}

/**
 * SLA warnings (docs/metrics.md): every ANALYTICS_SLA_SCAN_INTERVAL_MS, under an advisory lock (one
 * instance scans), each open incident that has used 50, 75 or 90 % of its resolution target is
 * announced once per threshold as `incident.sla_warning`, published through the outbox in the
 * transaction that records it, so the Slack and live consumers learn of it exactly when it is
 * recorded.
 */
@Injectable()
export class SlaWarnings implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SlaWarnings.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly incidents: IncidentQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.analytics.slaScanIntervalMs;
    if (interval === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.scan()
        .catch((e: unknown) => this.logger.warn(`SLA warning scan failed: ${String(e)}`))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run: the warnings it raised (none while another instance scans). */
  async scan(): Promise<RaisedWarning[]> {
    return this.dataSource.transaction(async (m) => {
      const [lock] = await m.query<{ acquired: boolean }[]>(SCAN_LOCK_SQL);
      if (!lock?.acquired) return [];
      const claimed =
        await m.query<{ incident_id: string; threshold: SlaWarningThreshold; raised_at: Date }[]>(CLAIM_SQL);
      for (const w of claimed) {
        const incident = await this.incidents.get(w.incident_id);
        const openedAt = Date.parse(incident.openedAt);
        const dueAt = Date.parse(incident.slaDueAt);
        await this.outbox.publish(m, INCIDENT_EVENTS, {
          aggregateType: 'incident',
          aggregateId: incident.id,
          aggregateVersion: incident.version,
          actor: { type: 'system', id: 'analytics', label: 'SLA monitor' },
          type: 'incident.sla_warning',
          payloads: {
            1: {
              incident,
              threshold: w.threshold,
              targetSeconds: Math.round((dueAt - openedAt) / 1000),
              elapsedSeconds: Math.round((w.raised_at.getTime() - openedAt) / 1000),
              dueAt: incident.slaDueAt,
            },
          },
        });
      }
      if (claimed.length) this.logger.log(`SLA warnings raised: ${claimed.length}`);
      return claimed.map((w) => ({ incidentId: w.incident_id, threshold: w.threshold }));
    });
  }
}
