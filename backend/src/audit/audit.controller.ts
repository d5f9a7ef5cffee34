import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { ApiProblem } from '../common/http/openapi';
import { AUDIT_ACTIONS } from './audit-actions';
import { AuditLog } from './audit-log.service';
import { AuditActionsView, AuditEventView, AuditPageView } from './dto/audit-event.view';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('admin')
@Scopes('audit:read')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOkResponse({ type: AuditPageView })
  @ApiProblem(400, '`AUDIT_CURSOR_INVALID`: `cursor` is not a `nextCursor` value')
  async list(@Query() query: ListAuditEventsQuery): Promise<AuditPageView> {
    const page = await this.audit.list(query);
    return { items: page.items.map((e) => AuditEventView.of(e)), nextCursor: page.nextCursor };
  }

  @Get('actions')
  @ApiOkResponse({ type: AuditActionsView })
  actions(): AuditActionsView {
    return { items: [...AUDIT_ACTIONS] };
  }
}
