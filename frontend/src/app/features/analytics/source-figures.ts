import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatCard } from '@angular/material/card';

import type { AnalyticsSource, SourcesView } from './analytics-api';

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
  imports: [MatButton, MatCard],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <div class="panel-head">
        <h2 id="sources-title">Sources</h2>
        <div class="panel-actions">
          <button mat-button type="button" (click)="download.emit()" aria-label="Download sources as CSV">
            Download CSV
          </button>
        </div>
      </div>
      <div class="panel-body" [attr.aria-busy]="stale()">
        @if (view()) {
          <div class="table-scroll">
            <table class="figures" aria-describedby="sources-title">
              <caption>
                Incidents opened in the range, by source
              </caption>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Opened</th>
                  <th scope="col">Alerts</th>
                </tr>
              </thead>
              <tbody>
                @for (row of rows(); track row.source) {
                  <tr>
                    <th scope="row">
                      {{ row.label }}
                      <span class="share" aria-hidden="true"><span [style.width.%]="row.share"></span></span>
                    </th>
                    <td>{{ row.opened }}</td>
                    <td>{{ row.alerts }}</td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        } @else if (failed()) {
          <div class="empty"><p>No figures: the request failed (see above).</p></div>
        } @else {
          <div class="skeleton block" aria-hidden="true"></div>
          <span class="cdk-visually-hidden" role="status">Loading sources…</span>
        }
      </div>
    </mat-card>
  `,
  styleUrls: ['./analytics-panel.scss'],
  styles: `
    .share {
      display: block;
      height: 4px;
      margin-top: 2px;
      border-radius: 2px;
      background: var(--mat-sys-surface-container-highest);
      span {
        display: block;
        height: 100%;
        background: var(--mat-sys-primary);
      }
    }
    .block {
      height: 180px;
    }
  `,
})
export class SourceFigures {
  readonly view = input.required<SourcesView | undefined>();
  readonly stale = input(false);
  readonly failed = input(false);
  readonly download = output();

  protected readonly rows = computed(() => {
    const totals = this.view()?.totals ?? [];
    const max = Math.max(1, ...totals.map((t) => t.opened));
    return (Object.keys(SOURCE_LABELS) as AnalyticsSource[]).map((source) => {
      const t = totals.find((x) => x.source === source);
      const opened = t?.opened ?? 0;
      return {
        source,
        label: SOURCE_LABELS[source],
        opened,
        alerts: t?.alerts ?? 0,
        share: (opened / max) * 100,
      };
    });
  });
}
