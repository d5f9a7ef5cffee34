import type { Priority } from '../../shared/incident-rules/priority';

// Canvas drawing cannot read CSS custom properties, so the charts' colours are fixed here: chosen
// to read on both the light and the dark surface, and never the only cue (MTTR's line is dashed,
// the tables carry the numbers).

export const SERIES_COLORS = { mtta: '#1e88e5', mttr: '#d81b60' } as const;

export const PRIORITY_COLORS: Readonly<Record<Priority, string>> = {
  1: '#d32f2f',
  2: '#f57c00',
  3: '#f9a825',
  4: '#43a047',
  5: '#78909c',
};

/** Axis ticks and grid: a mid grey that stays legible on either theme. */
export const AXIS_COLOR = '#8a8f98';
export const GRID_COLOR = 'rgba(138, 143, 152, 0.25)';
