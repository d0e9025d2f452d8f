/**
 * One measurement's page (a section of the HTML report): what was measured and how it ended, the
 * message timeline (sent / received, relative to the start), the flows of each side with their
 * class and the messages they carried, the service endpoints, every trace with its hops (IP,
 * country, where the country came from, RTT, AS, IXP), the path anomalies and links to the
 * artefacts (capture, screenshots, raw traceroutes; relative to the data folder). Fields beyond
 * the contract (messages, flows, endpoints, artefacts) are read defensively: a record from any
 * file may lack them or hold something else, and then the part is left out.
 */
import type { Hop, HopInterface, MeasurementRecord, Trace } from '../../types';
import { anomaliesOf } from '../anomalies';
import { hopInterfaces } from '../../traceroute/hops';
import { html } from './escape';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? html(v) : '');
const dash = (v: string): string => (v === '' ? '–' : v);

/** Seconds after `from` ("+12.600 s"), or the raw time when either is not a time. */
function offset(time: unknown, from: string): string {
  if (typeof time !== 'string') return '–';
  const d = Date.parse(time) - Date.parse(from);
  return Number.isFinite(d) ? `+${(d / 1000).toFixed(3)} s` : html(time);
}

/**
 * The messages over the measurement's time as a small sequence diagram: side A's lane on top,
 * B's below, each message a line from its sender's lane at sentAt to the receiver's lane at
 * receivedAt; one never received ends in a cross on the sender's lane.
 */
function timeline(record: MeasurementRecord, messages: Record<string, unknown>[]): string {
  const start = Date.parse(record.startedAt);
  const span = Date.parse(record.finishedAt) - start;
  if (!(span > 0)) return '';
  const x = (time: unknown) => {
    const t = typeof time === 'string' ? Date.parse(time) : NaN;
    return Number.isFinite(t) ? (40 + (560 * Math.min(Math.max(t - start, 0), span)) / span).toFixed(1) : null;
  };
  const lane = (side: unknown) => (side === 'A' ? 14 : 46);
  const marks = messages.map((m) => {
    const from = x(m.sentAt);
    if (from === null) return '';
    const to = x(m.receivedAt);
    const y1 = lane(m.from);
    if (to === null) return `<path class="lost" d="M${from} ${y1 - 5}l6 10m0 -10l-6 10"><title>message ${text(m.index)} not received</title></path>`;
    return `<line class="msg" x1="${from}" y1="${y1}" x2="${to}" y2="${lane(m.to)}"><title>message ${text(m.index)}</title></line>`;
  });
  return (
    '<svg class="timeline" viewBox="0 0 610 60" width="610" height="60" role="img" aria-label="message timeline">' +
    '<text x="0" y="18">A</text><text x="0" y="50">B</text><line class="lane" x1="40" y1="14" x2="600" y2="14"/><line class="lane" x1="40" y1="46" x2="600" y2="46"/>' +
    `${marks.join('')}</svg>`
  );
}

