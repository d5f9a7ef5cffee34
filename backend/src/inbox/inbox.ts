import { Inject, Injectable } from '@nestjs/common';
import { PreparedStatements } from '../common/database/prepared-statements';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { InboxDispatcher } from './inbox-dispatcher';

/** One inbound request, as its endpoint hands it to the inbox once it is authenticated and valid. */
export interface InboundDelivery {
  /** Which handler processes it: 'pagerduty', 'alertmanager', later 'servicenow', 'slack'. */
  readonly channel: string;
  /** Whose idempotency keys these are: `source:<id>`, `api_key:<id>`, … */
  readonly scope: string;
  readonly sourceId: string | null;
  readonly sourceLabel: string;
  /** The producer's delivery id, or a digest of the body: a second delivery with it is a duplicate. */
  readonly idempotencyKey: string;
  /** Events with one order key are processed one at a time, in arrival order. */
  readonly orderKey: string;
  readonly dedupKey: string | null;
  readonly action: string | null;
  readonly summary: string | null;
  readonly contentType: string;
  readonly rawBody: Buffer;
}

export interface InboxReceipt {
  /** The stored event's id; for a duplicate, the first receipt's. */
  readonly eventId: string;
  readonly duplicate: boolean;
  /** The first receipt's dedup key (a generated one is returned again on a duplicate). */
  readonly dedupKey: string | null;
}

/**
 * Stores the event, or does nothing when the key was seen: the one statement of the request path.
 * Its processing is queued afterwards by InboxDispatcher (and, should this process die first, by
 * InboxProcessor's sweep), so no job insert or NOTIFY rides on the request's commit.
 */
const RECEIVE_SQL = `
  INSERT INTO inbound_events
    (channel, scope, source_id, source_label, idempotency_key, order_key, dedup_key, action, summary,
     content_type, raw_body, max_attempts)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (scope, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id, dedup_key`;

/** A duplicate delivery is logged too, pointing at the first receipt, which it answers with. */
const RECORD_DUPLICATE_SQL = `
  INSERT INTO inbound_events
    (channel, scope, source_id, source_label, order_key, dedup_key, action, summary, content_type, raw_body,
     max_attempts, status, duplicate_of, processed_at)
  SELECT $1, $2, $3, $4, first.order_key, first.dedup_key, $6, $7, $8, $9, 1, 'duplicate', first.id, now()
    FROM inbound_events first
   WHERE first.scope = $2 AND first.idempotency_key = $5
  RETURNING duplicate_of AS id, dedup_key`;

/**
 * The one way inbound requests enter the product (webhook producers now; ServiceNow webhooks and
 * Slack events later). `receive` returns only once the event is stored: the endpoint may then
 * acknowledge, and nothing acknowledged is lost. A duplicate delivery (the same idempotency key
 * within the retention, at least 30 days) answers with the first receipt and is never processed
 * again.
 */
@Injectable()
export class Inbox {
  constructor(
    private readonly statements: PreparedStatements,
    private readonly dispatcher: InboxDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async receive(d: InboundDelivery): Promise<InboxReceipt> {
    // Twice at most: a first receipt deleted by retention between the two statements is gone, so
    // the second try stores this one as new.
    for (let attempt = 0; attempt < 2; attempt++) {
      const [stored] = await this.statements.rows<{ id: string; dedup_key: string | null }>(RECEIVE_SQL, [
        d.channel,
        d.scope,
        d.sourceId,
        d.sourceLabel,
        d.idempotencyKey,
        d.orderKey,
        d.dedupKey,
        d.action,
        d.summary,
        d.contentType,
        d.rawBody,
        this.config.inbox.maxAttempts,
      ]);
      if (stored) {
        this.dispatcher.dispatch(d.orderKey);
        return { eventId: stored.id, duplicate: false, dedupKey: stored.dedup_key };
      }
      const [first] = await this.statements.rows<{ id: string; dedup_key: string | null }>(
        RECORD_DUPLICATE_SQL,
        [
          d.channel,
          d.scope,
          d.sourceId,
          d.sourceLabel,
          d.idempotencyKey,
          d.action,
          d.summary,
          d.contentType,
          d.rawBody,
        ],
      );
      if (first) return { eventId: first.id, duplicate: true, dedupKey: first.dedup_key };
    }
    throw new Error(`Inbound event ${d.idempotencyKey} neither stored nor found as a duplicate`);
  }
}
