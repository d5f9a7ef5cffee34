import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A user's account at an SSO provider. Provider tokens are AES-256-GCM encrypted (SecretBox). */
@Entity({ name: 'federated_identities' })
export class FederatedIdentity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'citext', nullable: true })
  email!: string | null;

  @Column({ name: 'access_token_encrypted', type: 'text', nullable: true, select: false })
  accessTokenEncrypted!: string | null;

  @Column({ name: 'refresh_token_encrypted', type: 'text', nullable: true, select: false })
  refreshTokenEncrypted!: string | null;

  @Column({ name: 'token_expires_at', type: 'timestamptz', nullable: true })
  tokenExpiresAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz' })
  lastLoginAt!: Date;
}