function messagesPart(record: MeasurementRecord): string {
  const messages = list(record.messages);
  if (messages.length === 0) return '';
  const rows = messages.map(
    (m) =>
      `<tr><td>${text(m.index)}</td><td>${text(m.from)}→${text(m.to)}</td><td>${offset(m.sentAt, record.startedAt)}</td><td>${offset(m.receivedAt, record.startedAt)}</td>` +
      `<td>${typeof m.deliveryMs === 'number' ? `${m.deliveryMs} ms` : '–'}</td><td>${dash(text(m.failure))}${m.detail ? `: ${text(m.detail)}` : ''}</td></tr>`,
  );
  return `<h4>Messages</h4>${timeline(record, messages)}<table class="t"><thead><tr><th>#</th><th>from→to</th><th>sent</th><th>received</th><th>delivery</th><th>failure</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function flowsPart(record: MeasurementRecord, artefactHref: (p: string) => string): string {
  const sides = list(record.flows);
  if (sides.length === 0) return '';
  const out: string[] = ['<h4>Flows</h4>'];
  for (const side of sides) {
    const counts = isObject(side.counts) ? Object.entries(side.counts).map(([k, v]) => `${html(k)} ${text(v)}`).join(', ') : '';
    out.push(`<p>Side ${text(side.side)}: ${text(side.packets)} packets${counts ? `; flows by class: ${counts}` : ''}</p>`);
    const flows = list(side.flows);
    if (flows.length === 0) {
      if (typeof side.classificationRef === 'string') out.push(`<p>Flows in <a href="${html(artefactHref(side.classificationRef))}">${html(side.classificationRef)}</a></p>`);
      continue;
    }
    const rows = flows.map((f) => {
      const carried = Array.isArray(f.carriedMessages) ? f.carriedMessages.map(text).join(', ') : '';
      const names = Array.isArray(f.names) ? f.names.map(text).join(', ') : '';
      return `<tr><td>${text(f.key)}</td><td class="cls-${html(String(f.class ?? ''))}">${text(f.class)}</td><td>${text(f.reason)}</td><td>${dash(names)}</td><td>${text(f.packets)}</td><td>${text(f.bytes)}</td><td>${dash(carried)}</td></tr>`;
    });
    out.push(`<table class="t"><thead><tr><th>flow</th><th>class</th><th>why</th><th>names</th><th>packets</th><th>bytes</th><th>messages carried</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  return out.join('');
}

function endpointsPart(record: MeasurementRecord): string {
  const endpoints = list(record.endpoints);
  if (endpoints.length === 0) return '';
  const rows = endpoints.map((e) => `<li>${text(e.protocol)} ${text(e.ip)}:${text(e.port)} ${e.name ? `(${text(e.name)})` : ''} ${Array.isArray(e.classes) ? e.classes.map(text).join(', ') : ''}</li>`);
  return `<h4>Service endpoints</h4><ul>${rows.join('')}</ul>`;
}

function provenance(i: HopInterface): string {
  if (!i.geo) return '–';
  const g = i.geo;
  const parts = [html(g.source), g.databaseDate ? html(g.databaseDate) : null, g.corrected && g.source !== 'corrections' ? 'corrected' : null, g.plausible === false ? `implausible (claimed ${html(g.claimedCountry ?? '?')})` : g.plausible ? 'plausible' : null, g.city ? html(g.city) : null];
  return parts.filter((p) => p !== null).join(', ');
}

function asCell(i: HopInterface): string {
  if (i.as) {
    if (i.as.asn === null) return '–';
    return `AS${i.as.asn}${i.as.name ? ` ${html(i.as.name)}` : ''}${i.as.registrationCountry ? ` (reg. ${html(i.as.registrationCountry)})` : ''}`;
  }
  return i.asn !== undefined ? `AS${i.asn}` : '–';
}

function ixpCell(i: HopInterface): string {
  if (!i.ixp) return '';
  return `<span class="ixp">IXP ${html(i.ixp.name)}${i.ixp.country ? ` (${html(i.ixp.country)}${i.ixp.city ? `, ${html(i.ixp.city)}` : ''})` : ''}</span>`;
}

function rtt(values: readonly number[]): string {
  return values.length === 0 ? '–' : values.map((v) => v.toFixed(1)).join(' / ');
}

function hopRows(hop: Hop): string {
  const interfaces = hopInterfaces(hop);
  if (interfaces.length === 0) return `<tr class="silent"><td>${hop.ttl}</td><td>*</td><td>–</td><td>–</td><td>–</td><td>–</td><td>${(hop.marks ?? []).map(html).join(' ')}</td></tr>`;
  return interfaces
    .map((i, n) => `<tr${n > 0 ? ' class="branch"' : ''}><td>${n === 0 ? hop.ttl : ''}</td><td>${html(i.ip)}</td><td>${dash(html(i.country))}</td><td>${provenance(i)}</td><td>${rtt(i.rttMs)}</td><td>${asCell(i)}</td><td>${ixpCell(i)}${n === 0 ? (hop.marks ?? []).map(html).join(' ') : ''}</td></tr>`)
    .join('');
}

