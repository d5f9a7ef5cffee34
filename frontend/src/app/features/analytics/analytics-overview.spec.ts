import { provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  type TestRequest,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { By } from '@angular/platform-browser';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { ChartData } from 'chart.js';
import { BaseChartDirective } from 'ng2-charts';
import { Subject } from 'rxjs';

import { byText, choose, click, problemAnswer, settle, type } from '../../../testing/incident-fixtures';
import { problemInterceptor } from '../../core/problem-interceptor';
import {
  backlogView,
  emptyResponseTimesView,
  REFRESHED_AT,
  responseTimesView,
  slaView,
  sourcesView,
  summaryView,
} from './analytics-fixtures';
import analyticsRoutes from './analytics.routes';
import { ANALYTICS_REFRESHES } from './analytics-refresh';

const URL_OF = (path: string) => `/api/analytics/${path}`;
/** Custom dates in UTC: requests that do not depend on today's date. */
const FIXED = '/analytics?range=custom&from=2026-11-01&to=2026-11-30&tz=UTC';

// The first test loads the route's chunk and Material; on a shared, loaded machine that takes seconds.
describe('AnalyticsOverview', { timeout: 30_000 }, () => {
  let harness: RouterTestingHarness;
  let backend: HttpTestingController;
  let refreshes: Subject<void>;

  beforeEach(async () => {
    // jsdom has no canvas: Chart.js gets no context and draws nothing, which is all these specs need.
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    refreshes = new Subject<void>();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'analytics', loadChildren: () => Promise.resolve(analyticsRoutes) }]),
        { provide: ANALYTICS_REFRESHES, useValue: refreshes },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    backend.verify();
    vi.restoreAllMocks();
  });

  async function open(url = FIXED): Promise<void> {
    await harness.navigateByUrl(url);
    await settle();
  }

  function page(): HTMLElement {
    return harness.routeNativeElement!;
  }

  function pending(path: string): TestRequest {
    return backend.expectOne((req) => req.url === URL_OF(path) && !req.headers.has('Accept'));
  }

  async function answerAll(responseTimes = responseTimesView()): Promise<void> {
    pending('summary').flush(summaryView(), { headers: { etag: 'W/"analytics-1-json"' } });
    pending('response-times').flush(responseTimes, { headers: { etag: 'W/"analytics-1-json"' } });
    pending('backlog').flush(backlogView());
    pending('sla').flush(slaView());
    pending('sources').flush(sourcesView());
    await settle();
  }

  /** A well-formed answer for any analytics URL. */
  function fixtureFor(url: string): object {
    const path = url.split('/').pop();
    return path === 'summary'
      ? summaryView()
      : path === 'response-times'
        ? responseTimesView()
        : path === 'backlog'
          ? backlogView()
          : path === 'sla'
            ? slaView()
            : sourcesView();
  }

  /** Answers every request still open, each with `body(url)`. */
  function answerRest(
    body: (url: string) => object | null,
    init?: { status: number; statusText: string },
  ): void {
    for (const req of backend.match(() => true)) req.flush(body(req.request.url), init);
  }

  function field(label: string): HTMLElement {
    const found = Array.from(page().querySelectorAll<HTMLElement>('mat-form-field')).find(
      (f) => f.querySelector('mat-label')?.textContent.trim() === label,
    );
    if (!found) throw new Error(`no field ${label}`);
    return found;
  }

  function lineChartData(): ChartData<'line'> {
    const charts = harness.fixture.debugElement.queryAll(By.directive(BaseChartDirective));
    const line = charts.map((c) => c.injector.get(BaseChartDirective)).find((c) => c.type === 'line');
    if (!line?.data) throw new Error('no line chart');
    return line.data as ChartData<'line'>;
  }

  it('shows skeletons, not empty figures, until the answers come', async () => {
    await open();

    expect(page().querySelectorAll('nx-kpi-cards .skeleton').length).toBeGreaterThan(0);
    expect(page().querySelector('nx-response-time-chart .chart-box.skeleton')).not.toBeNull();
    expect(page().querySelector('nx-backlog-chart .skeleton')).not.toBeNull();
    expect(page().textContent).toContain('Loading response times…');
    expect(page().textContent).not.toContain('No incidents');
    expect(page().querySelector('canvas')).toBeNull();

    await answerAll();
    expect(page().querySelector('.skeleton')).toBeNull();
    expect(page().textContent).toContain('Data as of 4 Dec 2026, 09:00:00 · times in UTC');
  });

  it('asks every endpoint for the range, zone and priority in the URL', async () => {
    await open(`${FIXED}&priority=2&bucket=week`);

    const series = { from: '2026-11-01', to: '2026-11-30', tz: 'UTC', priority: '2', bucket: 'week' };
    for (const path of ['response-times', 'sla', 'sources']) {
      const req = pending(path);
      expect(
        Object.fromEntries(req.request.params.keys().map((k) => [k, req.request.params.get(k)])),
      ).toEqual(series);
      req.flush(path === 'sla' ? slaView() : path === 'sources' ? sourcesView() : responseTimesView());
    }
    expect(pending('summary').request.params.toString()).toBe(
      'from=2026-11-01&to=2026-11-30&tz=UTC&priority=2',
    );
    expect(pending('backlog').request.params.toString()).toBe('priority=2');
    answerRest(fixtureFor);
  });

  it('builds the MTTA and MTTR datasets from the answer, in a unit that reads well', async () => {
    await open();
    await answerAll();

    const data = lineChartData();
    expect(data.labels).toEqual(['1 Nov', '2 Nov', '3 Nov']);
    expect(data.datasets.map((d) => d.label)).toEqual(['MTTA', 'MTTR']);
    // Largest value 18,000 s = 5 h: hours. Buckets with nothing measured are gaps (null).
    expect(data.datasets[0]!.data).toEqual([0.17, null, 0.5]);
    expect(data.datasets[1]!.data).toEqual([2, 5, null]);
    const canvas = page().querySelector('canvas')!;
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toContain(
      'Line chart of MTTA and MTTR (mean) per day, 1 Nov to 3 Nov',
    );
  });

  it('draws the median or p90 on request, kept in the URL, with the same numbers in the table', async () => {
    await open();
    await answerAll();

    click(byText('nx-response-time-chart mat-button-toggle button', 'p90'));
    await settle();
    expect(TestBed.inject(Router).url).toContain('stat=p90');
    expect(lineChartData().datasets[0]!.data).toEqual([0.33, null, 1]);

    click(byText('nx-response-time-chart button', 'Show as table'));
    await settle();
    const rows = Array.from(page().querySelectorAll('#response-times-table tbody tr')).map((tr) =>
      Array.from(tr.children).map((cell) => cell.textContent.trim()),
    );
    expect(rows).toEqual([
      ['1 Nov', '0.33', '3', '4', '2'],
      ['2 Nov', '—', '0', '10', '1'],
      ['3 Nov', '1', '2', '—', '0'],
    ]);
  });

  it('changes the request when a selector changes', async () => {
    await open();
    await answerAll();

    await choose(field('Priority').querySelector('mat-select'), 'P1 · Critical');
    expect(TestBed.inject(Router).url).toContain('priority=1');
    const req = pending('response-times');
    expect(req.request.params.get('priority')).toBe('1');
    expect(req.request.headers.has('If-None-Match')).toBe(false);
    req.flush(
      responseTimesView({
        priority: 1,
        series: [
          {
            name: 'mtta',
            points: [{ start: '2026-11-01T00:00:00+00:00', count: 1, mean: 60, median: 60, p90: 60 }],
          },
          {
            name: 'mttr',
            points: [{ start: '2026-11-01T00:00:00+00:00', count: 1, mean: 120, median: 120, p90: 120 }],
          },
        ],
      }),
    );
    expect(pending('backlog').request.params.get('priority')).toBe('1');
    answerRest((url) =>
      url.endsWith('summary') ? summaryView() : url.endsWith('sla') ? slaView() : sourcesView(),
    );
    await settle();

    // 1 and 2 minutes now: the unit follows the figures.
    expect(lineChartData().datasets.map((d) => d.data)).toEqual([[1], [2]]);
  });

  it('disables hour buckets for ranges over 31 days', async () => {
    await open('/analytics?range=90d&tz=UTC');
    const hour = byText('nx-analytics-filters mat-button-toggle button', 'Hour');
    expect(hour.hasAttribute('disabled') || hour.getAttribute('aria-disabled') === 'true').toBe(true);
    expect(pending('response-times').request.params.get('bucket')).toBe('day');
    answerRest(fixtureFor);
  });

  it('asks for another bucket, zone or custom range when they are chosen', async () => {
    await open();
    await answerAll();

    click(byText('nx-analytics-filters mat-button-toggle button', 'Week'));
    await settle();
    expect(pending('response-times').request.params.get('bucket')).toBe('week');
    answerRest(fixtureFor);

    const zone = field('Time zone').querySelector('input')!;
    zone.focus();
    type(zone, 'tokyo');
    await settle();
    click(byText('mat-option', 'Asia/Tokyo'));
    await settle();
    expect(TestBed.inject(Router).url).toContain('tz=Asia%2FTokyo');
    expect(pending('summary').request.params.get('tz')).toBe('Asia/Tokyo');
    answerRest(fixtureFor);

    const from = field('From').querySelector('input')!;
    from.value = '2026-10-01';
    from.dispatchEvent(new Event('change'));
    await settle();
    expect(pending('sla').request.params.toString()).toBe(
      'from=2026-10-01&to=2026-11-30&tz=Asia/Tokyo&bucket=week',
    );
    answerRest(fixtureFor);
  });

  it('shows a deliberate empty state when nothing was acknowledged or resolved', async () => {
    await open();
    await answerAll(emptyResponseTimesView());

    expect(page().querySelector('[data-testid="response-times-empty"]')?.textContent).toContain(
      'No incidents acknowledged or resolved in this range',
    );
    expect(page().querySelector('nx-response-time-chart canvas')).toBeNull();
  });

  it('shows each KPI with its change, coloured by whether the change is good', async () => {
    await open();
    await answerAll();

    const kpi = (id: string) => page().querySelector<HTMLElement>(`[data-kpi="${id}"]`)!;
    const delta = (id: string) => kpi(id).querySelector<HTMLElement>('.kpi-delta')!;
    expect(kpi('open').querySelector('.kpi-value')!.textContent.trim()).toBe('42');
    expect(delta('open').textContent).toContain('↑ +5');
    expect(delta('open').dataset['verdict']).toBe('bad');
    expect(delta('unacknowledged').dataset['verdict']).toBe('good');
    expect(kpi('mtta').querySelector('.kpi-value')!.textContent.trim()).toBe('9 min');
    expect(delta('mtta').textContent).toContain('↓ −10 %');
    expect(delta('mtta').dataset['verdict']).toBe('good');
    expect(delta('mttr').dataset['verdict']).toBe('bad');
    expect(kpi('mttr').querySelector('.kpi-value')!.textContent.trim()).toBe('4 h 17 min');
    expect(delta('sla').textContent).toContain('↑ +2.8 pts');
    expect(delta('sla').dataset['verdict']).toBe('good');
  });

  it('re-reads with the ETag when a refresh comes, and a 304 keeps the figures', async () => {
    await open();
    await answerAll();
    const before = lineChartData();

    refreshes.next();
    await settle();
    const again = pending('response-times');
    expect(again.request.headers.get('If-None-Match')).toBe('W/"analytics-1-json"');
    again.flush(null, { status: 304, statusText: 'Not Modified' });
    pending('summary').flush(null, { status: 304, statusText: 'Not Modified' });
    answerRest(() => null, { status: 304, statusText: 'Not Modified' });
    await settle();

    expect(lineChartData()).toBe(before);
    expect(page().querySelector('nx-problem-notice')).toBeNull();
  });

  it('downloads a series as CSV through the API with Accept: text/csv', async () => {
    const createObjectURL = vi.fn(() => 'blob:csv');
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    await open();
    await answerAll();

    click(byText('nx-response-time-chart button', 'Download CSV'));
    const csv = backend.expectOne(
      (req) => req.url === URL_OF('response-times') && req.headers.get('Accept') === 'text/csv',
    );
    expect(csv.request.responseType).toBe('text');
    expect(csv.request.params.toString()).toBe('from=2026-11-01&to=2026-11-30&tz=UTC&bucket=day');
    csv.flush('series,start,count,mean_seconds,median_seconds,p90_seconds\r\n');

    expect(createObjectURL).toHaveBeenCalledTimes(1);
    expect(clicked[0]?.download).toBe('nexecute-response-times_2026-11-01_2026-11-30_day_all_UTC.csv');
  });

  it("shows the API's problem when a read fails", async () => {
    await open();
    pending('response-times').flush(
      ...problemAnswer(400, 'ANALYTICS_RANGE_INVALID', 'A range cut into hours may span at most 31 days'),
    );
    answerRest((url) =>
      url.endsWith('summary')
        ? summaryView()
        : url.endsWith('backlog')
          ? backlogView()
          : url.endsWith('sla')
            ? slaView()
            : sourcesView(),
    );
    await settle();

    const alert = page().querySelector<HTMLElement>('nx-problem-notice [role="alert"]')!;
    expect(alert.dataset['code']).toBe('ANALYTICS_RANGE_INVALID');
    expect(alert.textContent).toContain('at most 31 days');
    expect(page().querySelector('nx-response-time-chart')!.textContent).toContain('the request failed');
  });

  it('says how fresh the figures are in the chosen zone', async () => {
    await open('/analytics?range=custom&from=2026-11-01&to=2026-11-30&tz=Asia/Tokyo');
    await answerAll();
    expect(page().querySelector('time')?.getAttribute('datetime')).toBe(REFRESHED_AT);
    expect(page().textContent).toContain('Data as of 4 Dec 2026, 18:00:00 · times in Asia/Tokyo');
  });
});
