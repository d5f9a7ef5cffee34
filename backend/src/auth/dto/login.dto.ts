import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'alice@example.com' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({
    example: 'body',
    enum: ['cookie', 'body'],
    default: 'body',
    description:
      'cookie: the refresh token goes in an HttpOnly cookie (browsers); body: in the response (API clients)',
  })
  @IsOptional()
  @IsIn(['cookie', 'body'])
  tokenDelivery: 'cookie' | 'body' = 'body';
}
