import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncomingHttpHeaders } from 'node:http';
import type { DataSource } from 'typeorm';
import { RequestValidationError } from '../common/errors/request-errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SIGNATURE_HEADER, signatureProblem, TIMESTAMP_HEADER } from '../common/http/signed-request';
import { Inbox, type InboxReceipt } from '../inbox/inbox';
import { SERVICENOW_SETTINGS, type ServiceNowSettingsSource } from './servicenow-sync-settings';
import { orderKeyOf, parseServiceNowEvent, SERVICENOW_CHANNEL } from './servicenow-sync-event';
import { ServiceNowSyncError, ServiceNowSyncErrorCode } from './servicenow-sync.errors';

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const SIGNATURE_CODES = {
  missing: ServiceNowSyncErrorCode.SignatureMissing,
  invalid: ServiceNowSyncErrorCode.SignatureInvalid,
  stale: ServiceNowSyncErrorCode.SignatureStale,
} as const;

/** How often at most an instance records "last webhook received" (a write per request would cost the webhook path). */
const WEBHOOK_MARK_INTERVAL_MS = 1000;

/**
 * The request path of POST /api/webhooks/servicenow: the secret must be configured (else 503),
 * the signature valid over the raw bytes and fresh (else 401, the shared verifier of common/http/signed-request.ts), the body a
 * ServiceNow event (else 400); then stored in the inbox, keyed by event_id and ordered by the
 * record's sys_id, before the 202. Nothing is stored for a refused request.
 */
@Injectable()
export class ServiceNowWebhookIntake {
  private readonly logger = new Logger(ServiceNowWebhookIntake.name);
  private lastMarkedAt = 0;

  constructor(
    private readonly inbox: Inbox,
    @Inject(SERVICENOW_SETTINGS) private readonly settings: ServiceNowSettingsSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async receive(req: {
    readonly body: unknown;
    readonly rawBody: Buffer | undefined;
    readonly headers: IncomingHttpHeaders;
  }): Promise<InboxReceipt> {
    const settings = await this.settings.read();
    if (!settings.webhookSecret) {
      throw new ServiceNowSyncError(
        ServiceNowSyncErrorCode.WebhookNotConfigured,
        'No ServiceNow webhook secret is configured: set it on the Integrations page (or SERVICENOW_WEBHOOK_SECRET)',
      );
    }
    if (!settings.enabled) {
      throw new ServiceNowSyncError(
        ServiceNowSyncErrorCode.SyncDisabled,
        'The ServiceNow sync is switched off',
      );
    }
    const rawBody = req.rawBody;
    if (!rawBody) throw new Error('The raw body is missing: the app must be created with rawBody: true');
    const problem = signatureProblem(
      settings.webhookSecret,
      { timestamp: header(req.headers, TIMESTAMP_HEADER), signature: header(req.headers, SIGNATURE_HEADER) },
      rawBody,
      this.config.events.signatureToleranceSeconds,
    );
    if (problem) throw new ServiceNowSyncError(SIGNATURE_CODES[problem.kind], problem.detail);
    const parsed = parseServiceNowEvent(req.body);
    if ('errors' in parsed) throw new RequestValidationError(parsed.errors);
    const { body } = parsed;
    const receipt = await this.inbox.receive({
      channel: SERVICENOW_CHANNEL,
      scope: SERVICENOW_CHANNEL,
      sourceId: null,
      sourceLabel: 'ServiceNow',
      idempotencyKey: body.event_id,
      orderKey: orderKeyOf(body),
      dedupKey: body.journal?.element_id ?? body.record.sys_id,
      action: body.event,
      summary: summaryOf(body.record, body.event),
      contentType: header(req.headers, 'content-type') ?? 'application/json',
      rawBody,
    });
    this.markWebhook();
    return receipt;
  }

  private markWebhook(): void {
    const now = Date.now();
    if (now - this.lastMarkedAt < WEBHOOK_MARK_INTERVAL_MS) return;
    this.lastMarkedAt = now;
    void this.dataSource
      .query(`UPDATE servicenow_sync_state SET last_webhook_at = now() WHERE id = 1`)
      .catch((e: unknown) => this.logger.warn(`Could not record the last webhook time: ${String(e)}`));
  }
}

function summaryOf(record: Readonly<Record<string, unknown>>, event: string): string | null {
  const number = typeof record['number'] === 'string' ? record['number'] : '';
  const text =
    event === 'journal.added'
      ? `${String(record['element'])} on ${String(record['element_id'])}`
      : `${number} ${typeof record['short_description'] === 'string' ? record['short_description'] : ''}`;
  return text.trim().slice(0, 500) || null;
}
