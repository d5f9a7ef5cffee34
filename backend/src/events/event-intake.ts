import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiKeysService } from '../auth/api-keys.service';
import { bearerTokenOf } from '../auth/bearer-token';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { RequestValidationError } from '../common/errors/request-errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Inbox, type InboxReceipt } from '../inbox/inbox';
import { parseAlertmanagerNotification } from './alertmanager-notification';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './event-signature';
import { EventsError, EventsErrorCode } from './events.errors';
import { parsePagerDutyEvent } from './pagerduty-event';
import { RateLimiter } from './rate-limiter';
import { DatabaseUnavailableError } from '../common/database/database.errors';
import { SourceDirectory, type KnownSource } from './source-directory';

/** The channels (inbox handlers) of webhook producers' formats. */
export const PAGERDUTY_CHANNEL = 'pagerduty';
export const ALERTMANAGER_CHANNEL = 'alertmanager';

/** A request as the endpoints hand it over: the parsed body, the bytes it was parsed from, the headers. */
export interface ProducerRequest {
  readonly body: unknown;
  readonly rawBody: Buffer | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly contentType: string;
}

/** Who sent an event: a source (by its integration key) or an API key with events:ingest. */
interface Sender {
  readonly scope: string;
  readonly label: string;
  readonly source: KnownSource | null;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The request path of POST /api/events and /api/events/alertmanager: validate, authenticate the
 * sender, check the signature and the rate, then store in the inbox, which returns only once the
 * event and its processing job are committed. Nothing is stored for a request refused here.
 */
/**
 * Producers get an answer within a second whatever the database does (a silent one is noticed by
 * DatabaseAvailability only after its check times out). Past this, 503: the insert may still
 * commit, and then the producer's retry is answered as a duplicate with the same event id, so
 * nothing is lost or processed twice; what is never sent is a 202 for an event not stored.
 */
const STORE_DEADLINE_MS = 900;

@Injectable()
export class EventIntake {
  private readonly limiter = new RateLimiter();

  constructor(
    private readonly directory: SourceDirectory,
    private readonly apiKeys: ApiKeysService,
    private readonly inbox: Inbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async pagerDuty(req: ProducerRequest): Promise<InboxReceipt> {
    const parsed = parsePagerDutyEvent(req.body);
    if ('errors' in parsed) throw new RequestValidationError(parsed.errors);
    const { event } = parsed;
    const sender = await this.sender(req, event.routingKey);
    const rawBody = this.verified(req, sender);
    const dedupKey = event.dedupKey ?? randomUUID();
    return this.admitted(sender, () =>
      this.inbox.receive({
        channel: PAGERDUTY_CHANNEL,
        scope: sender.scope,
        sourceId: sender.source?.id ?? null,
        sourceLabel: sender.label,
        idempotencyKey: this.idempotencyKeyOf(req, rawBody),
        orderKey: `${sender.scope}|${dedupKey}`,
        dedupKey,
        action: event.action,
        summary: event.payload?.summary || null,
        contentType: req.contentType,
        rawBody,
      }),
    );
  }

  async alertmanager(req: ProducerRequest): Promise<InboxReceipt & { alerts: number }> {
    const parsed = parseAlertmanagerNotification(req.body);
    if ('errors' in parsed) throw new RequestValidationError(parsed.errors);
    const { notification } = parsed;
    const sender = await this.sender(req, this.credentialsOf(req.headers));
    const rawBody = this.verified(req, sender);
    const [first] = notification.alerts;
    const single = notification.alerts.length === 1 ? first : undefined;
    const name = first?.labels['alertname'] ?? 'alert';
    const receipt = await this.admitted(sender, () =>
      this.inbox.receive({
        channel: ALERTMANAGER_CHANNEL,
        scope: sender.scope,
        sourceId: sender.source?.id ?? null,
        sourceLabel: sender.label,
        idempotencyKey: this.idempotencyKeyOf(req, rawBody),
        // One group's notifications in order (an alert's fingerprint stays in its group).
        orderKey: `${sender.scope}|am|${notification.groupKey}`,
        dedupKey: single?.fingerprint ?? null,
        action: notification.status,
        summary: single
          ? (single.annotations['summary'] ?? name)
          : `${notification.alerts.length} alerts: ${name}${notification.alerts.some((a) => a.labels['alertname'] !== name) ? ' and others' : ''}`,
        contentType: req.contentType,
        rawBody,
      }),
    );
    return { ...receipt, alerts: notification.alerts.length };
  }

  /**
   * The source whose integration key is given; with none, an API key with events:ingest.
   * A key that is given must be a source's: a mistyped routing key is an error, not a fallback.
   */
  private async sender(req: ProducerRequest, key: string | undefined): Promise<Sender> {
    const apiKey = this.apiKeyOf(req.headers, key);
    if (key !== undefined && apiKey === undefined) {
      const source = await this.directory.byKey(key);
      if (!source) {
        throw new EventsError(
          EventsErrorCode.SourceUnknown,
          'No event source has this integration key (routing_key)',
        );
      }
      if (!source.enabled) {
        throw new EventsError(
          EventsErrorCode.SourceDisabled,
          `The event source "${source.name}" is disabled`,
        );
      }
      return { scope: `source:${source.id}`, label: source.name, source };
    }
    if (apiKey === undefined) {
      throw new EventsError(
        EventsErrorCode.SourceUnknown,
        "Send the event source's integration key (routing_key, or Authorization: Bearer for Alertmanager), or an API key with events:ingest",
      );
    }
    const principal = await this.apiKeys.authenticate(apiKey);
    if (!principal.scopes.includes('events:ingest')) {
      throw new AuthError(AuthErrorCode.ScopeMissing, 'This API key lacks the events:ingest scope');
    }
    return { scope: `api_key:${principal.id}`, label: `API key ${principal.name}`, source: null };
  }

  /** An API key in X-Api-Key, or as the bearer/basic credentials (nxk_…). */
  private apiKeyOf(headers: IncomingHttpHeaders, credentials: string | undefined): string | undefined {
    const explicit = header(headers, 'x-api-key')?.trim();
    if (explicit) return explicit;
    if (credentials && ApiKeysService.looksLikeKey(credentials)) return credentials;
    const bearer = bearerTokenOf({ headers });
    return bearer && ApiKeysService.looksLikeKey(bearer) ? bearer : undefined;
  }

  /** Alertmanager's http_config: `authorization` (Bearer <key>) or `basic_auth` (the key as the password). */
  private credentialsOf(headers: IncomingHttpHeaders): string | undefined {
    const bearer = bearerTokenOf({ headers });
    if (bearer) return bearer;
    const value = header(headers, 'authorization')?.trim() ?? '';
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value)?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(colon + 1) : decoded;
    }
    return undefined;
  }

