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

/** A locator over the default packages, or over the CSV files given (then only those). */
export async function cliAsLocator(corrections: readonly Correction[], opts: AsCliOptions): Promise<AsLocatorClass> {
  const { AsLocator } = await import('../../lib/geo/annotate-as');
  const { asSources } = await import('../../lib/geo/as-sources');
  const sources = asSources({ asn: opts.asnCsv.map((csv) => ({ csv })), registrationCountry: opts.registrationCsv.map((csv) => ({ csv })) });
  return new AsLocator({ corrections, ...sources });
}

export function withAs<T extends { ip: string }>(result: T, locator: AsLocatorClass): T & { as: AsInfo } {
  return { ...result, as: locator.lookup(result.ip) };
}

export const AS_COLUMNS = ['ASN', 'AS NAME', 'REGISTERED', 'AS SOURCE', 'AS DATA DATE'];

/** The text cells (unescaped: the caller escapes every cell, AS names are third-party text). */
export function asCells(as: AsInfo): string[] {
  // The ASN's source (--json also gives the registration country's own source and date).
  return [as.asn === null ? '-' : `AS${as.asn}`, as.name ?? '-', as.registrationCountry ?? '-', as.source, as.databaseDate ?? '-'];
}
