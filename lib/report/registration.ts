/**
 * Accessibility when AS registration countries count too (issue 12, "later studies"): a path is
 * accessible to an interest group when a country it physically crosses (the paper's Table 3,
 * unchanged) OR the registration country of the AS of any hop interface is a member on the
 * measurement day. A hop in Hong Kong whose block a US carrier registered exposes the path to
 * US jurisdiction without crossing the US. Records without `as` (older exports) count with their
 * physical countries only, so this column is never below the physical one.
 */
import { accessibleTo, pathCountries, type PathKind } from './areas';
import type { InterestGroup } from '../geo/groups';
import { hopInterfaces } from '../traceroute/hops';
import type { MeasurementRecord } from '../types';

/** Registration countries of the AS of every interface of every hop of the path's traces. */
export function registrationCountries(record: MeasurementRecord, kind: PathKind): Set<string> {
  const out = new Set<string>();
  const path = kind === 'network' ? record.networkPath : record.applicationPath;
  for (const trace of path.traces) {
    for (const hop of trace.hops) for (const i of hopInterfaces(hop)) if (i.as?.registrationCountry) out.add(i.as.registrationCountry);
  }
  return out;
}

/** The groups (names, in the given order) the path is accessible to, registration countries included. */
export function accessibleWithRegistration(record: MeasurementRecord, kind: PathKind, groups: readonly InterestGroup[]): string[] {
  const countries = new Set([...pathCountries(record, kind), ...registrationCountries(record, kind)]);
  return groups.filter((g) => accessibleTo(countries, g, record.finishedAt)).map((g) => g.name);
}

/** Whether any record carries AS data: only then does a report show the registration variant,
 *  so reports of records written before it stay byte-identical. */
export function hasAsData(records: readonly MeasurementRecord[]): boolean {
  return records.some((r) => [...r.networkPath.traces, ...r.applicationPath.traces].some((t) => t.hops.some((h) => hopInterfaces(h).some((i) => i.as !== undefined))));
}

/** Label of the variant in Markdown and CSV. */
export const REGISTRATION_LABEL = 'accessible incl. AS registration countries';
