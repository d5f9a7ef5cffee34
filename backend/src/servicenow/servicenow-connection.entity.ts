import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ServiceNowGrant } from '../config/app-config';
import type { ServiceNowMappingPatch } from './servicenow-mapping';

/** The one ServiceNow connection: console-set settings, the shared OAuth tokens. Secrets are SecretBox tokens. */
@Entity({ name: 'servicenow_connection' })
export class ServiceNowConnection {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ name: 'instance_url', type: 'text', nullable: true })
  instanceUrl!: string | null;

  @Column({ name: 'grant_type', type: 'text' })
  grant!: ServiceNowGrant;

  @Column({ name: 'client_id', type: 'text', nullable: true })
  clientId!: string | null;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Column({ name: 'client_secret', type: 'text', nullable: true })
  clientSecret!: string | null;

  @Column({ type: 'text', nullable: true })
  password!: string | null;

  @Column({ name: 'webhook_secret', type: 'text', nullable: true })
  webhookSecret!: string | null;

  @Column({ name: 'default_assignment_group', type: 'text', nullable: true })
  defaultAssignmentGroup!: string | null;

  /** Our assignment group name → the instance's sys_user_group sys_id. */
  @Column({ name: 'assignment_groups', type: 'jsonb' })
  assignmentGroups!: Record<string, string>;

  @Column({ type: 'jsonb', nullable: true })
  mapping!: ServiceNowMappingPatch | null;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'access_token', type: 'text', nullable: true })
  accessToken!: string | null;

  @Column({ name: 'access_token_obtained_at', type: 'timestamptz', nullable: true })
  accessTokenObtainedAt!: Date | null;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt!: Date | null;

  @Column({ name: 'refresh_token', type: 'text', nullable: true })
  refreshToken!: string | null;

  @Column({ name: 'refresh_token_expires_at', type: 'timestamptz', nullable: true })
  refreshTokenExpiresAt!: Date | null;

  @Column({ name: 'token_owner', type: 'text', nullable: true })
  tokenOwner!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'updated_by_label', type: 'text', nullable: true })
  updatedByLabel!: string | null;
}
