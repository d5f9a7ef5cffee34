// How the dashboard writes a figure in a table or a card: the same number the chart plots, and
// one mark for "nothing measured" wherever a figure can be missing.

/** What stands in for a figure the range did not measure (no acknowledgement, no resolution). */
export const NOT_MEASURED = '—';

/** A figure as the tables print it: the number as plotted, or the not-measured mark. */
export function figureText(value: number | null | undefined): string {
  return value === null || value === undefined ? NOT_MEASURED : String(value);
}

/** A percentage ("93.5 %"), or the not-measured mark. */
export function percentText(value: number | null | undefined): string {
  return value === null || value === undefined ? NOT_MEASURED : `${String(value)} %`;
}
