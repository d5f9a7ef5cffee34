// Answers of the analytics API for the unit specs, shaped by the generated types.
import type {
  BacklogView,
  DurationPoint,
  ResponseTimesView,
  SlaView,
  SourcesView,
  SummaryView,
} from './analytics-api';

export const REFRESHED_AT = '2026-12-04T09:00:00.000Z';

const range = {
  refreshedAt: REFRESHED_AT,
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  tz: 'UTC',
  priority: null,
};

export function summaryView(overrides: Partial<SummaryView> = {}): SummaryView {
  return {
    ...range,
    previousFrom: '2026-10-02T00:00:00.000Z',
    open: { current: 42, previous: 37 },
    unacknowledged: { current: 5, previous: 8 },
    mtta: {
      current: { count: 120, mean: 540, median: 300, p90: 1320 },
      previous: { count: 104, mean: 600, median: 360, p90: 1500 },
    },
    mttr: {
      current: { count: 96, mean: 15_400, median: 9800, p90: 41_000 },
      previous: { count: 90, mean: 14_000, median: 10_400, p90: 45_200 },
    },
    sla: {
      current: { resolved: 96, met: 88, breached: 8, percent: 91.7 },
      previous: { resolved: 90, met: 80, breached: 10, percent: 88.9 },
    },
    ...overrides,
  };
}

export function point(start: string, mean: number | null, count = mean === null ? 0 : 1): DurationPoint {
  return {
    start,
    count,
    mean,
    median: mean === null ? null : mean / 2,
    p90: mean === null ? null : mean * 2,
  };
}

/** Three days; MTTA in minutes, MTTR in hours (so the axis is in hours). */
export function responseTimesView(overrides: Partial<ResponseTimesView> = {}): ResponseTimesView {
  return {
    ...range,
    bucket: 'day',
    series: [
      {
        name: 'mtta',
        points: [
          point('2026-11-01T00:00:00+00:00', 600, 3),
          point('2026-11-02T00:00:00+00:00', null),
          point('2026-11-03T00:00:00+00:00', 1800, 2),
        ],
      },
      {
        name: 'mttr',
        points: [
          point('2026-11-01T00:00:00+00:00', 7200, 2),
          point('2026-11-02T00:00:00+00:00', 18_000, 1),
          point('2026-11-03T00:00:00+00:00', null),
        ],
      },
    ],
    ...overrides,
  };
}

export function emptyResponseTimesView(): ResponseTimesView {
  const days = ['2026-11-01T00:00:00+00:00', '2026-11-02T00:00:00+00:00'];
  return responseTimesView({
    series: [
      { name: 'mtta', points: days.map((d) => point(d, null)) },
      { name: 'mttr', points: days.map((d) => point(d, null)) },
    ],
  });
}

export function backlogView(overrides: Partial<BacklogView> = {}): BacklogView {
  return {
    refreshedAt: REFRESHED_AT,
    priority: null,
    totals: { open: 6, unacknowledged: 2, overdue: 1 },
    byState: [
      { state: 'new', priority: 1, open: 2, unacknowledged: 2, overdue: 1, oldestOpenedAt: REFRESHED_AT },
      {
        state: 'in_progress',
        priority: 2,
        open: 3,
        unacknowledged: 0,
        overdue: 0,
        oldestOpenedAt: REFRESHED_AT,
      },
      { state: 'on_hold', priority: 5, open: 1, unacknowledged: 0, overdue: 0, oldestOpenedAt: REFRESHED_AT },
    ],
    byAssignee: [],
    byGroup: [],
    ...overrides,
  };
}

export function slaView(overrides: Partial<SlaView> = {}): SlaView {
  return {
    ...range,
    bucket: 'day',
    points: [{ start: '2026-11-01T00:00:00+00:00', resolved: 4, met: 3, breached: 1, percent: 75 }],
    byPriority: [
      { priority: 1, targetHours: 4, resolved: 2, met: 1, breached: 1, percent: 50 },
      { priority: 2, targetHours: 8, resolved: 2, met: 2, breached: 0, percent: 100 },
    ],
    ...overrides,
  };
}

export function sourcesView(overrides: Partial<SourcesView> = {}): SourcesView {
  return {
    ...range,
    bucket: 'day',
    points: [],
    totals: [
      { source: 'console', opened: 3, alerts: 0 },
      { source: 'webhook', opened: 6, alerts: 21 },
    ],
    ...overrides,
  };
}
