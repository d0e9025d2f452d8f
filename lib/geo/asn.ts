/**
 * IP range tables in the ip-location-db CSV format (https://github.com/sapics/ip-location-db):
 *   asn:          `start,end,asn,name`  (name may be quoted: "Cloudflare, Inc.", "LLC ""SPUTNIK""")
 *   asn-country:  `start,end,CC`        (the RIR delegation's country: where the block is registered)
 * `start` and `end` are inclusive, either addresses (1.0.0.0, 2001:200::) or numbers (the `-num`
 * files; a number is IPv6 when the file name says `ipv6`, else IPv4). Pure: the text is handed in
 * (lib/geo/as-sources.ts reads the files).
 *
 * Compact form, because the asn package alone has ~515k rows: per family, sorted typed arrays of
 * range starts and ends and one Uint32 value per row (the ASN, or the country's two letters);
 * AS names are kept once per ASN. Lookup is a binary search for the last start <= address.
 * Overlapping rows (the npm data has a few, e.g. two DoD blocks) are clipped so the earlier row
 * wins: a lookup then never depends on which of two overlapping rows the search lands on.
 */
import { parseIp, type ParsedIp } from './ip';

const MASK64 = (1n << 64n) - 1n;
const COUNTRY = /^[A-Z]{2}$/;
const MAX_ASN = 4294967295;

export type RangeKind = 'asn' | 'country';

/** One family's rows, sorted by start, non-overlapping. IPv6 starts/ends are split in 64-bit halves. */
interface FamilyRanges {
  count: number;
  /** IPv4: the addresses; IPv6: high 64 bits */
  startHi: Uint32Array | BigUint64Array;
  endHi: Uint32Array | BigUint64Array;
  /** IPv6 only: low 64 bits */
  startLo?: BigUint64Array;
  endLo?: BigUint64Array;
  values: Uint32Array;
}

export interface RangeTableStats {
  rows: number;
  ipv4: number;
  ipv6: number;
  /** rows cut or dropped because an earlier row already covered (part of) their range */
  clipped: number;
}

/** A parse failure: names the file and the 1-based line. */
export class RangeCsvError extends Error {
  constructor(file: string, line: number, problem: string, text: string) {
    super(`${file}: line ${line}: ${problem}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)}`);
    this.name = 'RangeCsvError';
  }
}

/** One family's rows as parsed, in file order (columns, not objects: 500k rows stay cheap). */
export class RangeColumns<N extends number | bigint> {
  readonly starts: N[] = [];
  readonly ends: N[] = [];
  readonly values: number[] = [];
  push(start: N, end: N, value: number): void {
    this.starts.push(start);
    this.ends.push(end);
    this.values.push(value);
  }
}

export class RangeTable {
  readonly names: ReadonlyMap<number, string>;
  readonly stats: RangeTableStats;
  private readonly v4: FamilyRanges;
  private readonly v6: FamilyRanges;

  constructor(readonly kind: RangeKind, rows4: RangeColumns<number>, rows6: RangeColumns<bigint>, names: Map<number, string>) {
    let clipped = 0;
    /** Row order by start (stable: among equal starts the file's earlier row stays first), then
     *  clipped so that each row starts after everything before it ends. */
    const keep = <N extends number | bigint>(rows: RangeColumns<N>, one: N): { order: number[]; starts: N[] } => {
      const n = rows.starts.length;
      const order = Array.from({ length: n }, (_, i) => i);
      if (!isSorted(rows.starts)) order.sort((a, b) => (rows.starts[a] < rows.starts[b] ? -1 : rows.starts[a] > rows.starts[b] ? 1 : a - b));
      const kept: number[] = [];
      const starts: N[] = [];
      let covered: N | null = null;
      for (const i of order) {
        const s = rows.starts[i], e = rows.ends[i];
        if (covered !== null && e <= covered) { clipped++; continue; }
        if (covered !== null && s <= covered) { clipped++; starts.push(((covered as bigint) + (one as bigint)) as N); } else starts.push(s);
        kept.push(i);
        covered = e;
      }
      return { order: kept, starts };
    };
    const k4 = keep(rows4, 1);
    this.v4 = {
      count: k4.order.length,
      startHi: Uint32Array.from(k4.starts),
      endHi: Uint32Array.from(k4.order, (i) => rows4.ends[i]),
      values: Uint32Array.from(k4.order, (i) => rows4.values[i]),
    };
    const k6 = keep(rows6, 1n);
    this.v6 = {
      count: k6.order.length,
      startHi: BigUint64Array.from(k6.starts, (v) => v >> 64n),
      startLo: BigUint64Array.from(k6.starts, (v) => v & MASK64),
      endHi: BigUint64Array.from(k6.order, (i) => rows6.ends[i] >> 64n),
      endLo: BigUint64Array.from(k6.order, (i) => rows6.ends[i] & MASK64),
      values: Uint32Array.from(k6.order, (i) => rows6.values[i]),
    };
    this.names = names;
    this.stats = { rows: this.v4.count + this.v6.count, ipv4: this.v4.count, ipv6: this.v6.count, clipped };
  }

