import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CloseCode } from '../incidents/incident-state';
import type { SeverityMapping } from './severity-mapping';

/** A webhook producer (a monitoring system, a CI pipeline, a script) and how its events become incidents. */
@Entity({ name: 'event_sources' })
export class EventSource {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  @Column({ name: 'key_hash', type: 'bytea' })
  keyHash!: Buffer;

  /** A SecretBox token; null: the source does not sign. */
  @Column({ name: 'signing_secret', type: 'text', nullable: true })
  signingSecret!: string | null;

  @Column({ name: 'default_assignment_group', type: 'text', nullable: true })
  defaultAssignmentGroup!: string | null;

  @Column({ name: 'default_category', type: 'text', nullable: true })
  defaultCategory!: string | null;

  @Column({ name: 'severity_mapping', type: 'jsonb' })
  severityMapping!: SeverityMapping;

  @Column({ name: 'resolve_close_code', type: 'text' })
  resolveCloseCode!: CloseCode;

  @Column({ name: 'rate_limit_per_minute', type: 'integer' })
  rateLimitPerMinute!: number;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'key_rotated_at', type: 'timestamptz' })
  keyRotatedAt!: Date;
}
