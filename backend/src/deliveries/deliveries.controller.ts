import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ApiProblem } from '../common/http/openapi';
import { DeliveriesService } from './deliveries.service';
import { DeliveryPageView, DeliverySummaryView, DeliveryView } from './dto/delivery.view';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';

@ApiTags('deliveries')
@ApiBearerAuth()
@Roles('admin')
@Controller('deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOkResponse({ type: DeliveryPageView })
  @ApiProblem(400, '`DELIVERY_CURSOR_INVALID`: `cursor` is not a `nextCursor` value')
  list(@Query() query: ListDeliveriesQuery): Promise<DeliveryPageView> {
    return this.deliveries.list(query);
  }

  @Get('summary')
  @ApiOkResponse({ type: DeliverySummaryView })
  summary(): Promise<DeliverySummaryView> {
    return this.deliveries.summary();
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOkResponse({ type: DeliveryView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'DELIVERY_NOT_FOUND' })
  @ApiConflictResponse({
    type: ProblemDetailsDto,
    description: 'DELIVERY_NOT_REPLAYABLE (only failed or dead)',
  })
  replay(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<DeliveryView> {
    return this.deliveries.replay(id, actor);
  }
}
