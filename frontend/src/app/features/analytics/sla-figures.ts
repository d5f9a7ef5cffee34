import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';

import type { SlaView } from './analytics-api';
import { AnalyticsPanel } from './analytics-panel';
import { type FigureColumn, type FigureRow, FigureTable } from './figure-table';
import { figureText, percentText } from './figure-text';

/**
 * SLA compliance (`/api/analytics/sla`) in compact form: the whole range's share resolved in
 * time, then one row per priority with its target, as a table (it is the accessible form too).
 */
@Component({
  selector: 'nx-sla-figures',
  imports: [AnalyticsPanel, FigureTable],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nx-analytics-panel
      heading="SLA"
      headingId="sla-title"
      downloadLabel="Download SLA figures as CSV"
      loadingText="Loading SLA figures…"
      skeleton="block"
      [loaded]="!!view()"
      [stale]="stale()"
      [failed]="failed()"
      (download)="download.emit()"
    >
      @if (view()) {
        @let t = total();
        <p class="overall">
          @if (t.percent === null) {
            No resolutions in this range.
          } @else {
            <strong>{{ t.percent }} %</strong> resolved within target ({{ t.met }} of {{ t.resolved }})
          }
        </p>
        <nx-figure-table
          describedBy="sla-title"
          caption="By priority, over the range"
          [columns]="columns"
          [rows]="rows()"
        />
      }
    </nx-analytics-panel>
  `,
  styleUrls: ['./analytics-panel.scss'],
  styles: `
    .overall {
      margin: 0 0 8px;
      strong {
        font: var(--mat-sys-title-large);
      }
    }
  `,
})
export class SlaFigures {
  readonly view = input.required<SlaView | undefined>();
  readonly stale = input(false);
  readonly failed = input(false);
  readonly download = output();

  protected readonly columns: readonly FigureColumn[] = [
    { header: 'Priority' },
    { header: 'Target' },
    { header: 'Met' },
    { header: 'Breached' },
    { header: 'Met %' },
  ];

  protected readonly rows = computed<readonly FigureRow[]>(() =>
    (this.view()?.byPriority ?? []).map((row) => ({
      key: row.priority,
      label: `P${String(row.priority)}`,
      cells: [
        `${String(row.targetHours)} h`,
        figureText(row.met),
        figureText(row.breached),
        { text: percentText(row.percent), percent: row.percent ?? 0 },
      ],
    })),
  );

  /** The whole range: the sum of the priorities (each resolution has exactly one). */
  protected readonly total = computed(() => {
    const rows = this.view()?.byPriority ?? [];
    const met = rows.reduce((n, r) => n + r.met, 0);
    const resolved = rows.reduce((n, r) => n + r.resolved, 0);
    return { met, resolved, percent: resolved === 0 ? null : Math.round((met / resolved) * 1000) / 10 };
  });
}
