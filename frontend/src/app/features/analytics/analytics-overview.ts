import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, type Signal, signal } from '@angular/core';
import { share, tap } from 'rxjs';

import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { UrlQuery } from '../../shared/url-query';
import { AnalyticsApi, type AnalyticsPath, type AnalyticsViews } from './analytics-api';
import { AnalyticsFeed } from './analytics-feed';
import { AnalyticsFilters } from './analytics-filters';
import {
  type AnalyticsQuery,
  queryFromParams,
  queryToParams,
  type Stat,
  seriesParams,
  summaryParams,
} from './analytics-query';
import { ANALYTICS_REFRESHES } from './analytics-refresh';
import { BacklogChart } from './backlog-chart';
import { csvFilename, saveCsv } from './csv-file';
import { KpiCards } from './kpi-cards';
import { ResponseTimeChart } from './response-time-chart';
import { SlaFigures } from './sla-figures';
import { SourceFigures } from './source-figures';

type Params = Readonly<Record<string, string | number>>;
const sameParams = (a: Params, b: Params): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The Analytics page (docs/metrics.md): KPI cards, MTTA/MTTR over time, the open backlog, SLA and
 * sources, for the range, bucket, priority and zone kept in the URL. Every answer is re-read when
 * ANALYTICS_REFRESHES ticks (a 304 when nothing changed), and the page says how fresh it is.
 */
@Component({
  selector: 'nx-analytics-overview',
  imports: [
    AnalyticsFilters,
    BacklogChart,
    KpiCards,
    ProblemNotice,
    ResponseTimeChart,
    SlaFigures,
    SourceFigures,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Analytics</h1>
    <p class="nx-page-intro">
      How fast incidents are acknowledged (MTTA) and resolved (MTTR), SLA compliance and the open backlog.
    </p>
    <p class="freshness" aria-live="polite">
      @if (refreshedAt(); as at) {
        Data as of <time [attr.datetime]="at.toISOString()">{{ asOf() }}</time> · times in {{ query().tz }}
      } @else {
        <span class="skeleton freshness-skeleton" aria-hidden="true"></span>
      }
    </p>
    <nx-analytics-filters [query]="query()" (queryChange)="change($event)" />
    @if (error(); as e) {
      <nx-problem-notice class="problem" [error]="e" />
    }
    <nx-kpi-cards [summary]="summary.view()" [stale]="summary.stale()" [failed]="!!summary.error()" />
    <nx-response-time-chart
      [view]="responseTimes.view()"
      [stat]="query().stat"
      [stale]="responseTimes.stale()"
      [failed]="!!responseTimes.error()"
      (statChange)="changeStat($event)"
      (download)="download('response-times')"
    />
    <div class="panels">
      <nx-backlog-chart
        [view]="backlog.view()"
        [stale]="backlog.stale()"
        [failed]="!!backlog.error()"
        (download)="download('backlog')"
      />
      <nx-sla-figures
        [view]="sla.view()"
        [stale]="sla.stale()"
        [failed]="!!sla.error()"
        (download)="download('sla')"
      />
      <nx-source-figures
        [view]="sources.view()"
        [stale]="sources.stale()"
        [failed]="!!sources.error()"
        (download)="download('sources')"
      />
    </div>
  `,
  styles: `
    .freshness {
      min-height: 1.5em;
      margin: -16px 0 16px;
      font: var(--mat-sys-body-medium);
      color: var(--mat-sys-on-surface-variant);
    }
    .freshness-skeleton {
      display: inline-block;
      width: 16rem;
      max-width: 100%;
      height: 1em;
      border-radius: 4px;
      background: var(--mat-sys-surface-container-high);
    }
    .problem {
      display: block;
      margin-bottom: 16px;
    }
    nx-kpi-cards,
    nx-response-time-chart {
      margin-bottom: 16px;
    }
    .panels {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr));
      gap: 16px;
    }
  `,
})
export class AnalyticsOverview {
  private readonly api = inject(AnalyticsApi);
  private readonly document = inject(DOCUMENT);
  private readonly url = new UrlQuery<AnalyticsQuery>(
    (params) => queryFromParams(params),
    (q) => queryToParams(q),
  );
  protected readonly query = this.url.value;

  /** The clock the preset ranges end at: moved on with each refresh, so "last 7 days" follows the days. */
  private readonly now = signal(new Date());
  private readonly refreshes = inject(ANALYTICS_REFRESHES).pipe(
    tap(() => {
      this.now.set(new Date());
    }),
    share(),
  );

  private readonly seriesParams = computed(() => seriesParams(this.query(), this.now()), {
    equal: sameParams,
  });
  private readonly summaryParams = computed(() => summaryParams(this.query(), this.now()), {
    equal: sameParams,
  });
  private readonly backlogParams = computed(
    (): Params => {
      const priority = this.query().priority;
      return priority === null ? {} : { priority };
    },
    { equal: sameParams },
  );

  protected readonly summary = this.feed('summary', this.summaryParams);
  protected readonly responseTimes = this.feed('response-times', this.seriesParams);
  protected readonly backlog = this.feed('backlog', this.backlogParams);
  protected readonly sla = this.feed('sla', this.seriesParams);
  protected readonly sources = this.feed('sources', this.seriesParams);
  private readonly feeds = [this.summary, this.responseTimes, this.backlog, this.sla, this.sources] as const;

  private readonly downloadError = signal<unknown>(undefined);
  /** One failure at a time, through the app's problem notice. */
  protected readonly error = computed(
    () => this.feeds.map((f) => f.error()).find((e) => e !== undefined) ?? this.downloadError(),
  );

  /** The oldest refresh among the answers shown: the page is at least this fresh. */
  protected readonly refreshedAt = computed(() => {
    const times = this.feeds
      .map((f) => f.view()?.refreshedAt)
      .filter((t): t is string => t !== undefined)
      .map((t) => Date.parse(t));
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  });
  protected readonly asOf = computed(() => {
    const at = this.refreshedAt();
    return at
      ? new Intl.DateTimeFormat('en-GB', {
          timeZone: this.query().tz,
          dateStyle: 'medium',
          timeStyle: 'medium',
        }).format(at)
      : '';
  });

  protected change(query: AnalyticsQuery): void {
    this.url.set(query);
  }

  protected changeStat(stat: Stat): void {
    this.url.set({ stat });
  }

  protected download(path: Exclude<AnalyticsPath, 'summary'>): void {
    const params = path === 'backlog' ? this.backlogParams() : this.seriesParams();
    this.downloadError.set(undefined);
    this.api.csv(path, params).subscribe({
      next: (text) => {
        saveCsv(this.document, csvFilename(path, params), text);
      },
      error: (error: unknown) => {
        this.downloadError.set(error);
      },
    });
  }

  private feed<P extends AnalyticsPath>(path: P, params: Signal<Params>): AnalyticsFeed<AnalyticsViews[P]> {
    return new AnalyticsFeed<AnalyticsViews[P]>(
      params,
      (p, etag) => this.api.read(path, p, etag),
      this.refreshes,
    );
  }
}
