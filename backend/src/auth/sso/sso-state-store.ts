import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../../common/crypto/secret-box';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { digest } from '../opaque-token';

type StoreCallback = (err: Error | null, state?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | boolean, info?: { message: string }) => void;

const STATE_TTL_SECONDS = 600;

/**
 * passport-oauth2's state store, in PostgreSQL so any replica can finish a round trip another
 * started. Each state is single use and expires; the PKCE verifier rides along encrypted.
 * passport picks the call shape by arity, so store() takes 5 parameters and verify() 4.
 */
@Injectable()
export class SsoStateStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.provider = config.auth.sso?.id ?? 'sso';
  }

  private readonly provider: string;

  store(
    _req: unknown,
    verifier: string | undefined,
    _state: unknown,
    _meta: unknown,
    callback: StoreCallback,
  ): void {
    const handle = randomBytes(24).toString('base64url');
    const encrypted = verifier ? this.secretBox.encrypt(verifier, `sso_login_states:${handle}`) : null;
    this.db
      .query(
        `INSERT INTO sso_login_states (state_hash, provider, code_verifier_encrypted, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
        [digest(handle), this.provider, encrypted, STATE_TTL_SECONDS],
      )
      .then(
        () => callback(null, handle),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
  }

  verify(_req: unknown, handle: string, _meta: unknown, callback: VerifyCallback): void {
    this.consume(handle).then(
      (result) =>
        result === undefined
          ? callback(null, false, { message: 'The sign-in state is unknown, used or expired' })
          : callback(null, result ?? true),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /** Marks the state used. Undefined: no such live state; null: live, without PKCE. */
  async consume(handle: string): Promise<string | null | undefined> {
    // Wrapped in a SELECT: for a bare UPDATE, TypeORM's query() answers [rows, rowCount], not rows.
    const rows: { code_verifier_encrypted: string | null }[] = await this.db.query(
      `WITH used AS (
         UPDATE sso_login_states SET consumed_at = now()
          WHERE state_hash = $1 AND provider = $2 AND consumed_at IS NULL AND expires_at > now()
          RETURNING code_verifier_encrypted
       )
       SELECT code_verifier_encrypted FROM used`,
      [digest(handle), this.provider],
    );
    const [row] = rows;
    if (!row) return undefined;
    return row.code_verifier_encrypted
      ? this.secretBox.decrypt(row.code_verifier_encrypted, `sso_login_states:${handle}`)
      : null;
  }

  /** Old rows are useless after their TTL; trimmed opportunistically at each new sign-in. */
  async prune(): Promise<void> {
    await this.db.query(`DELETE FROM sso_login_states WHERE expires_at < now() - interval '1 day'`);
  }
}
