/**
 * The AS of every hop interface and each trace's AS path (paper's "later studies": a path can be
 * legally exposed to the country where an AS is registered without crossing it). Order of
 * authority, as for countries (lib/geo/geolocator.ts):
 *   1. AS corrections (longest prefix): manual knowledge and the emulated world's AS plan;
 *   2. special-purpose addresses stop here: no public table can know them (asn null, 'none');
 *   3. the IP-to-ASN tables in order, the first that covers the address answers (asn, name); the
 *      registration-country tables likewise, separately: a block can be delegated but unannounced.
 * Unknown is null, never a guess. Pure over the tables it is handed; results cached per address.
 */
import { hopInterfaces } from '../traceroute/hops';
import type { AsInfo, Hop, Trace } from '../types';
import type { RangeTable } from './asn';
import { AsCorrectionsTable, type Correction } from './corrections';
import { isSpecialPurpose, parseIp } from './ip';

/** One ordered source (lib/geo/as-sources.ts builds them from packages and files). */
export interface AsTableSource {
  readonly source: string;
  readonly databaseDate: string | null;
  tables(): RangeTable[];
}

export interface AsLocatorOptions {
  corrections?: readonly Correction[];
  asn: readonly AsTableSource[];
  registration: readonly AsTableSource[];
}

const UNKNOWN: AsInfo = { asn: null, name: null, registrationCountry: null, source: 'none', databaseDate: null };

export class AsLocator {
  private readonly corrections: AsCorrectionsTable;
  private readonly cache = new Map<string, AsInfo>();

  constructor(private readonly options: AsLocatorOptions) {
    this.corrections = new AsCorrectionsTable(options.corrections ?? []);
  }

  /** Sources in the order they are consulted. */
  describe(): { asCorrections: number; asn: { source: string; databaseDate: string | null }[]; registration: { source: string; databaseDate: string | null }[] } {
    const d = (s: AsTableSource) => ({ source: s.source, databaseDate: s.databaseDate });
    return { asCorrections: this.corrections.size, asn: this.options.asn.map(d), registration: this.options.registration.map(d) };
  }

  lookup(ip: string): AsInfo {
    let hit = this.cache.get(ip);
    if (!hit) this.cache.set(ip, (hit = this.find(ip)));
    return { ...hit };
  }

  private find(text: string): AsInfo {
    const ip = parseIp(text);
    if (!ip) return { ...UNKNOWN };
    const corrected = this.corrections.lookup(ip);
    if (corrected) {
      return { asn: corrected.asn, name: corrected.asName, registrationCountry: corrected.registrationCountry, source: 'corrections', databaseDate: null };
    }
    if (isSpecialPurpose(ip)) return { ...UNKNOWN };
    let info: AsInfo = { ...UNKNOWN };
    for (const s of this.options.asn) {
      const found = firstOf(s, (t) => t.asnOf(ip));
      if (found) {
        info = { asn: found.asn, name: found.name, registrationCountry: null, source: s.source, databaseDate: s.databaseDate };
        break;
      }
    }
    for (const s of this.options.registration) {
      const cc = firstOf(s, (t) => t.countryOf(ip));
      if (cc === null) continue;
      info.registrationCountry = cc;
      if (s.source !== info.source) Object.assign(info, { registrationSource: s.source, registrationDate: s.databaseDate });
      break;
    }
    return info;
  }
}

function firstOf<T>(source: AsTableSource, pick: (t: RangeTable) => T | null): T | null {
  for (const t of source.tables()) {
    const v = pick(t);
    if (v !== null) return v;
  }
  return null;
}

/** `as` on the hop (its `ip`) and on each of its other interfaces; a hop without address gets none. */
export function annotateHopAs(hop: Hop, locator: AsLocator): Hop {
  const out: Hop = hop.ip ? { ...hop, as: locator.lookup(hop.ip) } : { ...hop };
  if (hop.otherInterfaces?.length || hop.otherIps?.length) {
    out.otherInterfaces = hopInterfaces(hop).slice(hop.ip ? 1 : 0).map((i) => ({ ...i, as: locator.lookup(i.ip) }));
  }
  return out;
}

/**
 * The ASes of the hops' `ip` in order: consecutive duplicates collapsed; a hop without address or
 * without known AS is a gap (null), consecutive gaps collapsed too (lib/types.ts Trace.asPath).
 */
export function asPathOf(hops: readonly Hop[]): (number | null)[] {
  const path: (number | null)[] = [];
  for (const hop of hops) {
    const asn = hop.ip ? (hop.as?.asn ?? null) : null;
    if (path.length === 0 || path[path.length - 1] !== asn) path.push(asn);
  }
  return path;
}

/** The trace with `as` on every hop interface and its `asPath`. */
export function annotateAs(trace: Trace, locator: AsLocator): Trace {
  const hops = trace.hops.map((h) => annotateHopAs(h, locator));
  return { ...trace, hops, asPath: asPathOf(hops) };
}
