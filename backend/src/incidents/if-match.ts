import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IncidentError, IncidentErrorCode } from './incident.errors';

/**
 * The version a write expects: `If-Match: "3"` (or W/"3"), else the body's `version`, else none
 * (the write applies to whatever is current). Both given and different is a client bug.
 */
function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '') return bodyVersion;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!match?.[1]) {
    throw new IncidentError(IncidentErrorCode.VersionHeaderInvalid, 'If-Match must be an ETag such as "3"');
  }
  const version = Number(match[1]);
  if (bodyVersion !== undefined && bodyVersion !== version) {
    throw new IncidentError(IncidentErrorCode.VersionHeaderInvalid, 'If-Match and version disagree');
  }
  return version;
}

/** What VersionedDto accepts as `version`; anything else the body's validation refuses. */
const isVersion = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1;

/**
 * The parameter decorator of every versioned write: `expectedVersion` of the request's If-Match
 * and its body's `version`. The handler still declares its `@Body()` (validation, OpenAPI); a
 * body `version` that this would ignore is one that validation refuses.
 */
export const ExpectedVersion = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const ifMatch = request.headers['if-match'];
  const version = (request.body as { version?: unknown } | null | undefined)?.version;
  return expectedVersion(
    typeof ifMatch === 'string' ? ifMatch : undefined,
    isVersion(version) ? version : undefined,
  );
});

export const etagOf = (version: number): string => `"${version}"`;
