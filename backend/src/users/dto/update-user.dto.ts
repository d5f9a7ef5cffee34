import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/roles';
import { trimmed } from '../../common/validation/transforms';

export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'Bob Okafor' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'admin', enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}
