import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/access.decorators';
import { ApiProblem } from '../common/http/openapi';
import { WebhookAcceptedView } from './dto/servicenow-sync.view';
import { ServiceNowWebhookIntake } from './servicenow-sync-intake';
import { SERVICENOW_EVENTS } from './servicenow-sync-event';

type RawRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * ServiceNow's business rules post here (docs/servicenow.md). Public to the session guard: the
 * signature over the raw body is the authentication.
 */
@ApiTags('servicenow')
@Public()
@Controller('webhooks/servicenow')
export class ServiceNowWebhookController {
  constructor(private readonly intake: ServiceNowWebhookIntake) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      "A ServiceNow business rule's event: an incident created, updated or deleted, or a journal entry added",
    description:
      'Signed (X-Nexecute-Timestamp, X-Nexecute-Signature), stored before the 202 and processed in order per record; a repeated event_id is answered 202 and not processed again.',
  })
  @ApiHeader({ name: 'X-Nexecute-Timestamp', required: true, description: 'Unix seconds' })
  @ApiHeader({
    name: 'X-Nexecute-Signature',
    required: true,
    description: 'sha256=<hex HMAC-SHA256(webhook secret, timestamp + "." + raw body)>',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['event_id', 'event', 'record'],
      properties: {
        event_id: { type: 'string', maxLength: 255, example: '9d385017c611228701d22104cc95c371:4' },
        event: { type: 'string', enum: [...SERVICENOW_EVENTS] },
        record: {
          type: 'object',
          additionalProperties: true,
          description:
            'The incident as the Table API returns it (raw values; sys_id, sys_updated_on and sys_mod_count included); for journal.added the sys_journal_field row (sys_id, element, element_id, value, sys_created_by, sys_created_on)',
        },
      },
    },
  })
  @ApiAcceptedResponse({ type: WebhookAcceptedView })
  @ApiProblem(
    401,
    '`SERVICENOW_SIGNATURE_MISSING`, `SERVICENOW_SIGNATURE_INVALID`, `SERVICENOW_SIGNATURE_STALE`, `SERVICENOW_NO_WEBHOOK_SECRET` (no webhook secret configured): nothing stored',
  )
  @ApiProblem(503, '`SERVICENOW_SYNC_DISABLED`, `DATABASE_UNAVAILABLE`: not stored')
  async receive(@Req() req: RawRequest): Promise<WebhookAcceptedView> {
    const receipt = await this.intake.receive({ body: req.body, rawBody: req.rawBody, headers: req.headers });
    return {
      status: 'accepted',
      event_id: receipt.eventId,
      ...(receipt.duplicate ? { duplicate: true } : {}),
    };
  }
}
