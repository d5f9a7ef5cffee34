/** A JSON object (not an array, not null): what producers' bodies and their nested parts must be. */
export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
