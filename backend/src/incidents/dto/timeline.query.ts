import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { IntegerParam } from '../../common/validation/integers';

export class TimelineQuery {
  @ApiPropertyOptional({ example: '42', description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 500, default: 200 })
  @IsOptional()
  @IntegerParam(1, 500)
  limit = 200;
}
