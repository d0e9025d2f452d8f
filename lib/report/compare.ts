/**
 * What changed between two runs (two campaigns, or two datasets of one campaign): the report
 * tables per area and path, the countries of each app's service endpoints and paths, and the node
 * pairs whose path countries changed. Both runs go through the same selection as the report
 * (DESIGN 4.2), so the comparison is between the figures a researcher would publish.
 *
 * `matador.report-compare/v1`:
 * {
 *   "schema": "matador.report-compare/v1",
 *   "label": "EMULATED WORLD — not a real-network measurement" | null,   // set when either run has an emulated record
 *   "identical": false,                  // no area, path or pair difference at all
 *   "runs": { "a": Run, "b": Run },      // Run: { name, records, networkRecords, appRecords: {app: n}, provenance }
 *   "groups": ["Five Eyes", ...],
 *   "areas": [                           // every (area, path) with a measurement in either run; report order,
 *     { "area": "Europe", "level": "region", "path": "network" | "<app>",   //   network first, then apps
 *       "changed": true,                 // a count differs (measurements, leftArea or a group)
 *       "measurements": { "a": 4, "b": 5, "delta": 1 },
 *       "leftArea": Delta, "accessible": { "Five Eyes": Delta, ... } } ],
 *       // Delta: { a, b, delta, percentA, percentB, deltaPp }: counts; shares in percent with one
 *       // decimal (null without measurements); deltaPp = percentage points B - A (null if a side has none)
 *   "paths": [                           // network path, then every app of either run
 *     { "path": "threema", "records": { "a": 3, "b": 3 },
 *       "endpointCountries": {           // country of the last responding hop of each application trace
 *         "a": { "CH": 3 }, "b": { "DE": 3 },   // traces per country
 *         "unlocated": { "a": 0, "b": 0 },      // traces with no responding hop or no country for it
 *         "main": { "a": "CH", "b": "DE" },      // country where most traces end (null on a tie): catches
 *                                                // a move when both countries occur in both runs
 *         "appeared": ["DE"], "disappeared": ["CH"] } | null,   // null for the network path
 *       "pathCountries": { "a": [...], "b": [...], "appeared": [...], "disappeared": [...] },   // DESIGN 4.2 path countries
 *       "summary": "threema: service moved CH -> DE" | null } ],
 *   "pairs": {                           // per path and unordered node pair: the selected records
 *     "changed": 1, "added": 0, "removed": 2, "limit": 20,
 *     "listed": [                        // changed, then added, then removed; at most `limit`
 *       { "change": "changed" | "added" | "removed", "path": "network" | "<app>", "pair": "ch-zrh|de-fra",
 *         "a": { "measurementId", "finishedAt", "countries": [...] } | null, "b": { ... } | null,
 *         "appeared": [...], "disappeared": [...] } ] }
 * }
 */
import type { InterestGroup } from '../geo/groups';
import type { M49Table } from '../geo/m49';
import type { AreaLevel } from '../geo/m49';
import type { MeasurementRecord, Trace } from '../types';
import { compareAreas, pathCountries, type PathKind } from './areas';
import { buildReport, type ColumnCounts, type Report } from './build';
import { EMULATED_LABEL, provenanceOf, type Provenance } from './provenance';
import { pairKey, selectApplicationRecords, selectNetworkRecords } from './select';

export const COMPARE_SCHEMA = 'matador.report-compare/v1';
export const DEFAULT_PAIR_LIMIT = 20;
const NETWORK = 'network';

export interface CompareRun {
  /** Shown in the output: a file name or `campaign <id>`. */
  name: string;
  records: readonly MeasurementRecord[];
}

export interface CompareOptions {
  groups: readonly InterestGroup[];
  m49: M49Table;
  /** How many node-pair changes to list (the totals are always complete). */
  limit?: number;
}

export interface RunSummary {
  name: string;
  records: number;
  networkRecords: number;
  appRecords: Record<string, number>;
  provenance: Provenance;
}

export interface Delta {
  a: number;
  b: number;
  delta: number;
  percentA: number | null;
  percentB: number | null;
  deltaPp: number | null;
}

export interface AreaPathChange {
  area: string;
  level: AreaLevel;
  path: string;
  changed: boolean;
  measurements: { a: number; b: number; delta: number };
  leftArea: Delta;
  accessible: Record<string, Delta>;
}

