import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/roles';
import { IntegerParam, MAX_PAGE } from '../../common/validation/integers';

export const USER_SORTS = ['name', 'email', 'role', 'createdAt', 'lastLoginAt'] as const;

export class ListUsersQuery {
  @ApiPropertyOptional({ example: 'ali', description: 'Part of a name or email, any case' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ example: 'responder', enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ example: 'active', enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @IntegerParam(1, MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ example: 25, minimum: 1, maximum: 200, default: 25 })
  @IsOptional()
  @IntegerParam(1, 200)
  pageSize = 25;

  @ApiPropertyOptional({ example: 'name', enum: USER_SORTS, default: 'name' })
  @IsOptional()
  @IsIn(USER_SORTS)
  sort: (typeof USER_SORTS)[number] = 'name';

  @ApiPropertyOptional({ example: 'asc', enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}
