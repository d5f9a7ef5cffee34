import { ApiProperty } from '@nestjs/swagger';
import { INCIDENT_SOURCES } from '../../incidents/incident-state';
import { BUCKETS, type Bucket } from './analytics.query';

/** Every answer says which refresh of the views it comes from. */
export class FreshnessView {
  @ApiProperty({
    example: '2026-12-04T09:00:00.000Z',
    description: 'When the views were last refreshed: the data are as of then (ISO 8601)',
  })
  refreshedAt!: string;
}

export class RangeView extends FreshnessView {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z', description: 'Start, inclusive' })
  from!: string;

  @ApiProperty({ example: '2026-12-01T00:00:00.000Z', description: 'End, exclusive' })
  to!: string;

  @ApiProperty({ example: 'Europe/Paris' })
  tz!: string;

  @ApiProperty({ example: 1, type: Number, nullable: true, description: 'The priority asked for; null: all' })
  priority!: number | null;
}

export class SeriesRangeView extends RangeView {
  @ApiProperty({ example: 'day', enum: BUCKETS })
  bucket!: Bucket;
}

/** Durations in seconds over the incidents whose milestone falls in the period or bucket. */
export class DurationStatsView {
  @ApiProperty({ example: 120, description: 'Incidents measured' })
  count!: number;

  @ApiProperty({ example: 540, type: Number, nullable: true, description: 'Seconds; null when none' })
  mean!: number | null;

  @ApiProperty({ example: 300, type: Number, nullable: true, description: 'Seconds (linear interpolation)' })
  median!: number | null;

  @ApiProperty({
    example: 1320,
    type: Number,
    nullable: true,
    description: '90th percentile, seconds (linear interpolation)',
  })
  p90!: number | null;
}

export class DurationPointView extends DurationStatsView {
  @ApiProperty({
    example: '2026-11-01T00:00:00+01:00',
    description: "The bucket's start: local time in `tz` with its UTC offset",
  })
  start!: string;
}

export class DurationSeriesView {
  @ApiProperty({ example: 'mtta', enum: ['mtta', 'mttr'] })
  name!: 'mtta' | 'mttr';

  @ApiProperty({ type: [DurationPointView] })
  points!: DurationPointView[];
}

export class ResponseTimesView extends SeriesRangeView {
  @ApiProperty({ type: [DurationSeriesView], description: 'MTTA then MTTR' })
  series!: DurationSeriesView[];
}

export class SlaCountsView {
  @ApiProperty({ example: 96, description: 'Resolutions counted' })
  resolved!: number;

  @ApiProperty({ example: 88, description: 'Resolved by the SLA due time' })
  met!: number;

  @ApiProperty({ example: 8, description: 'Resolved after it' })
  breached!: number;

  @ApiProperty({
    example: 91.7,
    type: Number,
    nullable: true,
    description: 'met / resolved × 100; null when none',
  })
  percent!: number | null;
}

export class SlaPointView extends SlaCountsView {
  @ApiProperty({ example: '2026-11-01T00:00:00+01:00' })
  start!: string;
}

export class SlaPriorityView extends SlaCountsView {
  @ApiProperty({ example: 1 })
  priority!: number;

  @ApiProperty({ example: 4, description: 'The resolution target of this priority, in hours (from opening)' })
  targetHours!: number;
}

export class SlaView extends SeriesRangeView {
  @ApiProperty({ type: [SlaPointView] })
  points!: SlaPointView[];

  @ApiProperty({ type: [SlaPriorityView], description: 'Over the whole range' })
  byPriority!: SlaPriorityView[];
}

export class SourcePointView {
  @ApiProperty({ example: '2026-11-01T00:00:00+01:00' })
  start!: string;

  @ApiProperty({ example: 'webhook', enum: INCIDENT_SOURCES })
  source!: string;

  @ApiProperty({ example: 130, description: 'Incidents opened from this source' })
  opened!: number;

  @ApiProperty({ example: 412, description: 'Alerts (webhook events) grouped into them, the first included' })
  alerts!: number;
}

export class SourceTotalView {
  @ApiProperty({ example: 'webhook', enum: INCIDENT_SOURCES })
  source!: string;

  @ApiProperty({ example: 130 })
  opened!: number;

