import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { toInteger } from './transforms';

/**
 * The most a `page` may be. `OFFSET (page - 1) * size` must stay inside PostgreSQL's bigint
 * (99999999999999999999 once answered 500 "bigint out of range"), and a page that deep is
 * better reached by filtering.
 */
export const MAX_PAGE = 100_000;

/**
 * An integer request parameter (page, page size, limit) from `min` to `max`: decimal digits
 * only, range-checked before it reaches SQL, so no value answers 500.
 */
export function IntegerParam(min: number, max: number): PropertyDecorator {
  return applyDecorators(Transform(toInteger), IsInt(), Min(min), Max(max));
}
