import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { MatButtonToggle, MatButtonToggleGroup } from '@angular/material/button-toggle';
import type { ChartConfiguration, ChartData, TooltipItem } from 'chart.js';
import { BaseChartDirective } from 'ng2-charts';

import { Icon } from '../../shared/icon/icon';
import type { DurationPoint, ResponseTimesView } from './analytics-api';
import { AnalyticsPanel } from './analytics-panel';
import { type Stat, STAT_LABELS, STATS } from './analytics-query';
import { bucketLabel, spansYears } from './bucket-label';
import { AXIS_COLOR, GRID_COLOR, SERIES_COLORS } from './chart-colors';
import { humanDuration, inUnit, unitFor, type DurationUnit } from './durations';
import { type FigureColumn, type FigureRow, FigureTable } from './figure-table';
import { figureText } from './figure-text';
import { TableToggle } from './table-toggle';

interface Row {
  readonly label: string;
  readonly mtta: DurationPoint | undefined;
  readonly mttr: DurationPoint | undefined;
}

interface Model {
  readonly labels: readonly string[];
  readonly mtta: readonly DurationPoint[];
  readonly mttr: readonly DurationPoint[];
  readonly rows: readonly Row[];
  readonly unit: DurationUnit;
  readonly stat: Stat;
  /** No bucket measured anything: nothing was acknowledged or resolved in the range. */
  readonly empty: boolean;
}

/** Whether the user asked the system for less motion (charts then draw without animating). */
const reducedMotion = (): boolean =>
  typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * MTTA and MTTR over time (`/api/analytics/response-times`): one line chart, two datasets, of the
 * chosen statistic (mean by default; median and p90 by the toggle, all three in the tooltip and
 * the table). The chart's `data` and `options` are `computed()` from the answer: each answer is a
 * new object that ng2-charts hands to Chart.js, never a mutation followed by `update()`.
 */
