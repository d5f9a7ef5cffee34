import { ApiProperty } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ example: 'ok', enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ example: 3600.25, description: 'Seconds since the process started' })
  uptimeSeconds!: number;
}

export class ReadinessDto {
  @ApiProperty({ example: 'ok', enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({
    description:
      'Each dependency checked, by name. `redis` (only with REDIS_URL) is reported but never makes the instance unready.',
    example: { database: { status: 'up' }, migrations: { status: 'up', applied: 1 } },
  })
  checks!: Record<string, { status: string; [detail: string]: unknown }>;
}
