/**
 * The HTML report as one self-contained document: inline CSS, inline SVG map, the data the
 * script needs as a JSON element, the script itself. Nothing is fetched: no fonts, images,
 * scripts or styles from anywhere (a Content-Security-Policy meta tag forbids any request, so a
 * later edit that adds one fails loudly in the browser test instead of leaking the reader's IP).
 */
import type { Report } from '../build';
import { provenanceLine } from '../provenance';
import { html, scriptJson } from './escape';
import { PAGE_SCRIPT } from './script';

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
header,main{padding:0 16px}
main{overflow-x:auto}
.banner{background:#b30000;color:#fff;font-weight:bold;padding:8px 16px}
.layout{display:grid;grid-template-columns:minmax(0,1fr) minmax(420px,46%);gap:16px}
aside .sticky{position:sticky;top:0;max-height:100vh;overflow:auto;padding:8px}
table{border-collapse:collapse;margin:8px 0 16px}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}
tbody th{text-align:left}
td a{color:inherit}
td.more{background:#f4a582}td.less{background:#92c5de}td.same{background:#e6e6e6}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;border:1px solid #ccc}
.legend .more{background:#f4a582}.legend .less{background:#92c5de}.legend .same{background:#e6e6e6}
#map{width:100%;height:auto;background:#fff}
.sphere{fill:#eef5fb;stroke:#9ab}
#countries path{fill:#d9d9d9;stroke:#fff;stroke-width:.3}
.arc{fill:none;stroke-width:2;opacity:.9}
.arc.net{stroke:#08306b}.arc.appA{stroke:#e6550d;stroke-dasharray:6 3}.arc.appB{stroke:#756bb1;stroke-dasharray:2 3}
.mark.node{fill:#000}.mark.end{fill:#e6550d;stroke:#000}
.label{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}
.key .net{color:#08306b}.key .appA{color:#e6550d}.key .appB{color:#756bb1}
section.m{display:none;border-top:2px solid #888;margin-top:16px}
section.m:target,section.m.shown{display:block}
.t td,.t th{text-align:left}
.hops tr.trace th{text-align:left;background:#f3f3f3;white-space:normal}.hops tr.branch td{color:#555}.hops tr.silent td{color:#999}
.ixp{background:#ffe082;padding:0 4px}
.fail{color:#b30000}
.timeline .lane{stroke:#bbb}.timeline .msg{stroke:#08306b;stroke-width:2}.timeline .lost{stroke:#b30000;stroke-width:2}.timeline text{font-size:12px}
#cell-list ul{columns:2;padding-left:18px}
footer{padding:16px;color:#555;font-size:12px}
`;

export interface PageParts {
  report: Report;
  tables: string;
  map: string;
  measurements: string;
  data: unknown;
}

function summary(report: Report): string {
  const apps = report.apps.map((a) => `${html(a)} ${report.input.appRecords[a] ?? 0}`).join(', ');
  const skipped = report.input.invalidLinesSkipped > 0 ? ` ${report.input.invalidLinesSkipped} invalid input line(s) skipped.` : '';
  return `<p>${report.input.records} records; the network column uses ${report.input.networkRecords} of them, the app columns ${apps || 'none'} (the latest ok record per node pair).${skipped}</p>`;
}

function attributions(report: Report): string {
  const geo = report.attributions?.length ? `<h3>Geolocation data</h3><ul>${report.attributions.map((a) => `<li>${html(a)}</li>`).join('')}</ul>` : '';
  return `<footer>${geo}<p>Map: Natural Earth (public domain) via the world-atlas package; country reference points from configs/geo/country-points.yaml.</p></footer>`;
}

export function page(parts: PageParts): string {
  const label = parts.report.provenance ? provenanceLine(parts.report.provenance) : null;
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'none'">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>MATAdOR report</title>' +
    `<style>${CSS}</style></head><body id="top">` +
    (label ? `<div class="banner" id="emulated-banner">${html(label)}</div>` : '') +
    `<header><h1>MATAdOR report</h1>${summary(parts.report)}</header>` +
    `<div class="layout"><main>${parts.tables}<div id="measurements">${parts.measurements}</div></main>` +
    `<aside><div class="sticky">${parts.map}<p id="map-caption">Choose a table cell for the countries its paths reach, then a measurement for its paths.</p>` +
    '<p class="key">Arcs: <b class="net">— network path</b> · <b class="appA">- - application path, side A</b> · <b class="appB">··· application path, side B</b>; ● vantage node, ■ service endpoint.</p>' +
    '<div id="cell-list" hidden><h3></h3><ul></ul></div></div></aside></div>' +
    `${attributions(parts.report)}` +
    `<script type="application/json" id="report-data">${scriptJson(parts.data)}</script><script>${PAGE_SCRIPT}</script></body></html>\n`
  );
}