@Component({
  selector: 'nx-response-time-chart',
  imports: [
    AnalyticsPanel,
    BaseChartDirective,
    MatButtonToggle,
    MatButtonToggleGroup,
    FigureTable,
    Icon,
    TableToggle,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './response-time-chart.html',
  styleUrls: ['./analytics-panel.scss', './response-time-chart.scss'],
})
export class ResponseTimeChart {
  readonly view = input.required<ResponseTimesView | undefined>();
  readonly stat = input<Stat>('mean');
  /** Other parameters are loading: the shown answer is about to be replaced. */
  readonly stale = input(false);
  /** The first read failed (the page shows why): no skeleton forever. */
  readonly failed = input(false);
  readonly statChange = output<Stat>();
  readonly download = output();

  protected readonly stats = STATS;
  protected readonly statLabels = STAT_LABELS;
  protected readonly showTable = signal(false);

  protected readonly model = computed<Model | undefined>(() => {
    const view = this.view();
    if (!view) return undefined;
    const stat = this.stat();
    const mtta = view.series.find((s) => s.name === 'mtta')?.points ?? [];
    const mttr = view.series.find((s) => s.name === 'mttr')?.points ?? [];
    // Both series come from the same buckets; the longer one names them if one is ever short.
    const starts = (mtta.length >= mttr.length ? mtta : mttr).map((p) => p.start);
    const withYear = spansYears(starts);
    const labels = starts.map((start) => bucketLabel(start, view.bucket, withYear));
    const max = Math.max(0, ...[...mtta, ...mttr].map((p) => p[stat] ?? 0));
    return {
      labels,
      mtta,
      mttr,
      rows: labels.map((label, i) => ({ label, mtta: mtta[i], mttr: mttr[i] })),
      unit: unitFor(max),
      stat,
      empty: [...mtta, ...mttr].every((p) => p.count === 0),
    };
  });

  protected readonly data = computed<ChartData<'line', (number | null)[], string>>(() => {
    const m = this.model();
    if (!m) return { labels: [], datasets: [] };
    const values = (points: readonly DurationPoint[]) => points.map((p) => inUnit(p[m.stat], m.unit));
    return {
      labels: [...m.labels],
      datasets: [
        {
          label: 'MTTA',
          data: values(m.mtta),
          borderColor: SERIES_COLORS.mtta,
          backgroundColor: SERIES_COLORS.mtta,
          pointRadius: 3,
          tension: 0.2,
        },
        {
          label: 'MTTR',
          data: values(m.mttr),
          borderColor: SERIES_COLORS.mttr,
          backgroundColor: SERIES_COLORS.mttr,
          borderDash: [6, 4],
          pointRadius: 3,
          pointStyle: 'rectRot',
          tension: 0.2,
        },
      ],
    };
  });

  protected readonly options = computed<ChartConfiguration<'line'>['options']>(() => {
    const m = this.model();
    const unit = m?.unit.label ?? 'minutes';
    const pointOf = (item: TooltipItem<'line'>): DurationPoint | undefined =>
      (item.datasetIndex === 0 ? m?.mtta : m?.mttr)?.[item.dataIndex];
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion() ? false : { duration: 250 },
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { ticks: { color: AXIS_COLOR, maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } },
        y: {
          min: 0,
          title: { display: true, text: unit, color: AXIS_COLOR },
          ticks: { color: AXIS_COLOR },
          grid: { color: GRID_COLOR },
        },
      },
      plugins: {
        legend: { position: 'top', labels: { color: AXIS_COLOR, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const p = pointOf(item);
              if (!p || p.count === 0) return `${item.dataset.label ?? ''}: none`;
              return `${item.dataset.label ?? ''}: mean ${humanDuration(p.mean)} · median ${humanDuration(p.median)} · p90 ${humanDuration(p.p90)} (${String(p.count)})`;
            },
          },
        },
      },
    };
  });

  /** What the chart shows, in words: the canvas's accessible name. */
  protected readonly summary = computed(() => {
    const m = this.model();
    const view = this.view();
    if (!m || !view) return '';
    const span = (points: readonly DurationPoint[]): string => {
      const values = points.map((p) => p[m.stat]).filter((v): v is number => v !== null);
      return values.length === 0
        ? 'none measured'
        : `from ${humanDuration(Math.min(...values))} to ${humanDuration(Math.max(...values))}`;
    };
    const first = m.labels[0] ?? '';
    const last = m.labels[m.labels.length - 1] ?? '';
    return (
      `Line chart of MTTA and MTTR (${STAT_LABELS[m.stat].toLowerCase()}) per ${view.bucket}, ${first} to ${last}. ` +
      `MTTA ${span(m.mtta)}; MTTR ${span(m.mttr)}. The same figures are available as a table.`
    );
  });

  /** The table alternative: the chosen statistic of both series per bucket, with their counts. */
  protected readonly table = computed<
    { caption: string; columns: readonly FigureColumn[]; rows: readonly FigureRow[] } | undefined
  >(() => {
    const m = this.model();
    if (!m) return undefined;
    const figure = (point: DurationPoint | undefined): string =>
      figureText(inUnit(point?.[m.stat] ?? null, m.unit));
    const count = (point: DurationPoint | undefined): string => figureText(point?.count ?? 0);
    return {
      caption: `${STAT_LABELS[m.stat]} time to acknowledge and to resolve, in ${m.unit.label}`,
      columns: [
        { header: 'Period' },
        { header: `MTTA (${m.unit.short})`, series: 'mtta' },
        { header: 'Acknowledged' },
        { header: `MTTR (${m.unit.short})`, series: 'mttr' },
        { header: 'Resolved' },
      ],
      rows: m.rows.map((row) => ({
        key: row.label,
        label: row.label,
        cells: [figure(row.mtta), count(row.mtta), figure(row.mttr), count(row.mttr)],
      })),
    };
  });
}
