import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'title' })
  field!: string;

  @ApiProperty({ example: 'title must be longer than or equal to 3 characters' })
  message!: string;
}

/** The shape of every error response (RFC 9457), for the OpenAPI document. */
export class ProblemDetailsDto {
  @ApiProperty({
    example: 'urn:nexecute:problem:validation-failed',
    description: 'Identifies the problem type',
  })
  type!: string;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP status phrase' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'title: title must be longer than or equal to 3 characters' })
  detail!: string;

  @ApiPropertyOptional({ example: '/api/incidents' })
  instance?: string;

  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description: 'Stable machine-readable code; branch on this, not on title',
  })
  code!: string;

  @ApiPropertyOptional({
    example: '3f0c1a52-8a2e-4a57-9a61-2b1f3f0f6c11',
    description: 'Quote it when reporting a problem',
  })
  requestId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present for VALIDATION_FAILED' })
  errors?: FieldErrorDto[];
}
