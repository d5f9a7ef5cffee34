import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';

import type { AnalyticsSource, SourcesView } from './analytics-api';
import { AnalyticsPanel } from './analytics-panel';
import { type FigureColumn, type FigureRow, FigureTable } from './figure-table';
import { figureText } from './figure-text';

export const SOURCE_LABELS: Readonly<Record<AnalyticsSource, string>> = {
  console: 'Console',
  api: 'API',
  slack: 'Slack',
  servicenow: 'ServiceNow',
  webhook: 'Webhook events',
};

/**
 * Where incidents came from (`/api/analytics/sources`), compact: one row per source with the
 * incidents opened and the alerts grouped into them, and a bar of its share.
 */
@Component({
  selector: 'nx-source-figures',
  imports: [AnalyticsPanel, FigureTable],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nx-analytics-panel
      heading="Sources"
      headingId="sources-title"
      downloadLabel="Download sources as CSV"
      loadingText="Loading sources…"
      skeleton="block"
      [loaded]="!!view()"
      [stale]="stale()"
      [failed]="failed()"
      (download)="download.emit()"
    >
      @if (view()) {
        <nx-figure-table
          describedBy="sources-title"
          caption="Incidents opened in the range, by source"
          [columns]="columns"
          [rows]="rows()"
        />
      }
    </nx-analytics-panel>
  `,
  styleUrls: ['./analytics-panel.scss'],
})
export class SourceFigures {
  readonly view = input.required<SourcesView | undefined>();
  readonly stale = input(false);
  readonly failed = input(false);
  readonly download = output();

  protected readonly columns: readonly FigureColumn[] = [
    { header: 'Source' },
    { header: 'Opened' },
    { header: 'Alerts' },
  ];

  /** Every source, in a fixed order, with its bar's share of the busiest one. */
  protected readonly rows = computed<readonly FigureRow[]>(() => {
    const totals = this.view()?.totals ?? [];
    const max = Math.max(1, ...totals.map((t) => t.opened));
    return (Object.keys(SOURCE_LABELS) as AnalyticsSource[]).map((source) => {
      const t = totals.find((x) => x.source === source);
      const opened = t?.opened ?? 0;
      return {
        key: source,
        label: SOURCE_LABELS[source],
        share: (opened / max) * 100,
        cells: [figureText(opened), figureText(t?.alerts ?? 0)],
      };
    });
  });
}
