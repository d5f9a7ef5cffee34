import type { BacklogView, ResponseTimesView, SlaView, SourcesView, SummaryView } from './dto/analytics.view';

/*
 * `Accept: text/csv` answers (RFC 4180: CRLF line ends, a header row, fields quoted when they hold
 * a comma, quote or line break). Each carries the same values as the JSON answer's series, one row
 * per point, written as JSON writes them (numbers in JavaScript's shortest form, none as an empty
 * field), so a spreadsheet and the API agree to the last digit.
 */

type Cell = string | number | null;

function field(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** series,start,count,mean_seconds,median_seconds,p90_seconds: the MTTA rows, then the MTTR rows. */
export function responseTimesCsv(view: ResponseTimesView): string {
  return toCsv(
    ['series', 'start', 'count', 'mean_seconds', 'median_seconds', 'p90_seconds'],
    view.series.flatMap((s) => s.points.map((p) => [s.name, p.start, p.count, p.mean, p.median, p.p90])),
  );
}

export function slaCsv(view: SlaView): string {
  return toCsv(
    ['start', 'resolved', 'met', 'breached', 'percent'],
    view.points.map((p) => [p.start, p.resolved, p.met, p.breached, p.percent]),
  );
}

export function sourcesCsv(view: SourcesView): string {
  return toCsv(
    ['start', 'source', 'opened', 'alerts'],
    view.points.map((p) => [p.start, p.source, p.opened, p.alerts]),
  );
}

/** One row per figure and period. */
export function summaryCsv(view: SummaryView): string {
  const rows: Cell[][] = [];
  for (const period of ['current', 'previous'] as const) {
    rows.push(['open', period, view.open[period]]);
    rows.push(['unacknowledged', period, view.unacknowledged[period]]);
    for (const metric of ['mtta', 'mttr'] as const) {
      const stats = view[metric][period];
      rows.push([`${metric}_count`, period, stats.count]);
      rows.push([`${metric}_mean_seconds`, period, stats.mean]);
      rows.push([`${metric}_median_seconds`, period, stats.median]);
      rows.push([`${metric}_p90_seconds`, period, stats.p90]);
    }
    const sla = view.sla[period];
    rows.push(['sla_resolved', period, sla.resolved]);
    rows.push(['sla_met', period, sla.met]);
    rows.push(['sla_breached', period, sla.breached]);
    rows.push(['sla_percent', period, sla.percent]);
  }
  return toCsv(['metric', 'period', 'value'], rows);
}

/** The backlog by state × priority (the load tables are in the JSON answer). */
export function backlogCsv(view: BacklogView): string {
  return toCsv(
    ['state', 'priority', 'open', 'unacknowledged', 'overdue', 'oldest_opened_at'],
    view.byState.map((r) => [r.state, r.priority, r.open, r.unacknowledged, r.overdue, r.oldestOpenedAt]),
  );
}
