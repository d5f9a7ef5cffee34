import { Inject, Injectable } from '@nestjs/common';
import { PreparedStatements } from '../common/database/prepared-statements';
import { SecretBox } from '../common/crypto/secret-box';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { CloseCode } from '../incidents/incident-state';
import { keyMatches, looksLikeIntegrationKey, prefixOf } from './integration-key';
import type { SeverityMapping } from './severity-mapping';

/** A source as the request path and processing need it, its signing secret decrypted. */
export interface KnownSource {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly keyHash: Buffer;
  readonly signingSecret: Buffer | null;
  readonly defaultAssignmentGroup: string | null;
  readonly defaultCategory: string | null;
  readonly severityMapping: SeverityMapping;
  readonly resolveCloseCode: CloseCode;
  readonly rateLimitPerMinute: number;
}

interface SourceRow {
  id: string;
  name: string;
  enabled: boolean;
  key_hash: Buffer;
  signing_secret: string | null;
  default_assignment_group: string | null;
  default_category: string | null;
  severity_mapping: SeverityMapping;
  resolve_close_code: CloseCode;
  rate_limit_per_minute: number;
}

const SOURCE_COLUMNS = `id, name, enabled, key_hash, signing_secret, default_assignment_group, default_category,
  severity_mapping, resolve_close_code, rate_limit_per_minute`;

/** Entries kept at most; past it the cache starts over (random keys must not grow it without end). */
const MAX_ENTRIES = 10000;

export const signingSecretAad = (id: string): string => `event_sources:${id}:signing_secret`;

/**
 * Finds the source of an integration key on the request path. A source read is trusted for
 * EVENTS_SOURCE_CACHE_MS (so an event costs no lookup), and forgotten at once when it changes
 * through this instance; other instances see a change, such as a disabled source or a rotated
 * key, within that time. Unknown prefixes are remembered too, so random keys cost no query each.
 */
@Injectable()
export class SourceDirectory {
  private readonly byPrefix = new Map<string, { source: KnownSource | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<KnownSource | null>>();

  constructor(
    private readonly statements: PreparedStatements,
    private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The source whose integration key this is, or null (unknown, or the wrong secret part). */
  async byKey(key: string): Promise<KnownSource | null> {
    if (!looksLikeIntegrationKey(key)) return null;
    const source = await this.byPrefixCached(prefixOf(key));
    return source && keyMatches(key, source.keyHash) ? source : null;
  }

  /** For processing: the source as it is now (not cached; it may have changed since the event came). */
  async byId(id: string): Promise<KnownSource | null> {
    const [row] = await this.statements.rows<SourceRow>(
      `SELECT ${SOURCE_COLUMNS} FROM event_sources WHERE id = $1`,
      [id],
    );
    return row ? this.known(row) : null;
  }

  forget(prefix: string): void {
    this.byPrefix.delete(prefix);
  }

  private byPrefixCached(prefix: string): Promise<KnownSource | null> {
    const now = Date.now();
    const cached = this.byPrefix.get(prefix);
    if (cached && cached.until > now) return Promise.resolve(cached.source);
    let pending = this.inFlight.get(prefix);
    if (!pending) {
      pending = this.load(prefix).finally(() => this.inFlight.delete(prefix));
      this.inFlight.set(prefix, pending);
    }
    return pending;
  }

  private async load(prefix: string): Promise<KnownSource | null> {
    const [row] = await this.statements.rows<SourceRow>(
      `SELECT ${SOURCE_COLUMNS} FROM event_sources WHERE key_prefix = $1`,
      [prefix],
    );
    const source = row ? this.known(row) : null;
    if (this.config.events.sourceCacheMs > 0) {
      if (this.byPrefix.size >= MAX_ENTRIES) this.byPrefix.clear();
      this.byPrefix.set(prefix, { source, until: Date.now() + this.config.events.sourceCacheMs });
    }
    return source;
  }

  private known(row: SourceRow): KnownSource {
    return {
      id: row.id,
      name: row.name,
      enabled: row.enabled,
      keyHash: row.key_hash,
      signingSecret: row.signing_secret
        ? Buffer.from(this.secretBox.decrypt(row.signing_secret, signingSecretAad(row.id)), 'utf8')
        : null,
      defaultAssignmentGroup: row.default_assignment_group,
      defaultCategory: row.default_category,
      severityMapping: row.severity_mapping,
      resolveCloseCode: row.resolve_close_code,
      rateLimitPerMinute: row.rate_limit_per_minute,
    };
  }
}
