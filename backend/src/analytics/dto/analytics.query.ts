import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsTimeZone, Matches, Max, Min } from 'class-validator';
import { toInteger, trimmed } from '../../common/validation/transforms';

export const BUCKETS = ['hour', 'day', 'week'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** A date (a whole local day in `tz`) or a date-time with its UTC offset (an instant). */
const DATE_OR_INSTANT =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
const RANGE_MESSAGE = '$property must be a date (YYYY-MM-DD) or a date-time with its offset (…Z, …+01:00)';

/** The range, zone and priority every analytics endpoint but the backlog takes. */
export class AnalyticsRangeQuery {
  @ApiPropertyOptional({
    example: '2026-11-01',
    description:
      "Start, inclusive: a date (that day's local midnight in `tz`) or an instant. Default: the summary 7 days before `to`; a series the local midnight 2 (hour), 30 (day) or 84 (week) days before `to`",
  })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Matches(DATE_OR_INSTANT, { message: RANGE_MESSAGE })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description:
      "End: a date (through the end of that local day) or an instant (exclusive). Default: the summary the views' refresh time; a series the local midnight after it",
  })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Matches(DATE_OR_INSTANT, { message: RANGE_MESSAGE })
  to?: string;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    description: 'IANA time zone whose days, hours and weeks the buckets are (default UTC)',
  })
  @IsOptional()
  @IsTimeZone({ message: 'tz must be an IANA time zone such as Europe/Paris' })
  tz?: string;

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 5, description: 'Only this priority' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(5)
  priority?: number;
}

/** A time series: the range cut into the zone's hours, days or ISO weeks (Monday). */
export class AnalyticsSeriesQuery extends AnalyticsRangeQuery {
  @ApiPropertyOptional({ enum: BUCKETS, default: 'day' })
  @IsOptional()
  @IsIn(BUCKETS)
  bucket?: Bucket;
}

/** The backlog is a snapshot: only the priority narrows it. */
export class AnalyticsBacklogQuery {
  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 5, description: 'Only this priority' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(5)
  priority?: number;
}
