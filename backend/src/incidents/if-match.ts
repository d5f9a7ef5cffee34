import { IncidentError, IncidentErrorCode } from './incident.errors';

/**
 * The version a write expects: `If-Match: "3"` (or W/"3"), else the body's `version`, else none
 * (the write applies to whatever is current). Both given and different is a client bug.
 */
export function expectedVersion(
  ifMatch: string | undefined,
  bodyVersion: number | undefined,
): number | undefined {
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

export const etagOf = (version: number): string => `"${version}"`;
