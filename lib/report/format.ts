/**
 * Markdown and CSV renderings of a report, shaped like the paper: Table 2 (traffic leaving the
 * area) and Table 3 (accessible per interest group), each with count and percentage for the
 * network path and every app. Areas in report order (regions, subregions, intermediate regions).
 */
import type { ColumnCounts, Report } from './build';
import { detourCountriesText } from './anomalies';
import { provenanceLine } from './provenance';
import { REGISTRATION_LABEL } from './registration';
import { escapeText } from '../text/escape';
import { csvField } from '../text/csv'; // names come from records: escaped, formula-safe

/** Whole percent like the paper; '-' when there is nothing to divide. */
export function percent(count: number, total: number): string {
  return total === 0 ? '-' : `${Math.round((100 * count) / total)}%`;
}

const cell = (count: number, total: number): string => `${count} (${percent(count, total)})`;
/** Table-safe and terminal-safe: names come from records (apps, areas, groups, node pairs). */
const mdEscape = (text: string): string => escapeText(text).replace(/\|/g, '\\|');

function columns(report: Report): { label: string; pick: (a: Report['areas'][number]) => ColumnCounts }[] {
  return [
    { label: 'Network path', pick: (a) => a.network },
    ...report.apps.map((app) => ({ label: app, pick: (a: Report['areas'][number]) => a.apps[app] })),
  ];
}

/** Table 4 rows (lib/report/anomalies.ts); counts absent in a column read as 0. */
const ANOMALY_ROWS: { label: string; appsOnly: boolean; cell: (n: ColumnCounts) => string }[] = [
  { label: 'IXP outside the area', appsOnly: false, cell: (n) => cell(n.crossedIxpOutsideArea ?? 0, n.measurements) },
  { label: 'boomerang', appsOnly: false, cell: (n) => cell(n.boomerangs ?? 0, n.measurements) },
  { label: 'detour', appsOnly: true, cell: (n) => cell(n.detours ?? 0, n.measurements) },
  { label: 'detour countries', appsOnly: true, cell: (n) => mdEscape(detourCountriesText(n.detourCountries)) },
];

export function reportToMarkdown(report: Report): string {
  const cols = columns(report);
  const header = (first: string[], what: string) =>
    [
      `| ${[...first, ...cols.flatMap((c) => [`${mdEscape(c.label)} #`, `${mdEscape(c.label)} ${what}`])].join(' | ')} |`,
      `|${[...first, ...cols.flatMap(() => ['', ''])].map(() => ' --- ').join('|')}|`,
    ].join('\n');
  const out: string[] = [];
  const label = report.provenance ? provenanceLine(report.provenance) : null;
  if (label) out.push(`> **${label}**`, '');
  out.push('## Table 2: traffic leaving the area', '');
  out.push('Measurements between two nodes of the area, and how many of their paths left it (count, share).', '');
  out.push(header(['Area', 'Level'], 'left'));
  for (const area of report.areas) {
    const cells = cols.flatMap((c) => {
      const n = c.pick(area);
      return [String(n.measurements), cell(n.leftArea, n.measurements)];
    });
    out.push(`| ${[mdEscape(area.area), area.level, ...cells].join(' | ')} |`);
  }
  out.push('', '## Table 3: accessible for interest groups', '');
  out.push('Paths crossing at least one member of the group on the measurement day (count, share).', '');
  const groupTable = (counts: (n: ColumnCounts) => Record<string, number> | undefined) => {
    out.push(header(['Area', 'Interest group'], 'accessible'));
    for (const area of report.areas) {
      for (const group of report.groups) {
        const cells = cols.flatMap((c) => {
          const n = c.pick(area);
          return [String(n.measurements), cell(counts(n)?.[group] ?? 0, n.measurements)];
        });
        out.push(`| ${[mdEscape(area.area), mdEscape(group), ...cells].join(' | ')} |`);
      }
    }
  };
  groupTable((n) => n.accessible);
  if (report.areas.some((a) => a.network.accessibleWithRegistration)) {
    out.push('', `## Table 3, ${REGISTRATION_LABEL}`, '');
    out.push('As Table 3, but a path also counts when the AS of one of its hops is registered in a member country (where the address block is registered, not where the hop is).', '');
    groupTable((n) => n.accessibleWithRegistration);
  }
  out.push('', '## Table 4: path anomalies', '');
  out.push('Paths that crossed an IXP in a country outside the area, left the nodes\' common country and came back (boomerang), or, application paths only, crossed countries the network path did not (detour), with those countries (count, share).', '');
  out.push(header(['Area', 'Level', 'Anomaly'], 'count'));
  for (const area of report.areas) {
    for (const row of ANOMALY_ROWS) {
      const cells = cols.flatMap((c) => {
        const n = c.pick(area);
        return [String(n.measurements), c.label === 'Network path' && row.appsOnly ? '-' : row.cell(n)];
      });
      out.push(`| ${[mdEscape(area.area), area.level, row.label, ...cells].join(' | ')} |`);
    }
  }
  if (report.input.invalidLinesSkipped > 0) out.push('', `${report.input.invalidLinesSkipped} invalid input line(s) skipped.`);
  if (report.attributions?.length) out.push('', '## Geolocation data', '', ...report.attributions.map((a) => `- ${mdEscape(a)}`));
  return `${out.join('\n')}\n`;
}