  /** The row value covering the address (ASN, or packed country), undefined when no row does. */
  private find(ip: ParsedIp): number | undefined {
    if (ip.family === 4) {
      const { startHi, endHi, values, count } = this.v4;
      const a = Number(ip.value);
      let lo = 0, hi = count - 1, at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if ((startHi[mid] as number) <= a) { at = mid; lo = mid + 1; } else hi = mid - 1;
      }
      return at >= 0 && a <= (endHi[at] as number) ? values[at] : undefined;
    }
    const { startHi, startLo, endHi, endLo, values, count } = this.v6;
    const h = ip.value >> 64n, l = ip.value & MASK64;
    let lo = 0, hi = count - 1, at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const sh = startHi[mid] as bigint;
      if (sh < h || (sh === h && startLo![mid] <= l)) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (at < 0) return undefined;
    const eh = endHi[at] as bigint;
    return h < eh || (h === eh && l <= endLo![at]) ? values[at] : undefined;
  }

  /** ASN tables: the AS of the address, null when no row covers it. */
  asnOf(ip: ParsedIp): { asn: number; name: string | null } | null {
    const v = this.find(ip);
    return v === undefined ? null : { asn: v, name: this.names.get(v) ?? null };
  }

  /** Country tables: the country of the address, null when no row covers it. */
  countryOf(ip: ParsedIp): string | null {
    const v = this.find(ip);
    return v === undefined ? null : String.fromCharCode(v >>> 8, v & 0xff);
  }
}

function isSorted(starts: readonly (number | bigint)[]): boolean {
  for (let i = 1; i < starts.length; i++) if (starts[i] < starts[i - 1]) return false;
  return true;
}

/** A CSV field: plain, or double-quoted with "" for a quote. Returns the value and the index after it. */
function field(line: string, from: number): [string, number] {
  if (line.charCodeAt(from) !== 34 /* " */) {
    const comma = line.indexOf(',', from);
    return comma < 0 ? [line.slice(from), line.length] : [line.slice(from, comma), comma];
  }
  let out = '';
  let i = from + 1;
  for (;;) {
    const quote = line.indexOf('"', i);
    if (quote < 0) throw new Error('unterminated quoted field');
    out += line.slice(i, quote);
    if (line.charCodeAt(quote + 1) === 34) { out += '"'; i = quote + 2; continue; }
    if (quote + 1 < line.length && line.charCodeAt(quote + 1) !== 44) throw new Error('text after a quoted field');
    return [out, quote + 1];
  }
}

const DIGITS = /^\d{1,39}$/;

const V4_LIMIT = 2 ** 32;
const V6_LIMIT = 1n << 128n;

/** IPv4 as a number (the hot path: no bigint), IPv6 as a bigint; null when not an address. */
function address(text: string, numericFamily: 4 | 6): { family: 4; value: number } | { family: 6; value: bigint } | null {
  if (DIGITS.test(text)) {
    if (numericFamily === 4) {
      const value = Number(text);
      return value < V4_LIMIT ? { family: 4, value } : null;
    }
    const value = BigInt(text);
    return value < V6_LIMIT ? { family: 6, value } : null;
  }
  const ip = parseIp(text);
  if (!ip) return null;
  return ip.family === 4 ? { family: 4, value: Number(ip.value) } : { family: 6, value: ip.value };
}

/**
 * Parses a whole CSV file of the kind. `file` names it in errors (and its name decides the family of
 * numeric addresses). Throws RangeCsvError naming the file and line of the first bad row.
 */
export function parseRangeCsv(text: string, file: string, kind: RangeKind): RangeTable {
  const numericFamily = /ipv6/i.test(file.split(/[\\/]/).pop() ?? '') ? 6 : 4;
  const rows4 = new RangeColumns<number>();
  const rows6 = new RangeColumns<bigint>();
  const names = new Map<number, string>();
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.charCodeAt(nl - 1) === 13 ? text.slice(pos, nl - 1) : text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line === '') continue;
    const bad = (problem: string) => new RangeCsvError(file, lineNo, problem, line);
    let fields: string[] = [];
    if (!line.includes('"')) fields = line.split(',');
    else try {
      for (let at = 0; ; ) {
        const [value, next] = field(line, at);
        fields.push(value);
        if (next >= line.length) break;
        at = next + 1;
        if (at === line.length) { fields.push(''); break; }
      }
    } catch (err) {
      throw bad((err as Error).message);
    }
    const want = kind === 'asn' ? 4 : 3;
    if (fields.length !== want) throw bad(`expected ${want} fields (${kind === 'asn' ? 'start,end,asn,name' : 'start,end,country'}), got ${fields.length}`);
    const start = address(fields[0], numericFamily);
    const end = address(fields[1], numericFamily);
    if (!start) throw bad(`range start is not an address: ${JSON.stringify(fields[0])}`);
    if (!end || end.family !== start.family) throw bad(`range end is not an address of the start's family: ${JSON.stringify(fields[1])}`);
    if (end.value < start.value) throw bad('range end lies before its start');
    let value: number;
    if (kind === 'asn') {
      const asn = /^\d{1,10}$/.test(fields[2]) ? Number(fields[2]) : NaN;
      if (!(asn <= MAX_ASN)) throw bad(`AS number must be an integer 0..${MAX_ASN}, got ${JSON.stringify(fields[2])}`);
      value = asn;
      if (!names.has(asn)) {
        const name = fields[3].trim();
        // A copy: a slice would keep the whole file's text alive (V8 sliced strings).
        if (name !== '') names.set(asn, Buffer.from(name, 'utf8').toString('utf8'));
      }
    } else {
      if (!COUNTRY.test(fields[2])) throw bad(`country must be an ISO 3166-1 alpha-2 code, got ${JSON.stringify(fields[2])}`);
      value = (fields[2].charCodeAt(0) << 8) | fields[2].charCodeAt(1);
    }
    if (start.family === 4) rows4.push(start.value, end.value as number, value);
    else rows6.push(start.value, end.value as bigint, value);
  }
  if (rows4.starts.length + rows6.starts.length === 0) throw new RangeCsvError(file, 0, 'no rows', '');
  return new RangeTable(kind, rows4, rows6, names);
}
