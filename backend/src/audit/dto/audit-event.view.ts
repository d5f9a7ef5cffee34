import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTOR_TYPES, type AuditActorType } from '../audit-actions';
import type { AuditEvent } from '../audit-event.entity';

export class AuditActorView {
  @ApiProperty({ example: 'user', enum: AUDIT_ACTOR_TYPES })
  type!: AuditActorType;

  @ApiProperty({ example: '0d1f3c5e-8f4b-4c1e-9a7d-2b6e4f1a9c33', nullable: true, type: String })
  id!: string | null;

  @ApiProperty({ example: 'alice@example.com', nullable: true, type: String })
  label!: string | null;
}

export class AuditTargetView {
  @ApiProperty({ example: 'user' })
  type!: string;

  @ApiProperty({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71' })
  id!: string;

  @ApiProperty({ example: 'bob@example.com', nullable: true, type: String })
  label!: string | null;
}

export class AuditEventView {
  @ApiProperty({ example: '1042' })
  id!: string;

  @ApiProperty({ example: '2026-11-25T09:14:03.120Z' })
  occurredAt!: string;

  @ApiProperty({ type: AuditActorView })
  actor!: AuditActorView;

  @ApiProperty({ example: 'user.disabled' })
  action!: string;

  @ApiProperty({ example: 'success', enum: ['success', 'failure'] })
  outcome!: 'success' | 'failure';

  @ApiProperty({
    type: AuditTargetView,
    nullable: true,
    example: { type: 'user', id: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71', label: 'bob@example.com' },
  })
  target!: AuditTargetView | null;

  @ApiProperty({ example: '203.0.113.7', nullable: true, type: String })
  ip!: string | null;

  @ApiProperty({ example: 'Mozilla/5.0', nullable: true, type: String })
  userAgent!: string | null;

  @ApiProperty({ example: '3f0c1a52-8a2e-4a57-9a61-2b1f3f0f6c11', nullable: true, type: String })
  requestId!: string | null;

  @ApiProperty({ example: { status: 'active' }, nullable: true, type: Object, additionalProperties: true })
  before!: Record<string, unknown> | null;

  @ApiProperty({ example: { status: 'disabled' }, nullable: true, type: Object, additionalProperties: true })
  after!: Record<string, unknown> | null;

  @ApiProperty({ example: { sessionsRevoked: 2 }, nullable: true, type: Object, additionalProperties: true })
  details!: Record<string, unknown> | null;

  static of(e: AuditEvent): AuditEventView {
    return {
      id: e.id,
      occurredAt: e.occurredAt.toISOString(),
      actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
      action: e.action,
      outcome: e.outcome,
      target:
        e.targetType && e.targetId ? { type: e.targetType, id: e.targetId, label: e.targetLabel } : null,
      ip: e.ip,
      userAgent: e.userAgent,
      requestId: e.requestId,
      before: e.before,
      after: e.after,
      details: e.details,
    };
  }
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEventView] })
  items!: AuditEventView[];

  @ApiProperty({
    example: '1003',
    nullable: true,
    type: String,
    description: 'Pass back as cursor; null on the last page',
  })
  nextCursor!: string | null;
}

export class AuditActionsView {
  @ApiProperty({ example: ['auth.login.succeeded', 'user.created'] })
  items!: string[];
}
