import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import type { RequestActor } from '../common/auth/principal';
import { SecretBox } from '../common/crypto/secret-box';
import { UnitOfWork } from '../common/database/unit-of-work';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type {
  CreateEventSourceDto,
  EventSourceSettingsDto,
  UpdateEventSourceDto,
} from './dto/event-source.dto';
import type {
  CreatedEventSourceView,
  EventSourceView,
  RotatedKeyView,
  RotatedSecretView,
} from './dto/event-source.view';
import { EventSource } from './event-source.entity';
import { EventsError, EventsErrorCode } from './events.errors';
import { hashOfKey, newIntegrationKey, prefixOf } from './integration-key';
import { DEFAULT_SEVERITY_MAPPING } from './severity-mapping';
import { signingSecretAad, SourceDirectory } from './source-directory';

/** A monitoring system resolving its alert has not diagnosed anything: the caller (it) resolved it. */
const DEFAULT_RESOLVE_CLOSE_CODE = 'Resolved by caller';

interface SourceStats {
  source_id: string;
  last_event_at: Date | null;
  accepted: number;
  processed: number;
  failed: number;
  duplicate: number;
}

const STATS_SQL = `
  SELECT s.id AS source_id,
         (SELECT e.received_at FROM inbound_events e WHERE e.source_id = s.id ORDER BY e.seq DESC LIMIT 1) AS last_event_at,
         c.accepted, c.processed, c.failed, c.duplicate
    FROM event_sources s
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE e.status = 'accepted')::int AS accepted,
             count(*) FILTER (WHERE e.status = 'processed')::int AS processed,
             count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
             count(*) FILTER (WHERE e.status = 'duplicate')::int AS duplicate
        FROM inbound_events e
       WHERE e.source_id = s.id AND e.received_at > now() - interval '24 hours') c
   WHERE s.id = ANY($1::uuid[])`;

/** The settings an audit row shows (never the key's hash or the secret). */
function auditable(s: EventSource): Record<string, unknown> {
  return {
    name: s.name,
    enabled: s.enabled,
    keyPrefix: s.keyPrefix,
    signed: s.signingSecret !== null,
    defaultAssignmentGroup: s.defaultAssignmentGroup,
    defaultCategory: s.defaultCategory,
    severityMapping: s.severityMapping,
    resolveCloseCode: s.resolveCloseCode,
    rateLimitPerMinute: s.rateLimitPerMinute,
  };
}

const isNameTaken = (e: unknown): boolean =>
  e instanceof QueryFailedError &&
  (e.driverError as { code?: string; constraint?: string }).code === '23505' &&
  (e.driverError as { constraint?: string }).constraint === 'event_sources_name_key';

/**
 * Event sources, managed by admins: the integration key is generated here and shown once
 * (stored as its SHA-256), the optional signing secret is kept encrypted (AES-256-GCM), and
 * every change is audited in the same transaction.
 */