  /**
   * Runs the store of a request that took a rate token; if it stores nothing (an invalid
   * Idempotency-Key, the database away), the token goes back: the producer retries a 503, and
   * that retry should not find its own failed attempt counted against it.
   */
  private async admitted<T>(sender: Sender, store: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        store(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new DatabaseUnavailableError(
                  `no answer within ${STORE_DEADLINE_MS} ms`,
                  `The database did not confirm the event within ${STORE_DEADLINE_MS} ms. It may or may not be stored: retry it, a stored one is recognised as a duplicate`,
                ),
              ),
            STORE_DEADLINE_MS,
          );
        }),
      ]);
    } catch (e) {
      this.limiter.refund(sender.scope, this.perMinuteOf(sender));
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private perMinuteOf(sender: Sender): number {
    return sender.source?.rateLimitPerMinute ?? this.config.events.defaultRatePerMinute;
  }

  /** The signature (when the source has a secret) and the source's rate; returns the raw body. */
  private verified(req: ProducerRequest, sender: Sender): Buffer {
    const rawBody = req.rawBody;
    if (!rawBody) throw new Error('The raw body is missing: the app must be created with rawBody: true');
    const source = sender.source;
    if (source?.signingSecret) {
      verifySignature(
        source.signingSecret,
        {
          timestamp: header(req.headers, TIMESTAMP_HEADER),
          signature: header(req.headers, SIGNATURE_HEADER),
        },
        rawBody,
        this.config.events.signatureToleranceSeconds,
      );
    }
    const perMinute = this.perMinuteOf(sender);
    const taken = this.limiter.take(sender.scope, perMinute);
    if (!taken.ok) {
      throw new EventsError(
        EventsErrorCode.RateLimited,
        `${sender.label} sends more than ${perMinute} events a minute; retry in ${taken.retryAfterSeconds} s`,
        { retryAfterSeconds: taken.retryAfterSeconds },
      );
    }
    return rawBody;
  }

  /**
   * The producer's Idempotency-Key when it sends one; otherwise the body's digest, so a retried
   * delivery of the same bytes is recognised (docs/events.md, "Duplicates").
   */
  private idempotencyKeyOf(req: ProducerRequest, rawBody: Buffer): string {
    const given = header(req.headers, 'idempotency-key')?.trim();
    if (given) {
      if (!IDEMPOTENCY_KEY.test(given)) {
        throw new RequestValidationError([
          { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' },
        ]);
      }
      return `key:${given}`;
    }
    return `sha256:${createHash('sha256').update(rawBody).digest('base64url')}`;
  }
}
