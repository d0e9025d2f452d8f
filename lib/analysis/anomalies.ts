/**
 * Path anomalies of one measurement (PathAnomalies, lib/types.ts), computed from the record alone
 * (pure, deterministic: the measurement workflow stores them in each record, and the report
 * recomputes them for records written before the field existed).
 *
 * Decisions:
 *  - boomerang: only when both nodes are in the same country C. Per trace, the sequence is C (the
 *    node that ran it) followed by the countries of the hops' primary `ip` in TTL order, unknown
 *    (null) countries left out. The trace is a boomerang when a country other than C comes before
 *    a later C; `via` lists the outside countries seen before the last return to C, in order of
 *    first appearance (countries after the last return are where the trace ended up, not part of
 *    the loop). Only the primary address is used because the other interfaces of a TTL are
 *    alternatives (load-balanced branches, several responders), not steps: mixing them into one
 *    sequence would invent leave/return orders no packet took. One boomerang per trace at most.
 *  - detour countries: every country of the application path (all interfaces of all hops, as the
 *    report counts countries) that is neither on the network path (same rule) nor a node's
 *    country; sorted. A record without network traces has no baseline: no detour is claimed ([]).
 *  - IXP crossings: every interface whose `ixp` is set, unique by ixId per path, in order of first
 *    appearance. Hops without the field (records before IXP marking, no dump configured) cross none.
 */
import { hopInterfaces } from '../traceroute/hops';
import type { Boomerang, Hop, IxpMark, MeasurementRecord, PathAnomalies, Trace } from '../types';

type PathKind = 'network' | 'application';

/** The hop's addresses with their country and IXP mark: the primary `ip` first. */
function interfaces(hop: Hop): { country: string | null; ixp: IxpMark | null }[] {
  return hopInterfaces(hop).map((i) => ({ country: i.country, ixp: i.ixp ?? null }));
}

function traceBoomerang(trace: Trace, path: PathKind, country: string): Boomerang | null {
  const sequence = trace.hops.flatMap((h) => (h.ip && h.country ? [h.country] : []));
  const lastReturn = sequence.lastIndexOf(country);
  const via: string[] = [];
  for (const c of sequence.slice(0, Math.max(lastReturn, 0))) if (c !== country && !via.includes(c)) via.push(c);
  return via.length > 0 ? { path, from: trace.from, target: trace.target, country, via } : null;
}

function countriesOf(traces: readonly Trace[]): Set<string> {
  const out = new Set<string>();
  for (const t of traces) for (const h of t.hops) for (const i of interfaces(h)) if (i.country) out.add(i.country);
  return out;
}

function crossings(traces: readonly Trace[], path: PathKind): PathAnomalies['ixpCrossings'] {
  const seen = new Map<number, PathAnomalies['ixpCrossings'][number]>();
  for (const t of traces) {
    for (const h of t.hops) {
      for (const { ixp } of interfaces(h)) if (ixp && !seen.has(ixp.ixId)) seen.set(ixp.ixId, { path, ixId: ixp.ixId, name: ixp.name, country: ixp.country });
    }
  }
  return [...seen.values()];
}

export function pathAnomalies(record: Pick<MeasurementRecord, 'nodeA' | 'nodeB' | 'networkPath' | 'applicationPath'>): PathAnomalies {
  const network = record.networkPath.traces;
  const application = record.applicationPath.traces;
  const same = record.nodeA.country === record.nodeB.country ? record.nodeA.country : null;
  const boomerangs = same === null ? [] : ([['network', network], ['application', application]] as const).flatMap(([path, traces]) =>
    traces.flatMap((t) => traceBoomerang(t, path, same) ?? []),
  );
  const baseline = countriesOf(network);
  const detourCountries = network.length === 0 ? [] : [...countriesOf(application)]
    .filter((c) => !baseline.has(c) && c !== record.nodeA.country && c !== record.nodeB.country)
    .sort();
  return { boomerangs, detourCountries, ixpCrossings: [...crossings(network, 'network'), ...crossings(application, 'application')] };
}