/** One tbody per trace: a heading row (target, protocol, tool, failure, AS path), then its hops. */
function traceBody(trace: Trace, kind: string): string {
  const head =
    `${kind}, side ${html(trace.from)} → ${html(trace.target)}${trace.targetName ? ` (${html(trace.targetName)})` : ''}, ${html(trace.protocol)}${trace.port !== null ? `/${trace.port}` : ''}` +
    `${trace.tool ? `, ${html(trace.tool)}${trace.method ? ` ${html(trace.method)}` : ''}` : ''}`;
  const failure = trace.failure ? ` <span class="fail">${html(trace.failure)}${trace.detail ? `: ${html(trace.detail)}` : ''}</span>` : '';
  const asPath = trace.asPath?.length ? `<br>AS path: ${trace.asPath.map((a) => (a === null ? '?' : `AS${a}`)).join(' › ')}` : '';
  const hops = trace.hops.length ? trace.hops.map(hopRows).join('') : '<tr><td colspan="7">no hops</td></tr>';
  return `<tbody><tr class="trace"><th colspan="7">${head}${failure}${asPath}</th></tr>${hops}</tbody>`;
}

function pathsPart(record: MeasurementRecord): string {
  const bodies = [...record.networkPath.traces.map((t) => traceBody(t, 'Network path')), ...record.applicationPath.traces.map((t) => traceBody(t, 'Application path'))];
  if (bodies.length === 0) return '<h4>Paths</h4><p>no traces</p>';
  return `<h4>Paths</h4><table class="t hops"><thead><tr><th>TTL</th><th>IP</th><th>country</th><th>located by</th><th>RTT ms</th><th>AS</th><th>IXP</th></tr></thead>${bodies.join('')}</table>`;
}

function anomaliesPart(record: MeasurementRecord): string {
  const a = anomaliesOf(record);
  const items = [
    ...a.boomerangs.map((b) => `boomerang on the ${b.path} path (side ${html(b.from)} → ${html(b.target)}): left ${html(b.country)} via ${b.via.map(html).join(', ')} and came back`),
    ...(a.detourCountries.length ? [`detour: the application path crosses ${a.detourCountries.map(html).join(', ')}, the network path does not`] : []),
    ...a.ixpCrossings.map((x) => `IXP crossing on the ${x.path} path: ${html(x.name)}${x.country ? ` (${html(x.country)})` : ''}`),
  ];
  return items.length ? `<h4>Anomalies</h4><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '';
}

function artefactsPart(record: MeasurementRecord, artefactHref: (p: string) => string): string {
  const refs = list(record.artefacts).filter((a) => typeof a.path === 'string');
  if (refs.length === 0) return '';
  return `<h4>Artefacts</h4><ul class="art">${refs.map((a) => `<li>${text(a.kind)}: <a href="${html(artefactHref(a.path as string))}">${html(a.path as string)}</a></li>`).join('')}</ul>`;
}

export interface MeasurementPageOptions {
  /** Link of an artefact path (relative to the data folder) from the report file. */
  artefactHref: (relativePath: string) => string;
}

/** The section of record `index` (anchor `m-<index>`). */
export function measurementSection(record: MeasurementRecord, index: number, options: MeasurementPageOptions): string {
  const status = record.status === 'ok' ? 'ok' : `failed: ${html(record.failure)}${record.failedOperation ? ` in ${html(record.failedOperation)}` : ''}${record.detail ? ` — ${html(record.detail)}` : ''}`;
  const head =
    `<h3>${html(record.app)}: ${html(record.nodeA.id)} (${html(record.nodeA.country)}) ↔ ${html(record.nodeB.id)} (${html(record.nodeB.country)})</h3>` +
    `<p class="meta">${html(record.measurementId)} · ${status} · ${html(record.startedAt)} – ${html(record.finishedAt)}${record.testbedKind ? ` · ${html(record.testbedKind)} testbed` : ''} · <a href="#top">back to the tables</a></p>`;
  return (
    `<section class="m" id="m-${index}" data-m="${index}">${head}${messagesPart(record)}${flowsPart(record, options.artefactHref)}${endpointsPart(record)}` +
    `${pathsPart(record)}${anomaliesPart(record)}${artefactsPart(record, options.artefactHref)}</section>`
  );
}
