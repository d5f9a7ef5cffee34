import { ApiProperty } from '@nestjs/swagger';
import { INCIDENT_SOURCES } from '../../incidents/incident-state';
import { BUCKETS, type Bucket } from './analytics.query';

/** Every answer says which refresh of the views it comes from. */
export class FreshnessView {
  @ApiProperty({ description: 'When the views were last refreshed: the data are as of then (ISO 8601)' })
  refreshedAt!: string;
}

export class RangeView extends FreshnessView {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z', description: 'Start, inclusive' })
  from!: string;

  @ApiProperty({ example: '2026-12-01T00:00:00.000Z', description: 'End, exclusive' })
  to!: string;

  @ApiProperty({ example: 'Europe/Paris' })
  tz!: string;

  @ApiProperty({ type: Number, nullable: true, description: 'The priority asked for; null: all' })
  priority!: number | null;
}

export class SeriesRangeView extends RangeView {
  @ApiProperty({ enum: BUCKETS })
  bucket!: Bucket;
}

/** Durations in seconds over the incidents whose milestone falls in the period or bucket. */
export class DurationStatsView {
  @ApiProperty({ description: 'Incidents measured' })
  count!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Seconds; null when none' })
  mean!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Seconds (linear interpolation)' })
  median!: number | null;

  @ApiProperty({
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
  @ApiProperty({ enum: ['mtta', 'mttr'] })
  name!: 'mtta' | 'mttr';

  @ApiProperty({ type: [DurationPointView] })
  points!: DurationPointView[];
}

export class ResponseTimesView extends SeriesRangeView {
  @ApiProperty({ type: [DurationSeriesView], description: 'MTTA then MTTR' })
  series!: DurationSeriesView[];
}

export class SlaCountsView {
  @ApiProperty({ description: 'Resolutions counted' })
  resolved!: number;

  @ApiProperty({ description: 'Resolved by the SLA due time' })
  met!: number;

  @ApiProperty({ description: 'Resolved after it' })
  breached!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'met / resolved × 100; null when none' })
  percent!: number | null;
}

export class SlaPointView extends SlaCountsView {
  @ApiProperty({ example: '2026-11-01T00:00:00+01:00' })
  start!: string;
}

export class SlaPriorityView extends SlaCountsView {
  @ApiProperty()
  priority!: number;

  @ApiProperty({ description: 'The resolution target of this priority, in hours (from opening)' })
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

  @ApiProperty({ enum: INCIDENT_SOURCES })
  source!: string;

  @ApiProperty({ description: 'Incidents opened from this source' })
  opened!: number;

  @ApiProperty({ description: 'Alerts (webhook events) grouped into them, the first included' })
  alerts!: number;
}

export class SourceTotalView {
  @ApiProperty({ enum: INCIDENT_SOURCES })
  source!: string;

  @ApiProperty()
  opened!: number;

  @ApiProperty()
  alerts!: number;
}

export class SourcesView extends SeriesRangeView {
  @ApiProperty({ type: [SourcePointView], description: 'Every source in every bucket' })
  points!: SourcePointView[];

  @ApiProperty({ type: [SourceTotalView] })
  totals!: SourceTotalView[];
}

export class ComparedCountView {
  @ApiProperty({ description: 'At the end of the period' })
  current!: number;

  @ApiProperty({ description: 'At the end of the previous period' })
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
  @ApiProperty({ description: 'The previous period: as long, ending at `from`' })
  previousFrom!: string;

  @ApiProperty({ type: ComparedCountView, description: 'Open incidents' })
  open!: ComparedCountView;

  @ApiProperty({ type: ComparedCountView, description: 'Open incidents never acknowledged' })
  unacknowledged!: ComparedCountView;

  @ApiProperty({ type: ComparedDurationView, description: 'Opened → first acknowledgement' })
  mtta!: ComparedDurationView;

  @ApiProperty({ type: ComparedDurationView, description: 'Opened → resolved' })
  mttr!: ComparedDurationView;

  @ApiProperty({ type: ComparedSlaView })
  sla!: ComparedSlaView;
}

export class BacklogStateView {
  @ApiProperty({ enum: ['new', 'in_progress', 'on_hold'] })
  state!: string;

  @ApiProperty()
  priority!: number;

  @ApiProperty()
  open!: number;

  @ApiProperty()
  unacknowledged!: number;

  @ApiProperty({ description: 'Past the SLA due time at the refresh' })
  overdue!: number;

  @ApiProperty()
  oldestOpenedAt!: string;
}

export class LoadCountsView {
  @ApiProperty()
  open!: number;

  @ApiProperty()
  unacknowledged!: number;

  @ApiProperty()
  overdue!: number;
}

export class AssigneeLoadView extends LoadCountsView {
  @ApiProperty({ type: String, nullable: true, description: 'null: unassigned' })
  assigneeId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;
}

export class GroupLoadView extends LoadCountsView {
  @ApiProperty({ type: String, nullable: true, description: 'null: no assignment group' })
  group!: string | null;
}

export class BacklogView extends FreshnessView {
  @ApiProperty({ type: Number, nullable: true })
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