export interface CountrySetChange {
  a: string[];
  b: string[];
  appeared: string[];
  disappeared: string[];
}

export interface EndpointChange {
  a: Record<string, number>;
  b: Record<string, number>;
  unlocated: { a: number; b: number };
  /** The country where most traces end; null on a tie or without located traces. */
  main: { a: string | null; b: string | null };
  appeared: string[];
  disappeared: string[];
}

export interface PathChange {
  path: string;
  records: { a: number; b: number };
  endpointCountries: EndpointChange | null;
  pathCountries: CountrySetChange;
  summary: string | null;
}

export interface PairSide {
  measurementId: string;
  finishedAt: string;
  countries: string[];
}

export interface PairChange {
  change: 'changed' | 'added' | 'removed';
  path: string;
  pair: string;
  a: PairSide | null;
  b: PairSide | null;
  appeared: string[];
  disappeared: string[];
}

export interface Comparison {
  schema: typeof COMPARE_SCHEMA;
  label: typeof EMULATED_LABEL | null;
  identical: boolean;
  runs: { a: RunSummary; b: RunSummary };
  groups: string[];
  areas: AreaPathChange[];
  paths: PathChange[];
  pairs: { changed: number; added: number; removed: number; limit: number; listed: PairChange[] };
}

/* ---- small helpers ---- */

const sorted = (values: Iterable<string>): string[] => [...values].sort();
const minus = (x: Iterable<string>, y: Iterable<string>): string[] => {
  const ys = new Set(y);
  return sorted([...new Set(x)].filter((v) => !ys.has(v)));
};
/** One decimal; never -0 (so equal shares compare equal). */
const oneDecimal = (value: number): number => Math.round(value * 10) / 10 || 0;

function delta(a: number, totalA: number, b: number, totalB: number): Delta {
  const shareA = totalA === 0 ? null : (100 * a) / totalA;
  const shareB = totalB === 0 ? null : (100 * b) / totalB;
  return {
    a,
    b,
    delta: b - a,
    percentA: shareA === null ? null : oneDecimal(shareA),
    percentB: shareB === null ? null : oneDecimal(shareB),
    deltaPp: shareA === null || shareB === null ? null : oneDecimal(shareB - shareA),
  };
}

/* ---- tables ---- */

function emptyCounts(groups: readonly string[]): ColumnCounts {
  return { measurements: 0, leftArea: 0, accessible: Object.fromEntries(groups.map((g) => [g, 0])) };
}

function areaChanges(a: Report, b: Report, paths: readonly string[], groups: readonly string[]): AreaPathChange[] {
  const key = (x: { area: string; level: string }) => `${x.level}\u0000${x.area}`;
  const byKey = (r: Report) => new Map(r.areas.map((x) => [key(x), x]));
  const [areasA, areasB] = [byKey(a), byKey(b)];
  const refs = [...new Map([...a.areas, ...b.areas].map((x) => [key(x), { area: x.area, level: x.level }])).values()].sort(compareAreas);
  const pick = (areas: Map<string, Report['areas'][number]>, k: string, path: string): ColumnCounts => {
    const entry = areas.get(k);
    const counts = entry && (path === NETWORK ? entry.network : entry.apps[path]);
    return counts ?? emptyCounts(groups);
  };
  const out: AreaPathChange[] = [];
  for (const ref of refs) {
    for (const path of paths) {
      const ca = pick(areasA, key(ref), path);
      const cb = pick(areasB, key(ref), path);
      if (ca.measurements === 0 && cb.measurements === 0) continue;
      const accessible = Object.fromEntries(
        groups.map((g) => [g, delta(ca.accessible[g] ?? 0, ca.measurements, cb.accessible[g] ?? 0, cb.measurements)]),
      );
      const changed =
        ca.measurements !== cb.measurements || ca.leftArea !== cb.leftArea || groups.some((g) => accessible[g].delta !== 0);
      out.push({
        ...ref,
        path,
        changed,
        measurements: { a: ca.measurements, b: cb.measurements, delta: cb.measurements - ca.measurements },
        leftArea: delta(ca.leftArea, ca.measurements, cb.leftArea, cb.measurements),
        accessible,
      });
    }
  }
  return out;
}

