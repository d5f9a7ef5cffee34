import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { StoredEvent } from './outbox-event.entity';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
/**
 * `pending`: queued, not tried yet (or replayed); `failed`: tried, a retry is scheduled;
 * `dead`: every attempt failed, only a replay sends it again; `delivered`: the consumer accepted it.
 */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One consumer's delivery of one event: the ledger row the worker and the admin pages read. */
@Entity({ name: 'deliveries' })
export class Delivery {
  @PrimaryColumn({ type: 'uuid', insert: false })
  id!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => StoredEvent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: StoredEvent;

  @Column({ type: 'text' })
  consumer!: string;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false })
  updatedAt!: Date;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;
}
