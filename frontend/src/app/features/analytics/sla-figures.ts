import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatCard } from '@angular/material/card';

import type { SlaView } from './analytics-api';

/**
 * SLA compliance (`/api/analytics/sla`) in compact form: the whole range's share resolved in
 * time, then one row per priority with its target, as a table (it is the accessible form too).
 */
@Component({
  selector: 'nx-sla-figures',
  imports: [MatButton, MatCard],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <div class="panel-head">
        <h2 id="sla-title">SLA</h2>
        <div class="panel-actions">
          <button mat-button type="button" (click)="download.emit()" aria-label="Download SLA figures as CSV">
            Download CSV
          </button>
        </div>
      </div>
      <div class="panel-body" [attr.aria-busy]="stale()">
        @if (view(); as v) {
          @let t = total();
          <p class="overall">
            @if (t.percent === null) {
              No resolutions in this range.
            } @else {
              <strong>{{ t.percent }} %</strong> resolved within target ({{ t.met }} of {{ t.resolved }})
            }
          </p>
          <div class="table-scroll">
            <table class="figures" aria-describedby="sla-title">
              <caption>
                By priority, over the range
              </caption>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Target</th>
                  <th scope="col">Met</th>
                  <th scope="col">Breached</th>
                  <th scope="col">Met %</th>
                </tr>
              </thead>
              <tbody>
                @for (row of v.byPriority; track row.priority) {
                  <tr>
                    <th scope="row">P{{ row.priority }}</th>
                    <td>{{ row.targetHours }} h</td>
                    <td>{{ row.met }}</td>
                    <td>{{ row.breached }}</td>
                    <td>
                      <span class="meter" aria-hidden="true"
                        ><span [style.width.%]="row.percent ?? 0"></span></span
                      >{{ row.percent === null ? '—' : row.percent + ' %' }}
                    </td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
        } @else if (failed()) {
          <div class="empty"><p>No figures: the request failed (see above).</p></div>
        } @else {
          <div class="skeleton block" aria-hidden="true"></div>
          <span class="cdk-visually-hidden" role="status">Loading SLA figures…</span>
        }
      </div>
    </mat-card>
  `,
  styleUrls: ['./analytics-panel.scss'],
  styles: `
    .overall {
      margin: 0 0 8px;
      strong {
        font: var(--mat-sys-title-large);
      }
    }
    .meter {
      display: inline-block;
      width: 40px;
      height: 6px;
      margin-inline-end: 6px;
      vertical-align: middle;
      border-radius: 3px;
      background: var(--mat-sys-surface-container-highest);
      overflow: hidden;
      span {
        display: block;
        height: 100%;
        background: var(--nx-status-ok);
      }
    }
    .block {
      height: 180px;
    }
  `,
})
export class SlaFigures {
  readonly view = input.required<SlaView | undefined>();
  readonly stale = input(false);
  readonly failed = input(false);
  readonly download = output();

  /** The whole range: the sum of the priorities (each resolution has exactly one). */
  protected readonly total = computed(() => {
    const rows = this.view()?.byPriority ?? [];
    const met = rows.reduce((n, r) => n + r.met, 0);
    const resolved = rows.reduce((n, r) => n + r.resolved, 0);
    return { met, resolved, percent: resolved === 0 ? null : Math.round((met / resolved) * 1000) / 10 };
  });
}
