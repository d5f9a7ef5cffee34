import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
  @ApiBadRequestResponse({
    type: ProblemDetailsDto,
    description: 'VALIDATION_FAILED (e.g. stalled neither true nor false), DELIVERY_CURSOR_INVALID',
  })
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
    description:
      'DELIVERY_NOT_REPLAYABLE (only failed, dead or stalled; a pending delivery that is queued or running on a live worker is on its way)',
  })
  replay(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<DeliveryView> {
    return this.deliveries.replay(id, actor);
  }
}
