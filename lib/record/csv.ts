/**
 * The dataset as CSV (`matador dataset export --format csv`): one row per hop interface and one
 * row per measurement, for spreadsheets, pandas and R. Each table is one column list (header,
 * cell getter, description), so header, rows and the documentation cannot drift.
 *
 * Hops: every hop of every trace gives a row for its `ip` (`interface` = primary; a hop without
 * answer keeps its row with an empty ip, so the TTLs stay visible), and one row per other address
 * that answered at the same TTL (`interface` = other: otherInterfaces with their own times,
 * place and AS, or an old record's bare otherIps). A trace without hops (it failed) has no hop
 * row; the measurements table counts it. An empty cell is unknown (null), never a guess.
 */
import { anomaliesOf } from '../report/anomalies';
import type { CsvColumn } from '../text/csv';
import type { AsInfo, GeoProvenance, Hop, IxpMark, MeasurementRecord, PathAnomalies, Trace } from '../types';

export interface HopRow {
  record: MeasurementRecord;
  path: 'network' | 'application';
  trace: Trace;
  hop: Hop;
  interface: 'primary' | 'other';
  ip: string | null;
  rttMs: number[];
  country: string | null;
  geo?: GeoProvenance;
  as?: AsInfo;
  ixp?: IxpMark | null;
}

const nodeOf = (record: MeasurementRecord, side: 'A' | 'B') => (side === 'A' ? record.nodeA : record.nodeB);
const min = (values: number[]): number | null => (values.length === 0 ? null : Math.min(...values));

export const HOP_COLUMNS: readonly CsvColumn<HopRow>[] = [
  { header: 'measurementId', cell: (r) => r.record.measurementId, description: 'the measurement (`<campaign>/<app>/<nodeA>/<nodeB>`)' },
  { header: 'app', cell: (r) => r.record.app, description: 'messaging app' },
  { header: 'testbedKind', cell: (r) => r.record.testbedKind, description: 'emulated (the namespace world, never a real-network measurement) or real; empty in records before the field' },
  { header: 'path', cell: (r) => r.path, description: 'network (node to node) or application (node to the service)' },
  { header: 'side', cell: (r) => r.trace.from, description: 'the side the trace ran from: A or B' },
  { header: 'fromNode', cell: (r) => nodeOf(r.record, r.trace.from).id, description: "that side's vantage node" },
  { header: 'target', cell: (r) => r.trace.target, description: 'the address traced to' },
  { header: 'targetName', cell: (r) => r.trace.targetName, description: 'its DNS/SNI name when known' },
  { header: 'protocol', cell: (r) => r.trace.protocol, description: 'tcp, udp or icmp' },
  { header: 'port', cell: (r) => r.trace.port, description: 'destination port' },
  { header: 'ttl', cell: (r) => r.hop.ttl, description: 'hop number' },
  { header: 'interface', cell: (r) => r.interface, description: "primary (the hop's address) or other (another address that answered at this TTL: a load-balanced branch)" },
  { header: 'ip', cell: (r) => r.ip, description: 'the address that answered; empty: no answer' },
  { header: 'country', cell: (r) => r.country, description: 'ISO 3166-1 alpha-2 where the address is placed; empty: unknown' },
  { header: 'geoSource', cell: (r) => r.geo?.source, description: 'who placed it (corrections, package:<npm package>, mmdb:<file>, ...)' },
  { header: 'databaseDate', cell: (r) => r.geo?.databaseDate, description: 'build date of that data' },
  { header: 'plausible', cell: (r) => r.geo?.plausible, description: 'RTT plausibility check: true, false or empty (not checkable)' },
  { header: 'rttMinMs', cell: (r) => min(r.rttMs), description: 'smallest round-trip time, ms' },
  { header: 'rttsMs', cell: (r) => r.rttMs.join(' '), description: 'every round-trip time, ms, space-separated' },
  { header: 'asn', cell: (r) => r.as?.asn, description: 'autonomous system of the address (IP-to-ASN data or corrections)' },
  { header: 'asName', cell: (r) => r.as?.name, description: 'its name' },
  { header: 'registrationCountry', cell: (r) => r.as?.registrationCountry, description: 'where the address block is registered (a legal home, not a location)' },
  { header: 'ixp', cell: (r) => r.ixp?.name, description: "the IXP whose peering LAN holds the address (PeeringDB)" },
  { header: 'ixpCountry', cell: (r) => r.ixp?.country, description: "that IXP's country" },
];