/* ---- countries of services and paths ---- */

/** The country of the last hop that answered (highest TTL with an address); null when none or unlocated. */
export function endpointCountry(trace: Trace): string | null {
  let last: Trace['hops'][number] | undefined;
  for (const hop of trace.hops) if (hop.ip && (!last || hop.ttl > last.ttl)) last = hop;
  return last?.country ?? null;
}

function endpointCounts(records: readonly MeasurementRecord[]): { counts: Record<string, number>; unlocated: number } {
  const counts = new Map<string, number>();
  let unlocated = 0;
  for (const record of records) {
    for (const trace of record.applicationPath.traces) {
      const country = endpointCountry(trace);
      if (country === null) unlocated += 1;
      else counts.set(country, (counts.get(country) ?? 0) + 1);
    }
  }
  return { counts: Object.fromEntries(sorted(counts.keys()).map((c) => [c, counts.get(c) as number])), unlocated };
}

/** The country with strictly the most traces, or null (tie, or nothing located). */
function mainCountry(counts: Record<string, number>): string | null {
  const ranked = Object.entries(counts).sort((x, y) => y[1] - x[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[1][1] === ranked[0][1])) return null;
  return ranked[0][0];
}

function unionCountries(records: readonly MeasurementRecord[], kind: PathKind): string[] {
  const all = new Set<string>();
  for (const record of records) for (const c of pathCountries(record, kind)) all.add(c);
  return sorted(all);
}

function setChange(a: string[], b: string[]): CountrySetChange {
  return { a, b, appeared: minus(b, a), disappeared: minus(a, b) };
}

function crossing(change: { appeared: string[]; disappeared: string[] }): string[] {
  const parts: string[] = [];
  if (change.appeared.length > 0) parts.push(`now also crosses ${change.appeared.join(', ')}`);
  if (change.disappeared.length > 0) parts.push(`no longer crosses ${change.disappeared.join(', ')}`);
  return parts;
}

function summarise(path: string, records: { a: number; b: number }, endpoints: EndpointChange | null, countries: CountrySetChange): string | null {
  const name = path === NETWORK ? 'network path' : path;
  const where = (counts: Record<string, number>) => Object.keys(counts).join(', ') || 'unlocated';
  if (records.a === 0 && records.b === 0) return null;
  if (records.a === 0) return `${name}: only in run B${endpoints ? ` (service in ${where(endpoints.b)})` : ''}`;
  if (records.b === 0) return `${name}: only in run A${endpoints ? ` (service in ${where(endpoints.a)})` : ''}`;
  if (endpoints) {
    const { appeared, disappeared, main } = endpoints;
    if (appeared.length > 0 && disappeared.length > 0) return `${name}: service moved ${disappeared.join(', ')} -> ${appeared.join(', ')}`;
    // Same set of countries, but most traces now end elsewhere (e.g. CH 790 -> 43, DE 13 -> 760).
    const parts = main.a !== null && main.b !== null && main.a !== main.b ? [`service moved ${main.a} -> ${main.b} (main endpoint country)`] : [];
    if (appeared.length > 0) parts.push(`${parts.length > 0 ? '' : 'service '}now also in ${appeared.join(', ')}`);
    if (disappeared.length > 0) parts.push(`${parts.length > 0 ? '' : 'service '}no longer in ${disappeared.join(', ')}`);
    if (parts.length > 0) return `${name}: ${parts.join('; ')}`;
  }
  const parts = crossing(countries);
  if (parts.length === 0) return null;
  return path === NETWORK ? `${name}: ${parts.join('; ')}` : `${name}: path ${parts.join('; ')}`;
}

function pathChange(path: string, a: readonly MeasurementRecord[], b: readonly MeasurementRecord[]): PathChange {
  const kind: PathKind = path === NETWORK ? 'network' : 'application';
  const records = { a: a.length, b: b.length };
  let endpoints: EndpointChange | null = null;
  if (kind === 'application') {
    const [ea, eb] = [endpointCounts(a), endpointCounts(b)];
    endpoints = {
      a: ea.counts,
      b: eb.counts,
      unlocated: { a: ea.unlocated, b: eb.unlocated },
      main: { a: mainCountry(ea.counts), b: mainCountry(eb.counts) },
      appeared: minus(Object.keys(eb.counts), Object.keys(ea.counts)),
      disappeared: minus(Object.keys(ea.counts), Object.keys(eb.counts)),
    };
  }
  const countries = setChange(unionCountries(a, kind), unionCountries(b, kind));
  return { path, records, endpointCountries: endpoints, pathCountries: countries, summary: summarise(path, records, endpoints, countries) };
}

