/**
 * geolocate (central, paper section 4.1): every hop of every trace gets a country with its
 * provenance (corrections / database, database date, city, RTT plausibility from the node that
 * ran the trace). Corrections: the testbed's (the emulated world's address plan) first, then the
 * campaign's `geo.corrections` (the shipped configs/geo/corrections.yaml when none are given);
 * then the campaign's `geo.databases` in order (lib/config/load.ts resolved and checked them).
 * Then every hop address inside an IXP's peering LAN gets its mark (PeeringDB dumps: the
 * testbed's, then the campaign's `geo.peeringdb`); without any dump hops get no `ixp` field.
 */
import { DEFAULT_CORRECTIONS_FILE, defaultCountryShapes, loadCorrections } from '../../lib/config/geo-tables';
import * as fs from 'fs';
import { Geolocator, openDatabase, specFiles, specKey, uniqueAttributions, type DatabaseSpec } from '../../lib/geo';
import { loadIxpTable, markIxps } from '../../lib/geo/peeringdb';
import { hopInterfaces } from '../../lib/traceroute/hops';
import type { GeolocationInfo, Paths, StepContext } from '../../lib/measurement/payloads';
import type { Trace } from '../../lib/types';
import { campaignOf, type StepEnv } from './context';
import { resolveTestbed } from './testbed-endpoints';

// One Geolocator per settings (corrections files + databases, with the database files' mtimes:
// a replaced file gets a new one) and process: its caches and the opened files live as long as the worker.
const geolocators = new Map<string, Geolocator>();

function geolocatorFor(files: string[], databases: readonly DatabaseSpec[]): Geolocator {
  const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);
  const key = JSON.stringify([files, databases.map(specKey), databases.flatMap(specFiles).map(mtime)]);
  let g = geolocators.get(key);
  if (!g) {
    g = new Geolocator({ corrections: files.flatMap((f) => loadCorrections(f)), databases: databases.map(openDatabase), countryShapes: defaultCountryShapes() });
    geolocators.set(key, g);
  }
  return g;
}

/** The attributions of the databases that placed at least one hop of these traces. */
function usedAttributions(g: Geolocator, traces: Trace[]): string[] {
  const used = new Set(traces.flatMap((t) => t.hops.flatMap((h) => hopInterfaces(h).map((i) => i.geo?.source ?? null))));
  return uniqueAttributions(g.describe().databases.filter((d) => used.has(d.source)).map((d) => d.attribution));
}

export async function geolocate<P extends Paths>(env: StepEnv, ctx: StepContext, paths: P): Promise<P & { geolocation: GeolocationInfo }> {
  const campaign = campaignOf(env, ctx);
  const tb = resolveTestbed(env, ctx);
  const configured = campaign.geo.corrections.length > 0 ? campaign.geo.corrections : [DEFAULT_CORRECTIONS_FILE];
  const files = [...tb.correctionsFiles, ...configured];
  const g = geolocatorFor(files, campaign.geo.databases);
  const rttSources = { A: { latitude: ctx.nodeA.latitude, longitude: ctx.nodeA.longitude }, B: { latitude: ctx.nodeB.latitude, longitude: ctx.nodeB.longitude } };
  // IXP marks: the world's own dump (its IXP links) first, then the campaign's; read once per process.
  const dumps = [...(tb.peeringdbFiles ?? []), ...(campaign.geo.peeringdb ?? [])];
  const ixps = dumps.length > 0 ? loadIxpTable(dumps) : null;
  const mark = (t: Trace) => (ixps ? markIxps(t, ixps) : t);
  const locate = (traces: Trace[]) => traces.map((t) => mark(g.locateTrace(t, { lat: rttSources[t.from].latitude, lon: rttSources[t.from].longitude })));
  const networkTraces = locate(paths.networkPath.traces);
  const applicationTraces = locate(paths.applicationPath.traces);
  return {
    ...paths,
    networkPath: { ...paths.networkPath, traces: networkTraces },
    applicationPath: { ...paths.applicationPath, traces: applicationTraces },
    geolocation: {
      correctionsFiles: files,
      sources: g.describe(),
      attributions: uniqueAttributions([
        ...usedAttributions(g, [...networkTraces, ...applicationTraces]),
        ...(ixps && [...networkTraces, ...applicationTraces].some((t) => t.hops.some((h) => hopInterfaces(h).some((i) => i.ixp))) ? ixps.summaries.map((s) => s.attribution) : []),
      ]),
      tables: { m49: campaign.geo.m49, interestGroups: campaign.geo.interestGroups },
      rttSources,
      ...(ixps ? { peeringdb: ixps.summaries } : {}),
    },
  };
}
