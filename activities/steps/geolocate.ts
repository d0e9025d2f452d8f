/**
 * geolocate (central, paper section 4.1): every hop of every trace gets a country with its
 * provenance (corrections / database, database date, RTT plausibility from the node that ran the
 * trace). Corrections: the testbed's (the emulated world's address plan) first, then the
 * campaign's `geo.corrections` (the shipped configs/geo/corrections.yaml when none are given).
 * Then every hop address inside an IXP's peering LAN gets its mark (PeeringDB dumps: the
 * testbed's, then the campaign's `geo.peeringdb`); without any dump hops get no `ixp` field.
 */
import { DEFAULT_CORRECTIONS_FILE, defaultCountryShapes, loadCorrections } from '../../lib/config/geo-tables';
import { Geolocator } from '../../lib/geo';
import { loadIxpTable, markIxps, type PeeringDbSummary } from '../../lib/geo/peeringdb';
import type { Paths, StepContext } from '../../lib/measurement/payloads';
import type { Trace } from '../../lib/types';
import { campaignOf, type StepEnv } from './context';
import { resolveTestbed } from './testbed-endpoints';

const geolocators = new Map<string, Geolocator>();

function geolocatorFor(files: string[]): Geolocator {
  const key = files.join('\n');
  let g = geolocators.get(key);
  if (!g) {
    g = new Geolocator({ corrections: files.flatMap((f) => loadCorrections(f)), countryShapes: defaultCountryShapes() });
    geolocators.set(key, g);
  }
  return g;
}

export interface GeolocationInfo {
  correctionsFiles: string[];
  sources: ReturnType<Geolocator['describe']>;
  rttSources: { A: { latitude: number; longitude: number }; B: { latitude: number; longitude: number } };
  /** PeeringDB dumps the IXP marks came from (the testbed's, then the campaign's); absent: none. */
  peeringdb?: PeeringDbSummary[];
}

export async function geolocate<P extends Paths>(env: StepEnv, ctx: StepContext, paths: P): Promise<P & { geolocation: GeolocationInfo }> {
  const campaign = campaignOf(env, ctx);
  const tb = resolveTestbed(env, ctx);
  const configured = campaign.geo.corrections.length > 0 ? campaign.geo.corrections : [DEFAULT_CORRECTIONS_FILE];
  const files = [...tb.correctionsFiles, ...configured];
  const g = geolocatorFor(files);
  const rttSources = { A: { latitude: ctx.nodeA.latitude, longitude: ctx.nodeA.longitude }, B: { latitude: ctx.nodeB.latitude, longitude: ctx.nodeB.longitude } };
  // IXP marks: the world's own dump (its IXP links) first, then the campaign's; read once per process.
  const dumps = [...(tb.peeringdbFiles ?? []), ...(campaign.geo.peeringdb ?? [])];
  const ixps = dumps.length > 0 ? loadIxpTable(dumps) : null;
  const mark = (t: Trace) => (ixps ? markIxps(t, ixps) : t);
  const locate = (traces: Trace[]) => traces.map((t) => mark(g.locateTrace(t, { lat: rttSources[t.from].latitude, lon: rttSources[t.from].longitude })));
  return {
    ...paths,
    networkPath: { ...paths.networkPath, traces: locate(paths.networkPath.traces) },
    applicationPath: { ...paths.applicationPath, traces: locate(paths.applicationPath.traces) },
    geolocation: { correctionsFiles: files, sources: g.describe(), rttSources, ...(ixps ? { peeringdb: ixps.summaries } : {}) },
  };
}
