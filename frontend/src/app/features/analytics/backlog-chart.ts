import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import type { ChartConfiguration, ChartData } from 'chart.js';
import { BaseChartDirective } from 'ng2-charts';

import { Icon } from '../../shared/icon/icon';
import { STATE_LABELS } from '../../shared/incident-rules/priority';
import type { BacklogState, BacklogView } from './analytics-api';
import { AnalyticsPanel } from './analytics-panel';
import { PRIORITIES, type Priority } from './analytics-query';
import { AXIS_COLOR, GRID_COLOR, PRIORITY_COLORS } from './chart-colors';
import { type FigureColumn, type FigureRow, FigureTable } from './figure-table';
import { figureText } from './figure-text';
import { TableToggle } from './table-toggle';

/** The open states, in the order work moves through them. */
const OPEN_STATES: readonly BacklogState[] = ['new', 'in_progress', 'on_hold'];

/**
 * The open backlog (`/api/analytics/backlog`) as a stacked bar chart, state × priority, with its
 * totals and the same counts as a table. `data` is `computed()` from the answer.
 */
@Component({
  selector: 'nx-backlog-chart',
  imports: [AnalyticsPanel, BaseChartDirective, FigureTable, Icon, TableToggle],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nx-analytics-panel
      heading="Open backlog"
      headingId="backlog-title"
      downloadLabel="Download the backlog as CSV"
      loadingText="Loading the backlog…"
      [loaded]="!!view()"
      [stale]="stale()"
      [failed]="failed()"
      (download)="download.emit()"
    >
      <nx-table-toggle panelAction controls="backlog-table" [(shown)]="showTable" />
      @if (view(); as v) {
        <p class="totals">
          <span
            ><strong>{{ v.totals.open }}</strong> open</span
          >
          <span
            ><strong>{{ v.totals.unacknowledged }}</strong> unacknowledged</span
          >
          <span
            ><strong>{{ v.totals.overdue }}</strong> overdue</span
          >
        </p>
        @if (v.totals.open === 0) {
          <div class="empty">
            <nx-icon name="check-circle" />
            <p class="empty-title">No open incidents</p>
          </div>
        } @else {
          <div class="chart-box">
            <canvas
              baseChart
              type="bar"
              role="img"
              [attr.aria-label]="summary()"
              [data]="data()"
              [options]="options"
            >
              {{ summary() }}
            </canvas>
          </div>
        }
        @if (showTable()) {
          <nx-figure-table
            id="backlog-table"
            caption="Open incidents by state and priority"
            [columns]="tableColumns()"
            [rows]="tableRows()"
          />
        }
      }
    </nx-analytics-panel>
  `,
  styleUrls: ['./analytics-panel.scss'],
  styles: `
    .totals {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      margin: 0 0 8px;
      color: var(--mat-sys-on-surface-variant);
      strong {
        color: var(--mat-sys-on-surface);
        font: var(--mat-sys-title-medium);
      }
    }
  `,
})
export class BacklogChart {
  readonly view = input.required<BacklogView | undefined>();
  readonly stale = input(false);
  readonly failed = input(false);
  readonly download = output();

  protected readonly showTable = signal(false);

  /** Every priority, or only the one asked for. */
  protected readonly priorities = computed<readonly Priority[]>(() => {
    const only = this.view()?.priority;
    return PRIORITIES.filter((p) => only === null || only === undefined || p === only);
  });

  protected readonly rows = computed(() => {
    const byState = this.view()?.byState ?? [];
    return OPEN_STATES.map((state) => ({
      state,
      label: STATE_LABELS[state],
      counts: this.priorities().map(
        (p) => byState.find((r) => r.state === state && r.priority === p)?.open ?? 0,
      ),
    }));
  });

  protected readonly tableColumns = computed<readonly FigureColumn[]>(() => [
    { header: 'State' },
    ...this.priorities().map((p) => ({ header: `P${String(p)}` })),
  ]);

  protected readonly tableRows = computed<readonly FigureRow[]>(() =>
    this.rows().map((r) => ({ key: r.state, label: r.label, cells: r.counts.map((n) => figureText(n)) })),
  );

  protected readonly data = computed<ChartData<'bar', number[], string>>(() => ({
    labels: this.rows().map((r) => r.label),
    datasets: this.priorities().map((p, i) => ({
      label: `P${String(p)}`,
      data: this.rows().map((r) => r.counts[i] ?? 0),
      backgroundColor: PRIORITY_COLORS[p],
      stack: 'open',
    })),
  }));

  protected readonly summary = computed(() => {
    const parts = this.rows().map((r) => `${r.label} ${String(r.counts.reduce((a, b) => a + b, 0))}`);
    return `Bar chart of open incidents by state, stacked by priority: ${parts.join(', ')}. The same counts are available as a table.`;
  });

  protected readonly options: ChartConfiguration<'bar'>['options'] = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    scales: {
      x: { stacked: true, ticks: { color: AXIS_COLOR }, grid: { display: false } },
      y: {
        stacked: true,
        min: 0,
        ticks: { color: AXIS_COLOR, precision: 0 },
        grid: { color: GRID_COLOR },
        title: { display: true, text: 'open incidents', color: AXIS_COLOR },
      },
    },
    plugins: { legend: { position: 'top', labels: { color: AXIS_COLOR } } },
  };
}
