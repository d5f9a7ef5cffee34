import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import type { SummaryView } from './analytics-api';
import { humanDuration } from './durations';
import { percentText } from './figure-text';
import { countDelta, type Delta, durationDelta, pointsDelta } from './kpi-delta';

interface Kpi {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly detail: string;
  readonly delta: Delta | null;
}

const ARROWS = { up: '↑', down: '↓', flat: '→' } as const;

/**
 * The five headline figures of `/api/analytics/summary`, each beside its change against the
 * previous period of the same length: the arrow says which way it moved, the colour whether that
 * is good (fewer open, faster acknowledgement and resolution, a higher SLA %).
 */
@Component({
  selector: 'nx-kpi-cards',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { role: 'list', 'aria-label': 'Key figures', '[attr.aria-busy]': 'stale()' },
  template: `
    @if (kpis(); as list) {
      @for (k of list; track k.id) {
        <section class="kpi" role="listitem" [attr.data-kpi]="k.id" [attr.aria-labelledby]="'kpi-' + k.id">
          <h2 class="kpi-label" [id]="'kpi-' + k.id">{{ k.label }}</h2>
          <p class="kpi-value">{{ k.value }}</p>
          @if (k.delta; as d) {
            <p class="kpi-delta" [attr.data-verdict]="d.verdict" [title]="d.description">
              <span aria-hidden="true">{{ arrows[d.direction] }} {{ d.text }}</span>
              <span class="cdk-visually-hidden">{{ d.description }}</span>
            </p>
          } @else {
            <p class="kpi-delta" data-verdict="none">No comparison</p>
          }
          <p class="kpi-detail">{{ k.detail }}</p>
        </section>
      }
    } @else {
      @for (i of placeholders; track i) {
        <div class="kpi" role="listitem" aria-hidden="true">
          <span class="skeleton line short"></span>
          <span class="skeleton line big"></span>
          <span class="skeleton line"></span>
        </div>
      }
      <span class="cdk-visually-hidden" role="status">{{ failed() ? '' : 'Loading the key figures…' }}</span>
    }
  `,
  styleUrls: ['./analytics-panel.scss'],
  styles: `
    :host {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
      gap: 12px;
      transition: opacity 150ms;
    }
    :host([aria-busy='true']) {
      opacity: 0.55;
    }
    .kpi {
      display: flex;
      flex-direction: column;
      gap: 4px;
      min-width: 0;
      padding: 12px 16px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-surface-container-low);
    }
    .kpi p,
    .kpi h2 {
      margin: 0;
    }
    .kpi-label {
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    .kpi-value {
      font: var(--mat-sys-headline-small);
    }
    .kpi-delta {
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    .kpi-delta[data-verdict='good'] {
      color: var(--nx-status-ok);
    }
    .kpi-delta[data-verdict='bad'] {
      color: var(--mat-sys-error);
    }
    .kpi-detail {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .line {
      display: block;
      height: 14px;
      width: 80%;
    }
    .line.short {
      width: 50%;
    }
    .line.big {
      height: 28px;
      width: 60%;
    }
  `,
})
export class KpiCards {
  readonly summary = input.required<SummaryView | undefined>();
  readonly stale = input(false);
  readonly failed = input(false);

  protected readonly arrows = ARROWS;
  protected readonly placeholders = [1, 2, 3, 4, 5];

  protected readonly kpis = computed<readonly Kpi[] | undefined>(() => {
    const s = this.summary();
    if (!s) return undefined;
    return [
      {
        id: 'open',
        label: 'Open',
        value: String(s.open.current),
        detail: `${String(s.open.previous)} at the end of the previous period`,
        delta: countDelta(s.open.current, s.open.previous, 'lower', 'Open incidents'),
      },
      {
        id: 'unacknowledged',
        label: 'Unacknowledged',
        value: String(s.unacknowledged.current),
        detail: `${String(s.unacknowledged.previous)} at the end of the previous period`,
        delta: countDelta(s.unacknowledged.current, s.unacknowledged.previous, 'lower', 'Unacknowledged'),
      },
      {
        id: 'mtta',
        label: 'MTTA',
        value: humanDuration(s.mtta.current.mean),
        detail: `median ${humanDuration(s.mtta.current.median)} · p90 ${humanDuration(s.mtta.current.p90)} · ${String(s.mtta.current.count)} acknowledged`,
        delta: durationDelta(s.mtta.current.mean, s.mtta.previous.mean, 'lower', 'MTTA'),
      },
      {
        id: 'mttr',
        label: 'MTTR',
        value: humanDuration(s.mttr.current.mean),
        detail: `median ${humanDuration(s.mttr.current.median)} · p90 ${humanDuration(s.mttr.current.p90)} · ${String(s.mttr.current.count)} resolved`,
        delta: durationDelta(s.mttr.current.mean, s.mttr.previous.mean, 'lower', 'MTTR'),
      },
      {
        id: 'sla',
        label: 'SLA met',
        value: percentText(s.sla.current.percent),
        detail: `${String(s.sla.current.met)} of ${String(s.sla.current.resolved)} resolved in time`,
        delta: pointsDelta(s.sla.current.percent, s.sla.previous.percent, 'higher', 'SLA met'),
      },
    ];
  });
}
