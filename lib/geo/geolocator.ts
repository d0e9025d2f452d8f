/**
 * Hop geolocation with provenance (paper section 4.1). Order of authority:
 *   1. the corrections overlay (longest prefix wins) — manual knowledge beats any database and is
 *      not second-guessed by the RTT check (it is how the emulated world, whose RTTs are all
 *      sub-millisecond, places its routers);
 *   2. special-purpose ranges (RFC 1918, 198.18.0.0/15, 2001:db8::/32, ...) stop here: no public
 *      database can know them;
 *   3. the configured databases in the order given (a campaign's `geo.databases`; default: the
 *      GeoLite2 city package, lib/geo/databases.ts DEFAULT_DATABASES). The first database with a
 *      country answers; geoip-lite only when it is listed.
 * A database answer is then checked against the hop's smallest RTT from a source with known
 * coordinates: if light in fibre could not have reached the claimed country in that time, the
 * hop's country becomes null (plausible: false, claimedCountry keeps the claim).
 */
import { hopInterfaces } from '../traceroute/hops';
import type { GeoProvenance, Hop, MeasurementRecord, Trace } from '../types';
import { CorrectionsTable, type Correction } from './corrections';
import { uniqueAttributions } from './attributions';
import { DEFAULT_DATABASES, openDatabase, type CountryDatabase } from './databases';
import { isSpecialPurpose, parseIp } from './ip';
import { rttPlausible, type CountryShapes, type LatLon } from './plausibility';

export interface GeolocatorOptions {
  /** Corrections (e.g. the emulated world's address plan); a later entry for the same prefix wins. */
  corrections?: readonly Correction[];
  /** Databases consulted in order after the corrections (lib/geo/databases.ts openDatabase);
   *  default: DEFAULT_DATABASES. [] consults none (corrections only). */
  databases?: readonly CountryDatabase[];
  /** Country reference areas for the RTT check (configs/geo/country-points.yaml). */
  countryShapes: CountryShapes;
}

export interface Location {
  ip: string;
  country: string | null;
  geo: GeoProvenance;
}

const NONE: GeoProvenance = { source: 'none', databaseDate: null, corrected: false, plausible: null };

export class Geolocator {
  private readonly corrections: CorrectionsTable;
  private readonly databases: CountryDatabase[];
  private readonly shapes: CountryShapes;
  private readonly cache = new Map<string, Location>();

  constructor(options: GeolocatorOptions) {
    this.corrections = new CorrectionsTable(options.corrections ?? []);
    this.databases = [...(options.databases ?? DEFAULT_DATABASES.map(openDatabase))];
    this.shapes = options.countryShapes;
  }

  /** Sources in the order they are consulted, with their data dates and attributions. */
  describe(): { corrections: number; databases: { source: string; databaseDate: string | null; attribution: string | null }[] } {
    return {
      corrections: this.corrections.size,
      databases: this.databases.map((d) => ({ source: d.source, databaseDate: d.databaseDate, attribution: d.attribution })),
    };
  }

  /** The licence attributions of the configured databases (distinct, in order). */
  attributions(): string[] {
    return uniqueAttributions(this.databases.map((d) => d.attribution));
  }

  /** Where an address is, before any RTT check (plausible: null). */
  locate(ip: string): Location {
    const cached = this.cache.get(ip);
    if (cached) return { ...cached, geo: { ...cached.geo } };
    const result = this.lookup(ip);
    this.cache.set(ip, result);
    return { ...result, geo: { ...result.geo } };
  }

  private lookup(ip: string): Location {
    const parsed = parseIp(ip);
    if (!parsed) return { ip, country: null, geo: { ...NONE } };
    const corrected = this.corrections.lookup(parsed);
    if (corrected) {
      return { ip, country: corrected.country, geo: { source: 'corrections', databaseDate: null, corrected: true, plausible: null } };
    }
    if (isSpecialPurpose(parsed)) return { ip, country: null, geo: { ...NONE } };
    for (const db of this.databases) {
      const hit = db.lookup(ip);
      if (hit) {
        const geo: GeoProvenance = { source: db.source, databaseDate: db.databaseDate, corrected: false, plausible: null, claimedCountry: hit.country, city: hit.city };
        return { ip, country: hit.country, geo };
      }
    }
    return { ip, country: null, geo: { ...NONE } };
  }

  /** The hop with `country` and `geo` set; `source` is where the trace started (null: unknown).
   *  Every other interface of the hop (load-balanced branches, BSD's several responders) is
   *  located the same way, each checked against its own RTTs; a record that has only `otherIps`
   *  gets `otherInterfaces` without times (plausibility: null). */
  locateHop(hop: Hop, source: LatLon | null): Hop {
    const placed = hop.ip ? this.place(hop.ip, hop.rttMs, source) : { country: null, geo: { ...NONE } };
    const others = hopInterfaces(hop).slice(hop.ip ? 1 : 0);
    if (others.length === 0) return { ...hop, ...placed };
    return { ...hop, ...placed, otherInterfaces: others.map((i) => ({ ...i, ...this.place(i.ip, i.rttMs, source) })) };
  }

  private place(ip: string, rttMs: number[], source: LatLon | null): { country: string | null; geo: GeoProvenance } {
    const found = this.locate(ip);
    if (found.geo.corrected || found.country === null) return { country: found.country, geo: found.geo };
    const plausible = rttPlausible(source, rttMs, found.country, this.shapes);
    return { country: plausible === false ? null : found.country, geo: { ...found.geo, plausible } };
  }

  locateTrace(trace: Trace, source: LatLon | null): Trace {
    return { ...trace, hops: trace.hops.map((h) => this.locateHop(h, source)) };
  }

  /** Every trace of a record, each checked from the coordinates of the side that ran it. */
  locateRecord(record: MeasurementRecord, sources: { A: LatLon | null; B: LatLon | null }): MeasurementRecord {
    const traces = (list: Trace[]) => list.map((t) => this.locateTrace(t, sources[t.from] ?? null));
    return {
      ...record,
      networkPath: { ...record.networkPath, traces: traces(record.networkPath.traces) },
      applicationPath: { ...record.applicationPath, traces: traces(record.applicationPath.traces) },
    };
  }

  close(): void {
    for (const db of this.databases) db.close();
  }
}
