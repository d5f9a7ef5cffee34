import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One stored domain event (`outbox_events`), written in the transaction of the change it describes. */
@Entity({ name: 'outbox_events' })
export class StoredEvent {
  @PrimaryColumn({ type: 'uuid', insert: false })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  /** The schema version of `payload` (docs/events.md); rows from before versioning are 1. */
  @Column({ name: 'schema_version', type: 'integer' })
  schemaVersion!: number;

  @Column({ name: 'aggregate_type', type: 'text' })
  aggregateType!: string;

  @Column({ name: 'aggregate_id', type: 'uuid' })
  aggregateId!: string;

  @Column({ name: 'aggregate_version', type: 'integer' })
  aggregateVersion!: number;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** The same event in the older schema versions it is also published in, by version; usually null. */
  @Column({ name: 'older_payloads', type: 'jsonb', nullable: true })
  olderPayloads!: Record<string, Record<string, unknown>> | null;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: string;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_label', type: 'text', nullable: true })
  actorLabel!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz', insert: false })
  occurredAt!: Date;
}