/**
 * Long format, one row per (table, area, group, path): easy to filter and pivot. Tables:
 * leaving, accessible, accessible incl. AS registration countries (records with AS data), then
 * the path anomalies ixp-outside-area, boomerang, detour (apps) and
 * detour-country (apps; the country in the group column).
 * percent has one decimal and is empty when there are no measurements.
 * A report with emulated records starts with one comment line `# EMULATED WORLD — ...` before the
 * header (pandas: comment='#'; R: comment.char='#'; shell: grep -v '^#'); the licence attributions
 * of the geolocation data, when the records name any, follow the rows as `# Geolocation data: ...`
 * comment lines.
 */
export function reportToCsv(report: Report): string {
  const rows: (string | number)[][] = [['table', 'area', 'level', 'group', 'path', 'measurements', 'count', 'percent']];
  const pct = (count: number, total: number) => (total === 0 ? '' : ((100 * count) / total).toFixed(1));
  const cols = columns(report);
  for (const area of report.areas) {
    for (const c of cols) {
      const n = c.pick(area);
      rows.push(['leaving', area.area, area.level, '', c.label === 'Network path' ? 'network' : c.label, n.measurements, n.leftArea, pct(n.leftArea, n.measurements)]);
    }
  }
  const groupRows = (table: string, counts: (n: ColumnCounts) => Record<string, number> | undefined) => {
    for (const area of report.areas) {
      for (const group of report.groups) {
        for (const c of cols) {
          const n = c.pick(area);
          const byGroup = counts(n);
          if (!byGroup) continue;
          const count = byGroup[group] ?? 0;
          rows.push([table, area.area, area.level, group, c.label === 'Network path' ? 'network' : c.label, n.measurements, count, pct(count, n.measurements)]);
        }
      }
    }
  };
  groupRows('accessible', (n) => n.accessible);
  // only when the records carry AS data (the column is absent otherwise)
  groupRows(REGISTRATION_LABEL, (n) => n.accessibleWithRegistration);
  // Path anomalies: ixp-outside-area and boomerang for every path, detour for apps, and one
  // detour-country row per app and country (the country in the group column).
  for (const area of report.areas) {
    for (const c of cols) {
      const n = c.pick(area);
      const path = c.label === 'Network path' ? 'network' : c.label;
      const counts: [string, number | undefined][] = [['ixp-outside-area', n.crossedIxpOutsideArea], ['boomerang', n.boomerangs], ...(path === 'network' ? [] : [['detour', n.detours] as [string, number | undefined]])];
      for (const [table, count] of counts) rows.push([table, area.area, area.level, '', path, n.measurements, count ?? 0, pct(count ?? 0, n.measurements)]);
      for (const [country, count] of Object.entries(n.detourCountries ?? {}).sort()) rows.push(['detour-country', area.area, area.level, country, path, n.measurements, count, pct(count, n.measurements)]);
    }
  }
  const label = report.provenance ? provenanceLine(report.provenance) : null;
  const footer = (report.attributions ?? []).map((a) => `# Geolocation data: ${escapeText(a)}\n`).join('');
  return `${label ? `# ${label}\n` : ''}${rows.map((r) => r.map((v) => csvField(v)).join(',')).join('\n')}\n${footer}`;
}
