/**
 * Drift alerts: what changed from one run of a campaign to the next, as single changes a person
 * can act on. Both runs go through the report's selection (DESIGN 4.2: per column the latest ok
 * record per node pair), so an alert always names a change of the figures a report would show.
 *
 * Kinds (`matador.drift-alert/v1`), each raised at most once per (kind, path, area, group):
 * - service_moved (per app): the countries of the app's service endpoints changed. An endpoint's
 *   country is the country of the last responding hop of an application trace towards it (the
 *   traces target the servers the app talked to; lib/report/compare.ts endpointCountry). Raised
 *   when a country appeared or disappeared, or when the country most traces end in changed.
 * - path_left_area / path_back_in_area (per path column — network or app — and M49 area): node
 *   pairs measured in both runs whose path stayed within the area and now leaves it / left it and
 *   now stays within it (Tables 2/3 "left area").
 * - group_gained_access / group_lost_access (per path column, area and interest group): node pairs
 *   whose path now crosses / no longer crosses a member country of the group on the measurement
 *   day (Tables 2/3 "accessible").
 * Node pairs measured in one run only are coverage, not drift: `report --compare` lists them.
 */
import type { InterestGroup } from '../geo/groups';
import type { AreaLevel, M49Table } from '../geo/m49';
import { accessibleTo, compareAreas, leavesArea, measurementAreas, pathCountries, type PathKind } from '../report/areas';
import { compareRuns, type CompareRun, type Comparison } from '../report/compare';
import { pairKey, selectApplicationRecords, selectNetworkRecords } from '../report/select';
import type { MeasurementRecord } from '../types';

export const DRIFT_ALERT_SCHEMA = 'matador.drift-alert/v1';
export const NETWORK_PATH = 'network';

