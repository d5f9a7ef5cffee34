import { ApiProperty } from '@nestjs/swagger';
import { FirstImportView } from './servicenow-sync.view';

export class ServiceNowCallStatsView {
  @ApiProperty({ example: 'incident.update' })
  operation!: string;

  @ApiProperty({ example: 120, description: 'HTTP calls in the last 24 hours (each retry counts)' })
  count!: number;

  @ApiProperty({ example: 3 })
  errors!: number;

  @ApiProperty({ example: 140, nullable: true, type: Number })
  p50Ms!: number | null;

  @ApiProperty({ example: 410, nullable: true, type: Number })
  p95Ms!: number | null;

  @ApiProperty({ example: 'Operation Failed: Data Policy Exception', nullable: true, type: String })
  lastError!: string | null;

  @ApiProperty({ example: '2026-12-04T09:12:00.000Z', nullable: true, type: String })
  lastErrorAt!: string | null;
}

export class ServiceNowRecentErrorView {
  @ApiProperty({ example: '2026-12-04T09:12:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'incident.update' })
  operation!: string;

  @ApiProperty({ example: 403, nullable: true, type: Number })
  status!: number | null;

  @ApiProperty({ example: 'Operation Failed: Data Policy Exception' })
  message!: string;
}

export class ServiceNowHealthView {
  @ApiProperty({ type: [ServiceNowCallStatsView] })
  calls!: ServiceNowCallStatsView[];

  @ApiProperty({
    enum: ['closed', 'open', 'half_open'],
    example: 'closed',
    description: 'This instance’s circuit breaker: open means calls fail fast until a probe succeeds',
  })
  circuit!: 'closed' | 'open' | 'half_open';

  @ApiProperty({ example: '2026-12-04T09:30:00.000Z', nullable: true, type: String })
  tokenExpiresAt!: string | null;

  @ApiProperty({
    example: '2027-03-14T09:00:00.000Z',
    nullable: true,
    type: String,
    description:
      'Estimated (ServiceNow does not say): obtained + 100 days; the grant is re-run when it lapses',
  })
  refreshTokenExpiresAt!: string | null;

  @ApiProperty({ example: '2026-12-04T09:12:00.000Z', nullable: true, type: String })
  lastWebhookAt!: string | null;

  @ApiProperty({ example: '2026-12-04T09:10:00.000Z', nullable: true, type: String })
  lastReconciliationAt!: string | null;

  @ApiProperty({ example: 42, nullable: true, type: Number })
  reconciliationLagSeconds!: number | null;

  @ApiProperty({ example: 0, nullable: true, type: Number })
  pendingSyncs!: number | null;

  @ApiProperty({ example: 0, nullable: true, type: Number })
  failedSyncs!: number | null;

  @ApiProperty({
    example: {
      state: 'running',
      imported: 120,
      total: 250,
      startedAt: '2026-12-04T09:00:00.000Z',
      finishedAt: null,
      lastError: null,
    },
    type: FirstImportView,
    nullable: true,
    description: "The first connection's import of open incidents: progress while it runs",
  })
  firstImport!: FirstImportView | null;

  @ApiProperty({ type: [ServiceNowRecentErrorView] })
  recentErrors!: ServiceNowRecentErrorView[];
}