/* ---- node pairs ---- */

const CHANGE_ORDER: PairChange['change'][] = ['changed', 'added', 'removed'];

function pairChanges(path: string, a: readonly MeasurementRecord[], b: readonly MeasurementRecord[]): PairChange[] {
  const kind: PathKind = path === NETWORK ? 'network' : 'application';
  const side = (r: MeasurementRecord | undefined): PairSide | null =>
    r ? { measurementId: r.measurementId, finishedAt: r.finishedAt, countries: sorted(pathCountries(r, kind)) } : null;
  const [byA, byB] = [new Map(a.map((r) => [pairKey(r), r])), new Map(b.map((r) => [pairKey(r), r]))];
  const out: PairChange[] = [];
  for (const pair of sorted(new Set([...byA.keys(), ...byB.keys()]))) {
    const [sa, sb] = [side(byA.get(pair)), side(byB.get(pair))];
    const appeared = minus(sb?.countries ?? [], sa?.countries ?? []);
    const disappeared = minus(sa?.countries ?? [], sb?.countries ?? []);
    const change = !sa ? 'added' : !sb ? 'removed' : appeared.length + disappeared.length > 0 ? 'changed' : null;
    if (change) out.push({ change, path, pair, a: sa, b: sb, appeared, disappeared });
  }
  return out;
}

/* ---- the comparison ---- */

function summary(run: CompareRun, report: Report): RunSummary {
  return {
    name: run.name,
    records: run.records.length,
    networkRecords: report.input.networkRecords,
    appRecords: report.input.appRecords,
    provenance: provenanceOf(run.records),
  };
}

export function compareRuns(a: CompareRun, b: CompareRun, options: CompareOptions): Comparison {
  const { groups, m49 } = options;
  const limit = options.limit ?? DEFAULT_PAIR_LIMIT;
  const groupNames = groups.map((g) => g.name);
  const [reportA, reportB] = [buildReport(a.records, { groups, m49 }), buildReport(b.records, { groups, m49 })];
  const apps = sorted(new Set([...reportA.apps, ...reportB.apps]));
  // 'network' names the network path in every list below, so an app of that name would be ambiguous.
  if (apps.includes(NETWORK)) throw new Error(`compare: an app named "${NETWORK}" cannot be told apart from the network path; rename the app`);
  const paths = [NETWORK, ...apps];

  // The records each column of the report counts (DESIGN 4.2), per run.
  const columnsOf = (run: CompareRun) => new Map([[NETWORK, selectNetworkRecords(run.records)], ...selectApplicationRecords(run.records)]);
  const columns = { a: columnsOf(a), b: columnsOf(b) };
  const selected = (path: string, run: 'a' | 'b'): MeasurementRecord[] => columns[run].get(path) ?? [];

  const areas = areaChanges(reportA, reportB, paths, groupNames);
  const pathList = paths.map((p) => pathChange(p, selected(p, 'a'), selected(p, 'b')));
  const allPairs = paths
    .flatMap((p) => pairChanges(p, selected(p, 'a'), selected(p, 'b')))
    .map((change, index) => ({ change, index }))
    .sort((x, y) => CHANGE_ORDER.indexOf(x.change.change) - CHANGE_ORDER.indexOf(y.change.change) || x.index - y.index)
    .map((x) => x.change);
  const count = (kind: PairChange['change']) => allPairs.filter((p) => p.change === kind).length;

  const runs = { a: summary(a, reportA), b: summary(b, reportB) };
  return {
    schema: COMPARE_SCHEMA,
    label: runs.a.provenance.label ?? runs.b.provenance.label,
    identical: areas.every((x) => !x.changed) && pathList.every((p) => p.summary === null) && allPairs.length === 0,
    runs,
    groups: groupNames,
    areas,
    paths: pathList,
    pairs: { changed: count('changed'), added: count('added'), removed: count('removed'), limit, listed: allPairs.slice(0, limit) },
  };
}
