import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/roles';
import { trimmed } from '../../common/validation/transforms';

export class CreateUserDto {
  @ApiProperty({ example: 'bob@example.com' })
  @Transform(trimmed)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Bob Okafor' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'responder', enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    description: 'Omit to generate a temporary password that must be changed at first sign-in',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}
