import { Column, Entity, PrimaryColumn } from 'typeorm';

export const TIMELINE_KINDS = [
  'created',
  'state_changed',
  'assigned',
  'updated',
  'comment',
  'work_note',
  'sync',
  'alert',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One line of an incident's history; the table refuses UPDATE. */
@Entity({ name: 'incident_timeline' })
export class IncidentTimelineEntry {
  @PrimaryColumn({ type: 'bigint', generatedIdentity: 'ALWAYS', insert: false })
  id!: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId!: string;

  @Column({ type: 'text' })
  kind!: TimelineKind;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: 'user' | 'api_key' | 'system' | 'anonymous';

  /** A user's or key's uuid, or an integration's own id (`servicenow`). */
  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_label', type: 'text', nullable: true })
  actorLabel!: string | null;

  @Column({ type: 'timestamptz', insert: false })
  at!: Date;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  changes!: Record<string, { from: unknown; to: unknown }> | null;
}
