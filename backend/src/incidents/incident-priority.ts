/** Impact and urgency: 1 (high) to 3 (low). */
export const LEVELS = [1, 2, 3] as const;
export type Level = (typeof LEVELS)[number];
export const PRIORITIES = [1, 2, 3, 4, 5] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * ServiceNow's default priority lookup (impact × urgency). The database computes the same in a
 * generated column; this copy lets the service answer without a round trip, and the console
 * reads it from `GET /api/incidents/metadata`.
 */
const MATRIX: Readonly<Record<Level, Readonly<Record<Level, Priority>>>> = {
  1: { 1: 1, 2: 2, 3: 3 },
  2: { 1: 2, 2: 3, 3: 4 },
  3: { 1: 3, 2: 4, 3: 5 },
};

/** Resolution target per priority (hours), from opening. */
export const RESOLUTION_HOURS: Readonly<Record<Priority, number>> = { 1: 4, 2: 8, 3: 24, 4: 72, 5: 168 };

export function priorityOf(impact: Level, urgency: Level): Priority {
  return MATRIX[impact][urgency];
}

export function slaDueAt(openedAt: Date, priority: Priority): Date {
  return new Date(openedAt.getTime() + RESOLUTION_HOURS[priority] * 3_600_000);
}