@Injectable()
export class EventSourcesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly secretBox: SecretBox,
    private readonly directory: SourceDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(): Promise<EventSourceView[]> {
    const sources = await this.dataSource.getRepository(EventSource).find({ order: { name: 'ASC' } });
    return this.viewsOf(sources);
  }

  async get(id: string): Promise<EventSourceView> {
    const [view] = await this.viewsOf([await this.find(this.dataSource.manager, id)]);
    return view!;
  }

  async create(dto: CreateEventSourceDto, actor: RequestActor): Promise<CreatedEventSourceView> {
    const integrationKey = newIntegrationKey();
    const generatedSecret =
      dto.signed && !dto.signingSecret ? randomBytes(32).toString('base64url') : undefined;
    const secret = dto.signingSecret ?? generatedSecret;
    const source = await this.write(async (m) => {
      const repo = m.getRepository(EventSource);
      const now = new Date();
      const inserted = await repo.insert({
        name: dto.name,
        enabled: dto.enabled ?? true,
        keyPrefix: prefixOf(integrationKey),
        keyHash: hashOfKey(integrationKey),
        signingSecret: null,
        defaultAssignmentGroup: dto.defaultAssignmentGroup || null,
        defaultCategory: dto.defaultCategory || null,
        severityMapping: dto.severityMapping ?? DEFAULT_SEVERITY_MAPPING,
        resolveCloseCode: dto.resolveCloseCode ?? DEFAULT_RESOLVE_CLOSE_CODE,
        rateLimitPerMinute: dto.rateLimitPerMinute ?? this.config.events.defaultRatePerMinute,
        createdBy: actor.principal?.kind === 'user' ? actor.principal.id : null,
        updatedAt: now,
        keyRotatedAt: now,
      });
      const id = String((inserted.identifiers[0] as { id: string }).id);
      // The secret is bound to its row (associated data), so it is encrypted once the id exists.
      if (secret)
        await repo.update({ id }, { signingSecret: this.secretBox.encrypt(secret, signingSecretAad(id)) });
      const created = await this.find(m, id);
      await this.audit.record(
        {
          action: 'event_source.created',
          context: actor,
          target: { type: 'event_source', id, label: created.name },
          after: auditable(created),
        },
        m,
      );
      return created;
    });
    const [view] = await this.viewsOf([source]);
    return { source: view!, integrationKey, ...(generatedSecret ? { signingSecret: generatedSecret } : {}) };
  }

  async update(id: string, dto: UpdateEventSourceDto, actor: RequestActor): Promise<EventSourceView> {
    const source = await this.write(async (m) => {
      const before = await this.find(m, id, true);
      const set: Partial<EventSource> = this.settingsOf(dto);
      if (dto.name !== undefined) set.name = dto.name;
      if (dto.signed === false) set.signingSecret = null;
      await m.getRepository(EventSource).update({ id }, { ...set, updatedAt: new Date() });
      const after = await this.find(m, id);
      await this.audit.record(
        {
          action: 'event_source.updated',
          context: actor,
          target: { type: 'event_source', id, label: after.name },
          before: auditable(before),
          after: auditable(after),
        },
        m,
      );
      this.directory.forget(before.keyPrefix);
      return after;
    });
    return this.get(source.id);
  }

  /** A new key; the old one stops working at once here, on other instances within EVENTS_SOURCE_CACHE_MS. */
  async rotateKey(id: string, actor: RequestActor): Promise<RotatedKeyView> {
    const integrationKey = newIntegrationKey();
    await this.write(async (m) => {
      const before = await this.find(m, id, true);
      const now = new Date();
      await m.getRepository(EventSource).update(
        { id },
        {
          keyPrefix: prefixOf(integrationKey),
          keyHash: hashOfKey(integrationKey),
          keyRotatedAt: now,
          updatedAt: now,
        },
      );
      await this.audit.record(
        {
          action: 'event_source.key_rotated',
          context: actor,
          target: { type: 'event_source', id, label: before.name },
          before: { keyPrefix: before.keyPrefix },
          after: { keyPrefix: prefixOf(integrationKey) },
        },
        m,
      );
      this.directory.forget(before.keyPrefix);
    });
    return { source: await this.get(id), integrationKey };
  }

  async rotateSecret(id: string, own: string | undefined, actor: RequestActor): Promise<RotatedSecretView> {
    const generated = own ? undefined : randomBytes(32).toString('base64url');
    const secret = own ?? generated!;
    await this.write(async (m) => {
      const before = await this.find(m, id, true);
      await m
        .getRepository(EventSource)
        .update(
          { id },
          { signingSecret: this.secretBox.encrypt(secret, signingSecretAad(id)), updatedAt: new Date() },
        );
      await this.audit.record(
        {
          action: 'event_source.secret_rotated',
          context: actor,
          target: { type: 'event_source', id, label: before.name },
          before: { signed: before.signingSecret !== null },
          after: { signed: true, generated: generated !== undefined },
        },
        m,
      );
      this.directory.forget(before.keyPrefix);
    });
    return { source: await this.get(id), ...(generated ? { signingSecret: generated } : {}) };
  }

  /** Its events stay in the inbox, under its name. */
  async remove(id: string, actor: RequestActor): Promise<void> {
    await this.write(async (m) => {
      const before = await this.find(m, id, true);
      // no foreign key from the inbox (it would lock this row on every ingest): cleared here
      await m.query('UPDATE inbound_events SET source_id = NULL WHERE source_id = $1', [id]);
      await m.getRepository(EventSource).delete({ id });
      await this.audit.record(
        {
          action: 'event_source.deleted',
          context: actor,
          target: { type: 'event_source', id, label: before.name },
          before: auditable(before),
        },
        m,
      );
      this.directory.forget(before.keyPrefix);
    });
  }

  private settingsOf(dto: EventSourceSettingsDto): Partial<EventSource> {
    const set: Partial<EventSource> = {};
    if (dto.enabled !== undefined) set.enabled = dto.enabled;
    if (dto.defaultAssignmentGroup !== undefined)
      set.defaultAssignmentGroup = dto.defaultAssignmentGroup || null;
    if (dto.defaultCategory !== undefined) set.defaultCategory = dto.defaultCategory || null;
    if (dto.severityMapping !== undefined) set.severityMapping = dto.severityMapping;
    if (dto.resolveCloseCode !== undefined) set.resolveCloseCode = dto.resolveCloseCode;
    if (dto.rateLimitPerMinute !== undefined) set.rateLimitPerMinute = dto.rateLimitPerMinute;
    return set;
  }

  private async write<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.uow.run(work);
    } catch (e) {
      if (isNameTaken(e))
        throw new EventsError(EventsErrorCode.SourceNameTaken, 'An event source with this name exists');
      throw e;
    }
  }

  private async find(m: EntityManager, id: string, lock = false): Promise<EventSource> {
    const source = await m
      .getRepository(EventSource)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!source) throw new EventsError(EventsErrorCode.SourceNotFound, `No event source with id ${id}`);
    return source;
  }

  private async viewsOf(sources: readonly EventSource[]): Promise<EventSourceView[]> {
    const stats = new Map(
      (await this.dataSource.query<SourceStats[]>(STATS_SQL, [sources.map((s) => s.id)])).map((s) => [
        s.source_id,
        s,
      ]),
    );
    return sources.map((s) => {
      const st = stats.get(s.id);
      return {
        id: s.id,
        name: s.name,
        enabled: s.enabled,
        keyPrefix: s.keyPrefix,
        signed: s.signingSecret !== null,
        defaultAssignmentGroup: s.defaultAssignmentGroup,
        defaultCategory: s.defaultCategory,
        severityMapping: s.severityMapping,
        resolveCloseCode: s.resolveCloseCode,
        rateLimitPerMinute: s.rateLimitPerMinute,
        createdAt: s.createdAt.toISOString(),
        updatedAt: s.updatedAt.toISOString(),
        keyRotatedAt: s.keyRotatedAt.toISOString(),
        lastEventAt: st?.last_event_at?.toISOString() ?? null,
        counts: {
          accepted: st?.accepted ?? 0,
          processed: st?.processed ?? 0,
          failed: st?.failed ?? 0,
          duplicate: st?.duplicate ?? 0,
        },
      };
    });
  }
}
