import { ApiProperty } from '@nestjs/swagger';
import type { FieldOwner } from '../servicenow-field-map';

export class IncidentSyncView {
  @ApiProperty({ example: true, description: 'The incident has a ServiceNow record' })
  linked!: boolean;

  @ApiProperty({ example: '9d385017c611228701d22104cc95c371', nullable: true, type: String })
  sysId!: string | null;

  @ApiProperty({ example: 'INC0010002', nullable: true, type: String })
  number!: string | null;

  @ApiProperty({
    example:
      'https://acme.service-now.com/nav_to.do?uri=incident.do%3Fsys_id%3D9d385017c611228701d22104cc95c371',
    nullable: true,
    type: String,
  })
  url!: string | null;

  @ApiProperty({ example: '2026-12-04T09:12:00.000Z', nullable: true, type: String })
  lastSyncedAt!: string | null;

  @ApiProperty({ example: 'synced', enum: ['synced', 'pending', 'failed', 'not_linked'] })
  status!: 'synced' | 'pending' | 'failed' | 'not_linked';

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: "The last failure, with the instance's own message",
  })
  lastError!: string | null;
}

export class FieldPolicyView {
  @ApiProperty({ example: 'title', description: 'Our incident field' })
  ours!: string;

  @ApiProperty({ example: 'short_description', description: "ServiceNow's incident field" })
  theirs!: string;

  @ApiProperty({ example: 'last_writer', enum: ['servicenow', 'nexecute', 'last_writer'] })
  owner!: FieldOwner;
}

export class ConflictPolicyView {
  @ApiProperty({ type: [FieldPolicyView] })
  fields!: FieldPolicyView[];
}

export class SyncErrorView {
  @ApiProperty({ example: '2026-12-04T09:12:00.000Z', nullable: true, type: String })
  at!: string | null;

  @ApiProperty({ example: 'sync INC0001234' })
  operation!: string;

  @ApiProperty({ example: 403, nullable: true, type: Number })
  status!: number | null;

  @ApiProperty({ example: 'ServiceNow refused the change (403): Data policy: close notes are mandatory' })
  message!: string;
}

/** The first connection's import of the instance's open incidents (docs/servicenow.md, "Reconciliation"). */
export class FirstImportView {
  @ApiProperty({
    enum: ['pending', 'running', 'done', 'failed'],
    example: 'running',
    description:
      'pending: not started (no reconciliation has run since the connection was made); running: one ' +
      'instance of the app is paging through; done; failed: stopped at an error, the next ' +
      'reconciliation resumes where it stopped',
  })
  state!: 'pending' | 'running' | 'done' | 'failed';

  @ApiProperty({ example: 200, description: 'Open incidents read and queued for import so far' })
  imported!: number;

  @ApiProperty({
    example: 250,
    nullable: true,
    type: Number,
    description:
      "The instance's count of open incidents (X-Total-Count) when the import started; once done, at " +
      'least `imported` (incidents opened during the import count too). null before the first page',
  })
  total!: number | null;

  @ApiProperty({ example: '2026-12-04T09:10:00.000Z', nullable: true, type: String })
  startedAt!: string | null;

  @ApiProperty({ example: '2026-12-04T09:10:42.000Z', nullable: true, type: String })
  finishedAt!: string | null;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: "Why the last attempt failed, with the instance's own message",
  })
  lastError!: string | null;
}

/** The sync's part of GET /api/integrations/servicenow/health. */
export class SyncSummaryView {
  @ApiProperty({ example: '2026-12-04T09:12:00.000Z', nullable: true, type: String })
  lastWebhookAt!: string | null;

  @ApiProperty({ example: '2026-12-04T09:10:00.000Z', nullable: true, type: String })
  lastReconciliationAt!: string | null;

  @ApiProperty({
    example: 120,
    nullable: true,
    type: Number,
    description:
      'Seconds since the last successful reconciliation: how far behind a lost webhook can leave us',
  })
  reconciliationLagSeconds!: number | null;

  @ApiProperty({ example: 0 })
  pendingSyncs!: number;

  @ApiProperty({ example: 1 })
  failedSyncs!: number;

  @ApiProperty({ type: FirstImportView })
  firstImport!: FirstImportView;

  @ApiProperty({ type: [SyncErrorView] })
  recentErrors!: SyncErrorView[];
}

export class WebhookAcceptedView {
  @ApiProperty({ example: 'accepted' })
  status!: 'accepted';

  @ApiProperty({
    example: '5f0c1b7e-8a3d-4c2b-9e1f-0a7b6c5d4e3f',
    description: 'The stored event (the first receipt for a duplicate)',
  })
  event_id!: string;

  @ApiProperty({
    example: true,
    required: false,
    description: 'Present when this event_id was received before',
  })
  duplicate?: boolean;
}
