/**
 * The corrections overlay: CIDR prefixes whose country is known better than any database says
 * (manual validation in the paper, the emulated world's address plan here). Longest prefix
 * wins; IPv4 and IPv6. `country: null` pins a prefix to "unknown" (e.g. anycast).
 *
 * An entry may also give the prefix's AS: `asn`, `asName`, `registrationCountry` (lab equipment,
 * private addresses, the emulated world's routers). An entry with any of them is an AS correction:
 * the longest such prefix gives all three (a field it leaves out is null, never a database's
 * guess). An entry with AS fields but no `country` key does not touch the country; an entry
 * without AS fields does not touch the AS. Files written before these fields stay valid.
 */
import { parse as parseYaml } from 'yaml';
import { parseCidr, PrefixTable, type Cidr } from './ip';

export interface Correction {
  prefix: string;
  /** undefined: the entry corrects the AS only */
  country?: string | null;
  note?: string;
  /** AS fields; present (possibly null) only on AS corrections */
  asn?: number | null;
  asName?: string | null;
  registrationCountry?: string | null;
}

export interface AsCorrectionHit {
  prefix: string;
  asn: number | null;
  asName: string | null;
  registrationCountry: string | null;
}

const AS_KEYS = ['asn', 'asName', 'registrationCountry'] as const;
const isAsCorrection = (c: Correction): boolean => AS_KEYS.some((k) => c[k] !== undefined);

export interface CorrectionHit {
  prefix: string;
  country: string | null;
}

export function parseCorrections(text: string, file: string): Correction[] {
  const doc = parseYaml(text) as { schema?: unknown; corrections?: unknown } | null;
  if (doc?.schema !== 'matador.geo-corrections/v1') {
    throw new Error(`${file}: schema must be matador.geo-corrections/v1, got ${JSON.stringify(doc?.schema)}`);
  }
  const list = doc.corrections ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: corrections must be a list`);
  return list.map((raw: Record<string, unknown>, i: number) => {
    const where = `${file}: corrections[${i}]`;
    if (typeof raw?.prefix !== 'string') throw new Error(`${where}.prefix must be a CIDR string`);
    try {
      parseCidr(raw.prefix);
    } catch (err) {
      throw new Error(`${where}.prefix: ${(err as Error).message}`);
    }
    const country = raw.country ?? null;
    if (country !== null && (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country))) {
      throw new Error(`${where}.country must be an ISO 3166-1 alpha-2 code or null, got ${JSON.stringify(raw.country)}`);
    }
    const as = parseAsFields(raw, where);
    const countryKey = 'country' in raw || Object.keys(as).length === 0 ? { country } : {};
    return { prefix: raw.prefix, ...countryKey, ...(typeof raw.note === 'string' ? { note: raw.note } : {}), ...as };
  });
}

function parseAsFields(raw: Record<string, unknown>, where: string): Pick<Correction, (typeof AS_KEYS)[number]> {
  const out: Pick<Correction, (typeof AS_KEYS)[number]> = {};
  if ('asn' in raw) {
    const asn = raw.asn ?? null;
    if (asn !== null && !(Number.isInteger(asn) && (asn as number) >= 0 && (asn as number) <= 4294967295)) {
      throw new Error(`${where}.asn must be an AS number (integer 0..4294967295) or null, got ${JSON.stringify(raw.asn)}`);
    }
    out.asn = asn as number | null;
  }
  if ('asName' in raw) {
    const name = raw.asName ?? null;
    if (name !== null && (typeof name !== 'string' || name.trim() === '')) throw new Error(`${where}.asName must be a non-empty string or null, got ${JSON.stringify(raw.asName)}`);
    out.asName = name as string | null;
  }
  if ('registrationCountry' in raw) {
    const cc = raw.registrationCountry ?? null;
    if (cc !== null && (typeof cc !== 'string' || !/^[A-Z]{2}$/.test(cc))) {
      throw new Error(`${where}.registrationCountry must be an ISO 3166-1 alpha-2 code or null, got ${JSON.stringify(raw.registrationCountry)}`);
    }
    out.registrationCountry = cc as string | null;
  }
  return out;
}

/** The AS corrections of a list (entries with AS fields), longest prefix wins. */
export class AsCorrectionsTable {
  private readonly table = new PrefixTable<AsCorrectionHit>();

  constructor(corrections: readonly Correction[]) {
    for (const c of corrections) {
      if (!isAsCorrection(c)) continue;
      this.table.set(parseCidr(c.prefix), { prefix: c.prefix, asn: c.asn ?? null, asName: c.asName ?? null, registrationCountry: c.registrationCountry ?? null });
    }
  }

  lookup(ip: Parameters<PrefixTable<AsCorrectionHit>['lookup']>[0]): AsCorrectionHit | undefined {
    return this.table.lookup(ip);
  }

  get size(): number {
    return this.table.size;
  }
}

export class CorrectionsTable {
  private readonly table = new PrefixTable<CorrectionHit>();

  constructor(corrections: readonly Correction[]) {
    // Later entries for the same prefix override earlier ones, as when files are concatenated.
    for (const c of corrections) {
      if (c.country === undefined) continue; // an AS-only correction
      const cidr: Cidr = parseCidr(c.prefix);
      this.table.set(cidr, { prefix: c.prefix, country: c.country });
    }
  }

  lookup(ip: Parameters<PrefixTable<CorrectionHit>['lookup']>[0]): CorrectionHit | undefined {
    return this.table.lookup(ip);
  }

  get size(): number {
    return this.table.size;
  }
}
