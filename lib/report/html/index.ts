/**
 * `matador report --format html`: records -> one self-contained HTML file (pure; the map data is
 * handed in, lib/report/html/world-data.ts reads it). The counts are buildReport's, computed once
 * (cells.ts records which measurement each cell counted while it counts).
 */
import type { MeasurementRecord } from '../../types';
import type { BuildReportOptions, Report } from '../build';
import { REGISTRATION_LABEL } from '../registration';
import { buildReportCells, type Metric } from './cells';
import { html } from './escape';
import { measurementGeo, projectedPoints, worldSvg } from './map';
import { measurementSection } from './measurement';
import { page } from './page';
import { hasRegistrationTable, table2, table3 } from './tables';
import type { WorldData } from './world-data';

export interface HtmlReportOptions extends Omit<BuildReportOptions, 'onCount'> {
  world: WorldData;
  /** URL prefix from the report file to the data folder (artefact paths are relative to it),
   *  e.g. '../.matador/'; '' when the report is written into the data folder. */
  artefactBase: string;
}

export { loadWorldData, type WorldData } from './world-data';

/** What a cell counts, for its list's heading. */
function cellTitle(key: string): string {
  const [level, area, app, metric] = JSON.parse(key) as [string, string, string | null, Metric];
  const what =
    metric === 'measurements' ? 'measurements' : metric === 'left' ? 'left the area' : metric.startsWith('acc:') ? `accessible to ${metric.slice(4)}` : `${metric.slice(4)}, ${REGISTRATION_LABEL}`;
  return `${area} (${level}), ${app ?? 'network path'}: ${what}`;
}

/** The relative URL of an artefact: each path segment percent-encoded. */
export function artefactUrl(base: string, relativePath: string): string {
  return base + relativePath.split('/').map(encodeURIComponent).join('/');
}

export function reportToHtml(records: readonly MeasurementRecord[], options: HtmlReportOptions): { report: Report; html: string } {
  const { world, artefactBase, ...build } = options;
  const { report, members } = buildReportCells(records, build);
  const ids = new Map([...members.keys()].map((key, n) => [key, `c${n}`]));
  const link = (key: string) => (ids.has(key) ? `#${ids.get(key)}` : null);
  const tables =
    '<h2>Table 2: traffic leaving the area</h2><p>Measurements between two nodes of the area, and how many of their paths left it (count, share). Click a number for its measurements.</p>' +
    '<p class="legend">App cells compared with the network path of the same area: <span class="more">larger share than the network path</span><span class="less">smaller share</span><span class="same">same share</span></p>' +
    table2(report, link) +
    '<h2>Table 3: accessible for interest groups</h2><p>Paths crossing at least one member of the group on the measurement day (count, share).</p>' +
    table3(report, link) +
    (hasRegistrationTable(report)
      ? `<h2>Table 3, ${html(REGISTRATION_LABEL)}</h2><p>As Table 3, but a path also counts when the AS of one of its hops is registered in a member country.</p>${table3(report, link, 'reg')}`
      : '');
  const geo = records.map(measurementGeo);
  const codes = geo.flatMap((g) => [...g.netCountries, ...g.appCountries, ...g.ends, ...g.nodes.map((n) => n.cc)]);
  const data = {
    m: records.map((r) => [r.measurementId, r.app, r.nodeA.id, r.nodeB.id, r.status]),
    g: geo,
    p: projectedPoints(codes, world),
    c: {
      ...Object.fromEntries([...members].map(([key, list]) => [ids.get(key), { t: cellTitle(key), k: (JSON.parse(key) as unknown[])[2] === null ? 'network' : 'application', m: list }])),
      all: { t: 'All measurements, network path', k: 'network', m: records.map((_, i) => i) },
    },
  };
  const measurements = `<h2>Measurements</h2><p>${records.length} measurements: choose one from a table cell or from <a href="#all">the list of all</a>.</p>${records.map((r, i) => measurementSection(r, i, { artefactHref: (p) => artefactUrl(artefactBase, p) })).join('')}`;
  return { report, html: page({ report, tables, map: worldSvg(world), measurements, data }) };
}
