/**
 * geolocate (central, paper section 4.1): every hop of every trace gets a country with its
 * provenance (corrections / database, database date, RTT plausibility from the node that ran the
 * trace). Corrections: the testbed's (the emulated world's address plan) first, then the
 * campaign's `geo.corrections` (the shipped configs/geo/corrections.yaml when none are given).
 */
import { DEFAULT_CORRECTIONS_FILE, defaultCountryShapes, loadCorrections } from '../../lib/config/geo-tables';
import { annotateAs, AsLocator, asSources, Geolocator } from '../../lib/geo';
import type { AsSourcesInfo, Paths, StepContext } from '../../lib/measurement/payloads';
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

export interface GeolocationInfo {
  correctionsFiles: string[];
  sources: ReturnType<Geolocator['describe']>;
  rttSources: { A: { latitude: number; longitude: number }; B: { latitude: number; longitude: number } };
  asSources: AsSourcesInfo;
}

export async function geolocate<P extends Paths>(env: StepEnv, ctx: StepContext, paths: P): Promise<P & { geolocation: GeolocationInfo }> {
  const campaign = campaignOf(env, ctx);
  const tb = resolveTestbed(env, ctx);
  const configured = campaign.geo.corrections.length > 0 ? campaign.geo.corrections : [DEFAULT_CORRECTIONS_FILE];
  const files = [...tb.correctionsFiles, ...configured];
  const g = geolocatorFor(files);
  const rttSources = { A: { latitude: ctx.nodeA.latitude, longitude: ctx.nodeA.longitude }, B: { latitude: ctx.nodeB.latitude, longitude: ctx.nodeB.longitude } };
  const as = asLocatorFor(files, campaign.geo);
  const locate = (traces: Trace[]) =>
    traces
      .map((t) => g.locateTrace(t, { lat: rttSources[t.from].latitude, lon: rttSources[t.from].longitude }))
      .map((t) => annotateAs(t, as.locator));
  return {
    ...paths,
    networkPath: { ...paths.networkPath, traces: locate(paths.networkPath.traces) },
    applicationPath: { ...paths.applicationPath, traces: locate(paths.applicationPath.traces) },
    geolocation: { correctionsFiles: files, sources: g.describe(), rttSources, asSources: as.info },
  };
}
