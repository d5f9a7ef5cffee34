import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export interface FigureColumn {
  readonly header: string;
  /** Set as `data-series` on the column's cells: the chart series whose numbers they are. */
  readonly series?: string;
}

/** A cell with a small meter before its text: `percent` (0–100) of the meter filled. */
export interface MeteredFigure {
  readonly text: string;
  readonly percent: number;
}

export type FigureCell = string | MeteredFigure;

export interface FigureRow {
  /** Tracks the row across answers. */
  readonly key: string | number;
  /** The row's header, the first column. */
  readonly label: string;
  /** 0–100: a bar under the label, the row's share of the largest row. */
  readonly share?: number;
  /** One per column after the first. */
  readonly cells: readonly FigureCell[];
}

/**
 * A panel's figures as a compact table: a caption, one header row, then one row per bucket,
 * state, priority or source with its header cell first. It is the accessible form of a chart
 * (the "Show as table" alternative) or a panel's only form. `columns` includes the row headers'.
 */
@Component({
  selector: 'nx-figure-table',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="table-scroll">
      <table class="figures" [attr.aria-describedby]="describedBy()">
        <caption>
          {{
            caption()
          }}
        </caption>
        <thead>
          <tr>
            @for (column of columns(); track $index) {
              <th scope="col">{{ column.header }}</th>
            }
          </tr>
        </thead>
        <tbody>
          @for (row of body(); track row.key) {
            <tr>
              <th scope="row">
                {{ row.label }}
                @if (row.share !== undefined) {
                  <span class="share" aria-hidden="true"><span [style.width.%]="row.share"></span></span>
                }
              </th>
              @for (cell of row.cells; track $index) {
                <td [attr.data-series]="cell.series">
                  @if (cell.percent !== null) {
                    <span class="meter" aria-hidden="true"><span [style.width.%]="cell.percent"></span></span
                    >{{ cell.text }}
                  } @else {
                    {{ cell.text }}
                  }
                </td>
              }
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    :host {
      display: block;
    }
    .table-scroll {
      overflow-x: auto;
      max-width: 100%;
    }
    table.figures {
      width: 100%;
      border-collapse: collapse;
      font: var(--mat-sys-body-medium);

      caption {
        text-align: start;
        padding: 8px 0;
        font: var(--mat-sys-label-large);
        color: var(--mat-sys-on-surface-variant);
      }

      th,
      td {
        padding: 6px 8px;
        border-bottom: 1px solid var(--mat-sys-outline-variant);
        text-align: end;
        white-space: nowrap;
      }

      th:first-child,
      td:first-child {
        text-align: start;
      }

      thead th {
        font: var(--mat-sys-label-large);
      }
    }
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
  `,
})
export class FigureTable {
  /** Says what the rows hold; the table's accessible name. */
  readonly caption = input.required<string>();
  readonly columns = input.required<readonly FigureColumn[]>();
  readonly rows = input.required<readonly FigureRow[]>();
  /** The id of the panel heading that describes the table, if any. */
  readonly describedBy = input<string | null>(null);

  /** Each cell with its column's series and its meter, if it has one. */
  protected readonly body = computed(() => {
    const columns = this.columns();
    return this.rows().map((row) => ({
      ...row,
      cells: row.cells.map((cell, i) => ({
        text: typeof cell === 'string' ? cell : cell.text,
        percent: typeof cell === 'string' ? null : cell.percent,
        series: columns[i + 1]?.series ?? null,
      })),
    }));
  });
}