export const ALERT_KINDS = ['service_moved', 'path_left_area', 'path_back_in_area', 'group_gained_access', 'group_lost_access'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface DriftAlert {
  kind: AlertKind;
  /** `network` or an app. */
  path: string;
  area: string | null;
  level: AreaLevel | null;
  group: string | null;
  /** service_moved: endpoint countries of the previous run / this run (sorted); else []. */
  before: string[];
  after: string[];
  /** service_moved: the country most endpoint traces end in (null: tie or none), per run. */
  main: { before: string | null; after: string | null } | null;
  /** The node pairs (`a|b`) whose path made the change (area and group kinds); else []. */
  pairs: string[];
  /** One line for people (names come from records: escape before printing). */
  text: string;
}

export interface DriftOptions {
  groups: readonly InterestGroup[];
  m49: M49Table;
}

/** The identity of an alert within a run pair: one stored alert per key. */
export function alertKey(a: Pick<DriftAlert, 'kind' | 'path' | 'area' | 'level' | 'group'>): string {
  return [a.kind, a.path, a.level ?? '', a.area ?? '', a.group ?? ''].join('\u0000');
}

const pathName = (path: string): string => (path === NETWORK_PATH ? 'network path' : path);
const list = (values: string[]): string => values.join(', ') || 'none located';

function serviceAlerts(comparison: Comparison): DriftAlert[] {
  const out: DriftAlert[] = [];
  for (const p of comparison.paths) {
    const e = p.endpointCountries;
    if (!e || p.records.a === 0 || p.records.b === 0) continue;
    const mainMoved = e.main.a !== null && e.main.b !== null && e.main.a !== e.main.b;
    if (e.appeared.length === 0 && e.disappeared.length === 0 && !mainMoved) continue;
    const [before, after] = [Object.keys(e.a), Object.keys(e.b)];
    // The main country says more only when the sets alone do not show the move (CH, DE -> CH, DE).
    const hidden = mainMoved && (before.includes(e.main.b as string) || after.includes(e.main.a as string));
    const main = hidden ? ` (most traces end in ${e.main.b}, before ${e.main.a})` : '';
    out.push({
      kind: 'service_moved', path: p.path, area: null, level: null, group: null, before, after,
      main: { before: e.main.a, after: e.main.b }, pairs: [],
      text: `${p.path}: service endpoints moved: ${list(before)} -> ${list(after)}${main}`,
    });
  }
  return out;
}

/** Per node pair of one column: its areas, whether it leaves each, which groups reach it. */
interface PairState {
  areas: { area: string; level: AreaLevel }[];
  leaves: Set<string>;
  groups: Set<string>;
}

const areaId = (a: { area: string; level: AreaLevel }): string => `${a.level}\u0000${a.area}`;

function pairStates(records: readonly MeasurementRecord[], kind: PathKind, o: DriftOptions): Map<string, PairState> {
  const out = new Map<string, PairState>();
  for (const record of records) {
    const countries = pathCountries(record, kind);
    const areas = measurementAreas(record, o.m49);
    out.set(pairKey(record), {
      areas,
      leaves: new Set(areas.filter((a) => leavesArea(countries, a.area, a.level, o.m49)).map(areaId)),
      groups: new Set(o.groups.filter((g) => accessibleTo(countries, g, record.finishedAt)).map((g) => g.name)),
    });
  }
  return out;
}

function columnAlerts(path: string, a: Map<string, PairState>, b: Map<string, PairState>, o: DriftOptions): DriftAlert[] {
  const found = new Map<string, DriftAlert>();
  const add = (kind: AlertKind, area: { area: string; level: AreaLevel }, group: string | null, pair: string, text: string): void => {
    const key = alertKey({ kind, path, area: area.area, level: area.level, group });
    const alert = found.get(key) ?? { kind, path, area: area.area, level: area.level, group, before: [], after: [], main: null, pairs: [], text };
    alert.pairs.push(pair);
    found.set(key, alert);
  };
  for (const [pair, sb] of [...b].sort(([x], [y]) => x.localeCompare(y))) {
    const sa = a.get(pair);
    if (!sa) continue;
    for (const area of sb.areas) {
      const [was, is] = [sa.leaves.has(areaId(area)), sb.leaves.has(areaId(area))];
      const where = `${pathName(path)} in ${area.area} (${area.level})`;
      if (!was && is) add('path_left_area', area, null, pair, `${where}: path now leaves the area`);
      if (was && !is) add('path_back_in_area', area, null, pair, `${where}: path stays within the area again`);
      for (const g of o.groups) {
        const [had, has] = [sa.groups.has(g.name), sb.groups.has(g.name)];
        if (!had && has) add('group_gained_access', area, g.name, pair, `${where}: ${g.name} gained access`);
        if (had && !has) add('group_lost_access', area, g.name, pair, `${where}: ${g.name} lost access`);
      }
    }
  }
  const order = (x: DriftAlert, y: DriftAlert) =>
    compareAreas({ area: x.area as string, level: x.level as AreaLevel }, { area: y.area as string, level: y.level as AreaLevel }) ||
    ALERT_KINDS.indexOf(x.kind) - ALERT_KINDS.indexOf(y.kind) ||
    o.groups.findIndex((g) => g.name === x.group) - o.groups.findIndex((g) => g.name === y.group);
  return [...found.values()]
    .sort(order)
    .map((x) => ({ ...x, text: `${x.text} (${x.pairs.length} node pair${x.pairs.length === 1 ? '' : 's'}: ${x.pairs.map((p) => p.replace('|', '/')).join(', ')})` }));
}

/** The ok records of (app, node pair)s that both runs measured: a pair new in one run is
 *  coverage, and must not make a service look moved. */
function commonPairs(a: CompareRun, b: CompareRun): [CompareRun, CompareRun] {
  const key = (r: MeasurementRecord) => `${r.app}\u0000${pairKey(r)}`;
  const ok = (run: CompareRun) => new Set(run.records.filter((r) => r.status === 'ok').map(key));
  const [inA, inB] = [ok(a), ok(b)];
  return [
    { name: a.name, records: a.records.filter((r) => inB.has(key(r))) },
    { name: b.name, records: b.records.filter((r) => inA.has(key(r))) },
  ];
}

/** Every alert from run A (the previous) to run B (this one): services first, then per path
 *  column (network, then apps in name order) by area, kind and group. */
export function deriveAlerts(a: CompareRun, b: CompareRun, o: DriftOptions): DriftAlert[] {
  const comparison = compareRuns(...commonPairs(a, b), { groups: o.groups, m49: o.m49 });
  const columns = (records: readonly MeasurementRecord[]) => new Map([[NETWORK_PATH, selectNetworkRecords(records)], ...selectApplicationRecords(records)]);
  const [ca, cb] = [columns(a.records), columns(b.records)];
  const alerts = serviceAlerts(comparison);
  const paths = [NETWORK_PATH, ...[...new Set([...ca.keys(), ...cb.keys()])].filter((p) => p !== NETWORK_PATH).sort()];
  for (const path of paths) {
    const kind: PathKind = path === NETWORK_PATH ? 'network' : 'application';
    alerts.push(...columnAlerts(path, pairStates(ca.get(path) ?? [], kind, o), pairStates(cb.get(path) ?? [], kind, o), o));
  }
  return alerts;
}
