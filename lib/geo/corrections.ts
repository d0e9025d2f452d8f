/**
 * The corrections overlay: CIDR prefixes whose country is known better than any database says
 * (manual validation in the paper, the emulated world's address plan here). Longest prefix
 * wins; IPv4 and IPv6. `country: null` pins a prefix to "unknown" (e.g. anycast).
 */
import { parse as parseYaml } from 'yaml';
import { parseCidr, PrefixTable, type Cidr } from './ip';

export interface Correction {
  prefix: string;
  country: string | null;
  note?: string;
}

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
    return { prefix: raw.prefix, country, ...(typeof raw.note === 'string' ? { note: raw.note } : {}) };
  });
}

export class CorrectionsTable {
  private readonly table = new PrefixTable<CorrectionHit>();

  constructor(corrections: readonly Correction[]) {
    // Later entries for the same prefix override earlier ones, as when files are concatenated.
    for (const c of corrections) {
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