  @ApiProperty({ example: 412 })
  alerts!: number;
}

export class SourcesView extends SeriesRangeView {
  @ApiProperty({ type: [SourcePointView], description: 'Every source in every bucket' })
  points!: SourcePointView[];

  @ApiProperty({ type: [SourceTotalView] })
  totals!: SourceTotalView[];
}

export class ComparedCountView {
  @ApiProperty({ example: 42, description: 'At the end of the period' })
  current!: number;

  @ApiProperty({ example: 37, description: 'At the end of the previous period' })
  previous!: number;
}

export class ComparedDurationView {
  @ApiProperty({ type: DurationStatsView })
  current!: DurationStatsView;

  @ApiProperty({ type: DurationStatsView })
  previous!: DurationStatsView;
}

export class ComparedSlaView {
  @ApiProperty({ type: SlaCountsView })
  current!: SlaCountsView;

  @ApiProperty({ type: SlaCountsView })
  previous!: SlaCountsView;
}

export class SummaryView extends RangeView {
  @ApiProperty({
    example: '2026-10-02T00:00:00.000Z',
    description: 'The previous period: as long, ending at `from`',
  })
  previousFrom!: string;

  @ApiProperty({
    example: { current: 42, previous: 37 },
    type: ComparedCountView,
    description: 'Open incidents',
  })
  open!: ComparedCountView;

  @ApiProperty({
    example: { current: 5, previous: 8 },
    type: ComparedCountView,
    description: 'Open incidents never acknowledged',
  })
  unacknowledged!: ComparedCountView;

  @ApiProperty({
    example: {
      current: { count: 120, mean: 540, median: 300, p90: 1320 },
      previous: { count: 104, mean: 610, median: 360, p90: 1500 },
    },
    type: ComparedDurationView,
    description: 'Opened → first acknowledgement',
  })
  mtta!: ComparedDurationView;

  @ApiProperty({
    example: {
      current: { count: 96, mean: 15400, median: 9800, p90: 41000 },
      previous: { count: 90, mean: 17100, median: 10400, p90: 45200 },
    },
    type: ComparedDurationView,
    description: 'Opened → resolved',
  })
  mttr!: ComparedDurationView;

  @ApiProperty({ type: ComparedSlaView })
  sla!: ComparedSlaView;
}

export class BacklogStateView {
  @ApiProperty({ example: 'in_progress', enum: ['new', 'in_progress', 'on_hold'] })
  state!: string;

  @ApiProperty({ example: 1 })
  priority!: number;

  @ApiProperty({ example: 12 })
  open!: number;

  @ApiProperty({ example: 3 })
  unacknowledged!: number;

  @ApiProperty({ example: 1, description: 'Past the SLA due time at the refresh' })
  overdue!: number;

  @ApiProperty({ example: '2026-12-04T09:00:00.000Z' })
  oldestOpenedAt!: string;
}

export class LoadCountsView {
  @ApiProperty({ example: 12 })
  open!: number;

  @ApiProperty({ example: 3 })
  unacknowledged!: number;

  @ApiProperty({ example: 1 })
  overdue!: number;
}

export class AssigneeLoadView extends LoadCountsView {
  @ApiProperty({
    example: '6f1c2a7e-3b9d-4c8e-9a51-2d7f0e4b8c13',
    type: String,
    nullable: true,
    description: 'null: unassigned',
  })
  assigneeId!: string | null;

  @ApiProperty({ example: 'Rita Responder', type: String, nullable: true })
  name!: string | null;
}

export class GroupLoadView extends LoadCountsView {
  @ApiProperty({
    example: 'Network Operations',
    type: String,
    nullable: true,
    description: 'null: no assignment group',
  })
  group!: string | null;
}

export class BacklogView extends FreshnessView {
  @ApiProperty({ example: 1, type: Number, nullable: true })
  priority!: number | null;

  @ApiProperty({ type: LoadCountsView })
  totals!: LoadCountsView;

  @ApiProperty({ type: [BacklogStateView], description: 'By state × priority' })
  byState!: BacklogStateView[];

  @ApiProperty({ type: [AssigneeLoadView] })
  byAssignee!: AssigneeLoadView[];

  @ApiProperty({ type: [GroupLoadView] })
  byGroup!: GroupLoadView[];
}
