export type Level = 1 | 2 | 3;
export type Priority = 1 | 2 | 3 | 4 | 5;

/**
 * ServiceNow's default priority lookup (impact × urgency). The database computes the same in a
 * generated column; this copy lets the console and the service answer without a round trip.
 */
const MATRIX: Readonly<Record<Level, Readonly<Record<Level, Priority>>>> = {
  1: { 1: 1, 2: 2, 3: 3 },
  2: { 1: 2, 2: 3, 3: 4 },
  3: { 1: 3, 2: 4, 3: 5 },
};

/** Resolution target per priority (hours), from opening. */
const RESOLUTION_HOURS: Readonly<Record<Priority, number>> = { 1: 4, 2: 8, 3: 24, 4: 72, 5: 168 };

export function priorityOf(impact: Level, urgency: Level): Priority {
  return MATRIX[impact][urgency];
}

export function slaDueAt(openedAt: Date, priority: Priority): Date {
  return new Date(openedAt.getTime() + RESOLUTION_HOURS[priority] * 3_600_000);
}
