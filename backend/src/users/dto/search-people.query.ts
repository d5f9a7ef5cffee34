import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IntegerParam } from '../../common/validation/integers';

export class SearchPeopleQuery {
  @ApiPropertyOptional({ example: 'ali', description: 'Part of a name or email, any case' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ example: 20, type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @IntegerParam(1, 100)
  limit = 20;
}
