/**
 * Tables 2 and 3 of the paper as HTML, in the Markdown layout (lib/report/format.ts): per area
 * (and per interest group in Table 3) the measurements and the count with its share, for the
 * network path and every app. Counts are the report's; each non-zero cell links to the list of
 * the measurements behind it (lib/report/html/cells.ts). An app cell is coloured by how its
 * share compares with the network path's share in the same area: more (warm: the app's traffic
 * leaves the area / is accessible more often than the network path), less (cool), same (grey);
 * no colour when either column has no measurements.
 */
import type { AreaReport, ColumnCounts, Report } from '../build';
import { percent } from '../format';
import { REGISTRATION_LABEL } from '../registration';
import { cellKey, type Metric } from './cells';
import { html } from './escape';

/** href of a cell's measurement list, or null for an empty cell. */
export type CellLink = (key: string) => string | null;

export type Comparison = 'more' | 'less' | 'same' | null;

export function compareShares(app: { count: number; total: number }, network: { count: number; total: number }): Comparison {
  if (app.total === 0 || network.total === 0) return null;
  const diff = app.count / app.total - network.count / network.total;
  if (Math.abs(diff) < 1e-9) return 'same';
  return diff > 0 ? 'more' : 'less';
}

function metricCount(counts: ColumnCounts, metric: Metric): number {
  if (metric === 'measurements') return counts.measurements;
  if (metric === 'left') return counts.leftArea;
  if (metric.startsWith('acc:')) return counts.accessible[metric.slice(4)] ?? 0;
  return counts.accessibleWithRegistration?.[metric.slice(4)] ?? 0;
}

interface Column {
  app: string | null;
  label: string;
}

function columnsOf(report: Report): Column[] {
  return [{ app: null, label: 'Network path' }, ...report.apps.map((app) => ({ app, label: app }))];
}

function countsOf(area: AreaReport, app: string | null): ColumnCounts {
  return app === null ? area.network : area.apps[app];
}

function linked(text: string, href: string | null): string {
  return href === null ? text : `<a href="${html(href)}">${text}</a>`;
}

/** The two cells (measurements, count with share) of one column in one row. */
function cells(area: AreaReport, column: Column, metric: Metric, link: CellLink): string {
  const counts = countsOf(area, column.app);
  const count = metricCount(counts, metric);
  const data = `data-level="${html(area.level)}" data-area="${html(area.area)}" data-col="${html(column.app ?? 'network')}"`;
  const total = linked(String(counts.measurements), counts.measurements > 0 ? link(cellKey(area, column.app, 'measurements')) : null);
  let cls = '';
  let title = '';
  if (column.app !== null) {
    const compared = compareShares({ count, total: counts.measurements }, { count: metricCount(area.network, metric), total: area.network.measurements });
    if (compared) {
      cls = ` class="${compared}"`;
      title = ` title="${html(`${column.label} ${percent(count, counts.measurements)}, network path ${percent(metricCount(area.network, metric), area.network.measurements)}`)}"`;
    }
  }
  const share = linked(`${count} (${percent(count, counts.measurements)})`, count > 0 ? link(cellKey(area, column.app, metric)) : null);
  return `<td class="n" ${data} data-metric="measurements">${total}</td><td${cls}${title} ${data} data-metric="${html(metric)}">${share}</td>`;
}

function header(report: Report, first: string[], what: string): string {
  const cols = columnsOf(report);
  return (
    `<thead><tr>${first.map((f) => `<th rowspan="2">${html(f)}</th>`).join('')}${cols.map((c) => `<th colspan="2">${html(c.label)}</th>`).join('')}</tr>` +
    `<tr>${cols.map(() => `<th>#</th><th>${html(what)}</th>`).join('')}</tr></thead>`
  );
}

export function table2(report: Report, link: CellLink): string {
  const rows = report.areas.map((area) => `<tr><th>${html(area.area)}</th><td>${html(area.level)}</td>${columnsOf(report).map((c) => cells(area, c, 'left', link)).join('')}</tr>`);
  return `<table id="table2">${header(report, ['Area', 'Level'], 'left')}<tbody>${rows.join('')}</tbody></table>`;
}

export function table3(report: Report, link: CellLink, variant: 'acc' | 'reg' = 'acc'): string {
  const rows: string[] = [];
  for (const area of report.areas) {
    for (const group of report.groups) {
      rows.push(`<tr><th>${html(area.area)}</th><td>${html(group)}</td>${columnsOf(report).map((c) => cells(area, c, `${variant}:${group}`, link)).join('')}</tr>`);
    }
  }
  const what = variant === 'acc' ? 'accessible' : REGISTRATION_LABEL;
  return `<table id="table3${variant === 'reg' ? '-registration' : ''}">${header(report, ['Area', 'Interest group'], what)}<tbody>${rows.join('')}</tbody></table>`;
}

/** Whether the report has the registration variant of Table 3 (records with AS data). */
export function hasRegistrationTable(report: Report): boolean {
  return report.areas.some((a) => a.network.accessibleWithRegistration !== undefined);
}
