import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiPropertyOptional({
    example: '2f9a7c1e-5b3d-4e8f-a1c2-3d4e5f6a7b8c.kZ2h0LXNlY3JldC1ub3QtcmVhbA',
    description: 'Omit when the nx_refresh cookie carries it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}