/** The hop rows of one record, network traces first, in trace and TTL order. */
export function hopRows(record: MeasurementRecord): HopRow[] {
  const rows: HopRow[] = [];
  for (const path of ['network', 'application'] as const) {
    const traces = (path === 'network' ? record.networkPath : record.applicationPath).traces;
    for (const trace of traces) {
      for (const hop of trace.hops) {
        const base = { record, path, trace, hop };
        rows.push({ ...base, interface: 'primary', ip: hop.ip, rttMs: hop.rttMs ?? [], country: hop.country, geo: hop.geo, as: hop.as, ixp: hop.ixp });
        // Records before per-interface data list the other addresses only (otherIps).
        const others = hop.otherInterfaces ?? (hop.otherIps ?? []).map((ip) => ({ ip, rttMs: [], country: null }));
        for (const o of others) rows.push({ ...base, interface: 'other', ip: o.ip, rttMs: o.rttMs ?? [], country: o.country ?? null, geo: 'geo' in o ? o.geo : undefined, as: 'as' in o ? o.as : undefined, ixp: 'ixp' in o ? o.ixp : undefined });
      }
    }
  }
  return rows;
}

const allTraces = (r: MeasurementRecord) => [...r.networkPath.traces, ...r.applicationPath.traces];

/** A record's anomalies, computed once per record for its three columns (records before the
 *  field get them from their traces, lib/report/anomalies.ts). */
const anomaliesCache = new WeakMap<MeasurementRecord, PathAnomalies>();
function anomalies(record: MeasurementRecord): PathAnomalies {
  let found = anomaliesCache.get(record);
  if (!found) anomaliesCache.set(record, (found = anomaliesOf(record)));
  return found;
}

export const MEASUREMENT_COLUMNS: readonly CsvColumn<MeasurementRecord>[] = [
  { header: 'measurementId', cell: (r) => r.measurementId, description: 'the measurement' },
  { header: 'campaign', cell: (r) => r.campaign, description: 'campaign (a scheduled run: `<campaign>-<date>`)' },
  { header: 'app', cell: (r) => r.app, description: 'messaging app' },
  { header: 'status', cell: (r) => r.status, description: 'ok or failed' },
  { header: 'failure', cell: (r) => r.failure, description: 'failure code (lib/failures.ts) when failed' },
  { header: 'failedOperation', cell: (r) => r.failedOperation, description: 'the step that failed' },
  { header: 'nodeA', cell: (r) => r.nodeA.id, description: 'vantage node of side A' },
  { header: 'nodeACountry', cell: (r) => r.nodeA.country, description: 'its country' },
  { header: 'nodeB', cell: (r) => r.nodeB.id, description: 'vantage node of side B' },
  { header: 'nodeBCountry', cell: (r) => r.nodeB.country, description: 'its country' },
  { header: 'startedAt', cell: (r) => r.startedAt, description: 'ISO 8601' },
  { header: 'finishedAt', cell: (r) => r.finishedAt, description: 'ISO 8601 (the day interest-group membership is judged on)' },
  { header: 'testbed', cell: (r) => (typeof r.testbed === 'string' ? r.testbed : null), description: 'testbed id' },
  { header: 'testbedKind', cell: (r) => r.testbedKind, description: 'emulated or real; empty in records before the field' },
  { header: 'networkTraces', cell: (r) => r.networkPath.traces.length, description: 'traces of the network path' },
  { header: 'applicationTraces', cell: (r) => r.applicationPath.traces.length, description: 'traces of the application paths' },
  { header: 'failedTraces', cell: (r) => allTraces(r).filter((t) => typeof t.failure === 'string').length, description: 'traces that could not be measured' },
  { header: 'hops', cell: (r) => allTraces(r).reduce((n, t) => n + t.hops.length, 0), description: 'hops of all traces' },
  { header: 'locatedHops', cell: (r) => allTraces(r).reduce((n, t) => n + t.hops.filter((h) => h.country !== null).length, 0), description: 'of those, hops with a country' },
  { header: 'boomerangs', cell: (r) => anomalies(r).boomerangs.map((b) => `${b.path}:${b.from}:${b.via.join('>')}`).join(' '), description: "traces that left the nodes' common country and came back: path:side:countries" },
  { header: 'detourCountries', cell: (r) => anomalies(r).detourCountries.join(' '), description: 'application-path countries the network path does not cross' },
  { header: 'ixpCrossings', cell: (r) => anomalies(r).ixpCrossings.map((x) => `${x.path}:${x.name}`).join('; '), description: 'IXPs the paths cross: path:name' },
];

/** A column list as a Markdown table for README (test/contract-doc.test.ts keeps README's copy equal). */
export function csvColumnsMarkdown<T>(columns: readonly CsvColumn<T>[]): string {
  return ['| column | meaning |', '|---|---|', ...columns.map((c) => `| ${c.header} | ${c.description.replace(/\|/g, '\\|')} |`)].join('\n');
}
