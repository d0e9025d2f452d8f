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
import { annotateAs, AsLocator, asSources, Geolocator, openDatabase, specFiles, specKey, uniqueAttributions, type DatabaseSpec } from '../../lib/geo';
import { loadIxpTable, markIxps } from '../../lib/geo/peeringdb';
import { hopInterfaces } from '../../lib/traceroute/hops';
import type { AsSourcesInfo, GeolocationInfo, Paths, StepContext } from '../../lib/measurement/payloads';
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

// The AS tables behind each settings (corrections files + campaign geo.asn / geo.registrationCountry).
const asLocators = new Map<string, { locator: AsLocator; info: AsSourcesInfo }>();

function asLocatorFor(files: string[], settings: Parameters<typeof asSources>[0]): { locator: AsLocator; info: AsSourcesInfo } {
  const key = JSON.stringify([files, settings.asn, settings.registrationCountry]);
  let hit = asLocators.get(key);
  if (!hit) {
    const sources = asSources(settings);
    const locator = new AsLocator({ corrections: files.flatMap((f) => loadCorrections(f)), ...sources });
    const describe = (s: (typeof sources.asn)[number]) => ({ source: s.source, databaseDate: s.databaseDate, attribution: s.attribution });
    hit = { locator, info: { asCorrections: locator.describe().asCorrections, asn: sources.asn.map(describe), registration: sources.registration.map(describe) } };
    asLocators.set(key, hit);
  }
  return hit;
}

/** The licence attributions of the sources that gave at least one hop of these traces its
 *  country, AS or registration country, or its IXP mark. */
function usedAttributions(g: Geolocator, as: AsSourcesInfo, ixpAttributions: string[], traces: Trace[]): string[] {
  const interfaces = traces.flatMap((t) => t.hops.flatMap((h) => hopInterfaces(h)));
  const used = new Set(interfaces.flatMap((i) => [i.geo?.source, i.as?.source, i.as?.registrationSource ?? (i.as?.registrationCountry ? i.as.source : undefined)]));
  return uniqueAttributions([
    ...g.describe().databases.filter((d) => used.has(d.source)).map((d) => d.attribution),
    ...[...as.asn, ...as.registration].filter((d) => used.has(d.source)).map((d) => d.attribution),
    ...(interfaces.some((i) => i.ixp) ? ixpAttributions : []),
  ]);
}

export async function geolocate<P extends Paths>(env: StepEnv, ctx: StepContext, paths: P): Promise<P & { geolocation: GeolocationInfo }> {
  const campaign = campaignOf(env, ctx);
  const tb = resolveTestbed(env, ctx);
  const configured = campaign.geo.corrections.length > 0 ? campaign.geo.corrections : [DEFAULT_CORRECTIONS_FILE];
  const files = [...tb.correctionsFiles, ...configured];
  const g = geolocatorFor(files, campaign.geo.databases);
  const rttSources = { A: { latitude: ctx.nodeA.latitude, longitude: ctx.nodeA.longitude }, B: { latitude: ctx.nodeB.latitude, longitude: ctx.nodeB.longitude } };
  const as = asLocatorFor(files, campaign.geo);
  // IXP marks: the world's own dump (its IXP links) first, then the campaign's; read once per process.
  const dumps = [...(tb.peeringdbFiles ?? []), ...(campaign.geo.peeringdb ?? [])];
  const ixps = dumps.length > 0 ? loadIxpTable(dumps) : null;
  const mark = (t: Trace) => (ixps ? markIxps(t, ixps) : t);
  const locate = (traces: Trace[]) =>
    traces.map((t) => mark(annotateAs(g.locateTrace(t, { lat: rttSources[t.from].latitude, lon: rttSources[t.from].longitude }), as.locator)));
  const networkTraces = locate(paths.networkPath.traces);
  const applicationTraces = locate(paths.applicationPath.traces);
  return {
    ...paths,
    networkPath: { ...paths.networkPath, traces: networkTraces },
    applicationPath: { ...paths.applicationPath, traces: applicationTraces },
    geolocation: {
      correctionsFiles: files,
      sources: g.describe(),
      attributions: usedAttributions(g, as.info, ixps ? ixps.summaries.map((d) => d.attribution) : [], [...networkTraces, ...applicationTraces]),
      tables: { m49: campaign.geo.m49, interestGroups: campaign.geo.interestGroups },
      rttSources,
      asSources: as.info,
      ...(ixps ? { peeringdb: ixps.summaries } : {}),
    },
  };
}
