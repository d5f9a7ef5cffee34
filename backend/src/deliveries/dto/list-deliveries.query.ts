import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../delivery.entity';
import { IntegerParam } from '../../common/validation/integers';

/** `?stalled=true|false`; any other text stays a string and fails @IsBoolean. */
const trueOrFalse = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ example: 'dead', enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ example: 'slack' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'consumer must be a consumer name such as slack' })
  consumer?: string;

  @ApiPropertyOptional({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d', description: 'Any aggregate' })
  @IsOptional()
  @IsUUID()
  aggregateId?: string;

  @ApiPropertyOptional({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d', description: 'An incident' })
  @IsOptional()
  @IsUUID()
  incidentId?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'true: only stalled deliveries (pending or failed, and nothing will attempt them soon: see docs/deliveries.md); false: none of them',
  })
  @IsOptional()
  @Transform(trueOrFalse)
  @IsBoolean()
  stalled?: boolean;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @IntegerParam(1, 200)
  limit = 50;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
