import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatCard } from '@angular/material/card';

/**
 * The card every analytics panel sits in: its heading, its actions (the panel's own, projected
 * with a `panelAction` attribute, then "Download CSV"), and its body. Until the first answer the
 * body holds a skeleton shaped like what is coming (`skeleton`), or says the read failed; the
 * panel's projected content shows itself once it has an answer. While other parameters load the
 * body is dimmed (`stale`), never emptied.
 */
@Component({
  selector: 'nx-analytics-panel',
  imports: [MatButton, MatCard],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <div class="panel-head">
        <h2 [id]="headingId()">{{ heading() }}</h2>
        <div class="panel-actions">
          <ng-content select="[panelAction]" />
          <button mat-button type="button" (click)="download.emit()" [attr.aria-label]="downloadLabel()">
            Download CSV
          </button>
        </div>
      </div>
      <div class="panel-body" [attr.aria-busy]="stale()">
        <ng-content />
        @if (!loaded()) {
          @if (failed()) {
            <div class="empty"><p>No figures: the request failed (see above).</p></div>
          } @else {
            <div
              class="skeleton"
              [class.chart-box]="skeleton() === 'chart'"
              [class.block]="skeleton() === 'block'"
              aria-hidden="true"
            ></div>
            <span class="cdk-visually-hidden" role="status">{{ loadingText() }}</span>
          }
        }
      </div>
    </mat-card>
  `,
  styleUrl: './analytics-panel.scss',
  styles: `
    /* Fills its grid cell, as the card in it does, so the panels of a row are as tall as each other. */
    :host {
      height: 100%;
    }
    .block {
      height: 180px;
    }
  `,
})
export class AnalyticsPanel {
  readonly heading = input.required<string>();
  /** The heading's id, for the panel's table to be described by. */
  readonly headingId = input.required<string>();
  /** Names the download button for what it downloads: "Download sources as CSV". */
  readonly downloadLabel = input.required<string>();
  /** Said to screen readers until the first answer: "Loading sources…". */
  readonly loadingText = input.required<string>();
  /** The skeleton's shape: a chart's box or a block of figures. */
  readonly skeleton = input<'chart' | 'block'>('chart');
  /** The panel has an answer (its content shows it). */
  readonly loaded = input(false);
  /** Other parameters are loading: the shown answer is about to be replaced. */
  readonly stale = input(false);
  /** The first read failed (the page shows why): no skeleton forever. */
  readonly failed = input(false);
  readonly download = output();
}
