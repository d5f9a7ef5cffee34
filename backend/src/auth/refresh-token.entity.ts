import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A refresh token ever issued; `consumedAt` marks it rotated, so presenting it again is reuse. */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'secret_hash', type: 'bytea' })
  secretHash!: Buffer;

  @Column({ name: 'issued_at', type: 'timestamptz', insert: false })
  issuedAt!: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;
}
