/**
 * The AS part of `matador geo` (kept apart from the country part): each result gets `as`
 * (ASN, AS name, registration country, their sources and data dates) from the corrections and
 * the IP-to-ASN / registration-country tables, and the text table gets its columns.
 */
import type { AsInfo } from '../../lib/types';
import type { AsLocator as AsLocatorClass } from '../../lib/geo/annotate-as';
import type { Correction } from '../../lib/geo/corrections';

export interface AsCliOptions {
  asnCsv: string[];
  registrationCsv: string[];
}

export interface CliAsLocator {
  locator: AsLocatorClass;
  /** the licence attribution of each table, by its AsInfo.source label */
  attributionOf: ReadonlyMap<string, string>;
}

/** A locator over the default packages, or over the CSV files given (then only those). */
export async function cliAsLocator(corrections: readonly Correction[], opts: AsCliOptions): Promise<CliAsLocator> {
  const { AsLocator } = await import('../../lib/geo/annotate-as');
  const { asSources } = await import('../../lib/geo/as-sources');
  const sources = asSources({ asn: opts.asnCsv.map((csv) => ({ csv })), registrationCountry: opts.registrationCsv.map((csv) => ({ csv })) });
  return { locator: new AsLocator({ corrections, ...sources }), attributionOf: new Map([...sources.asn, ...sources.registration].map((s) => [s.source, s.attribution])) };
}

export function withAs<T extends { ip: string }>(result: T, as: CliAsLocator): T & { as: AsInfo } {
  return { ...result, as: as.locator.lookup(result.ip) };
}

/** The attributions of the AS tables that answered for this address (ASN table, registration table). */
export function asAttributions(info: AsInfo, as: CliAsLocator): string[] {
  const registration = info.registrationCountry === null ? undefined : (info.registrationSource ?? info.source);
  return [info.asn === null ? undefined : info.source, registration].flatMap((s) => (s === undefined ? [] : [as.attributionOf.get(s) ?? []].flat()));
}

export const AS_COLUMNS = ['ASN', 'AS NAME', 'REGISTERED', 'AS SOURCE', 'AS DATA DATE'];

/** The text cells (unescaped: the caller escapes every cell, AS names are third-party text). */
export function asCells(as: AsInfo): string[] {
  // The ASN's source (--json also gives the registration country's own source and date).
  return [as.asn === null ? '-' : `AS${as.asn}`, as.name ?? '-', as.registrationCountry ?? '-', as.source, as.databaseDate ?? '-'];
}
