/**
 * IXP peering LANs from a PeeringDB JSON dump: the `ix`, `ixlan` and `ixpfx` objects exactly as
 * PeeringDB's API returns them, each `{ "data": [ ... ] }` at the top level of the dump (CAIDA's
 * PeeringDB dumps have this shape; other objects such as `net` or `netixlan` are ignored).
 * ixpfx.prefix -> ixpfx.ixlan_id -> ixlan.ix_id -> ix (name, city, country) becomes a
 * longest-prefix table of IxpMark (lib/types.ts), IPv4 and IPv6 alike.
 *
 * Decisions:
 *  - a dump whose shape is wrong (not JSON, a missing list, an entry without integer id, a prefix
 *    that is not CIDR, a protocol that does not match the prefix) is refused with one line naming
 *    the file and the entry (`ixpfx.data[12].prefix`): a half-read dump would silently hide IXPs;
 *  - references that lead nowhere (an ixpfx whose ixlan is not in the dump, an ixlan whose ix is
 *    not) are skipped and counted (`skipped` in the summary): PeeringDB's own exports contain such
 *    rows when an object was deleted between the per-object queries, and one stale row is no
 *    reason to refuse the rest; objects whose `status` is present and not "ok" are skipped too;
 *  - a country that is not an ISO 3166-1 alpha-2 code, an empty city: null (unknown, never a guess);
 *  - the same prefix in two dumps (or twice in one): the later one wins, as with corrections;
 *  - the data date is the newest `updated` timestamp of the objects read: what the dump itself
 *    says about how current it is (null when no object has one).
 * The only file access is `loadIxpTable` (read once per process per list of files).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Hop, IxpMark, Trace } from '../types';
import { parseCidr, parseIp, PrefixTable } from './ip';
import { ATTRIBUTIONS } from './attributions';

/** Attribution the geolocation provenance carries for IXP data. */
export const PEERINGDB_ATTRIBUTION = ATTRIBUTIONS.peeringdb;

export interface PeeringDbDump {
  /** the file as it was given (IxpMark.source is its base name) */
  file: string;
  /** IXPs that have at least one usable prefix */
  ixps: number;
  prefixes: { prefix: string; mark: IxpMark }[];
  skipped: { danglingIxpfx: number; danglingIxlan: number; notOk: number };
  /** newest `updated` of the objects read (ISO date), null when none has one */
  dataDate: string | null;
  attribution: string;
}

/** What GeolocationInfo.peeringdb records per dump. */
export type PeeringDbSummary = Omit<PeeringDbDump, 'prefixes'> & { prefixes: number };

type Entry = Record<string, unknown>;
const COUNTRY = /^[A-Z]{2}$/;

function listOf(doc: Entry, key: string, file: string): Entry[] {
  const obj = doc[key];
  const data = obj && typeof obj === 'object' ? (obj as Entry).data : undefined;
  if (!Array.isArray(data)) throw new Error(`${file}: ${key}.data must be a list (a PeeringDB dump has ix, ixlan and ixpfx, each { "data": [...] })`);
  data.forEach((e, i) => {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new Error(`${file}: ${key}.data[${i}] must be an object`);
  });
  return data as Entry[];
}

function intField(e: Entry, field: string, where: string): number {
  const v = e[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${where}.${field} must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function textOrNull(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

export function parsePeeringDb(text: string, file: string): PeeringDbDump {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not a PeeringDB JSON dump: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: not a PeeringDB JSON dump: the top level must be an object`);
  const lists = { ix: listOf(doc as Entry, 'ix', file), ixlan: listOf(doc as Entry, 'ixlan', file), ixpfx: listOf(doc as Entry, 'ixpfx', file) };
  const skipped = { danglingIxpfx: 0, danglingIxlan: 0, notOk: 0 };
  let newest = '';
  const usable = (e: Entry): boolean => {
    if (typeof e.updated === 'string' && e.updated > newest) newest = e.updated;
    if (e.status === undefined || e.status === 'ok') return true;
    skipped.notOk += 1;
    return false;
  };

  const ixById = new Map<number, Entry>();
  lists.ix.forEach((e, i) => {
    const where = `${file}: ix.data[${i}]`;
    const id = intField(e, 'id', where);
    if (typeof e.name !== 'string' || e.name === '') throw new Error(`${where}.name must be a non-empty string, got ${JSON.stringify(e.name)}`);
    if (usable(e)) ixById.set(id, e);
  });
  const ixOfLan = new Map<number, number>();
  lists.ixlan.forEach((e, i) => {
    const where = `${file}: ixlan.data[${i}]`;
    const id = intField(e, 'id', where);
    const ixId = intField(e, 'ix_id', where);
    if (!usable(e)) return;
    if (!ixById.has(ixId)) skipped.danglingIxlan += 1;
    else ixOfLan.set(id, ixId);
  });
  const source = path.basename(file);
  const prefixes: PeeringDbDump['prefixes'] = [];
  const ixps = new Set<number>();
  lists.ixpfx.forEach((e, i) => {
    const where = `${file}: ixpfx.data[${i}]`;
    intField(e, 'id', where);
    const lanId = intField(e, 'ixlan_id', where);
    if (typeof e.prefix !== 'string') throw new Error(`${where}.prefix must be a CIDR string, got ${JSON.stringify(e.prefix)}`);
    let family: 4 | 6;
    try {
      family = parseCidr(e.prefix).family;
    } catch (err) {
      throw new Error(`${where}.prefix: ${(err as Error).message}`);
    }
    if (e.protocol !== undefined && e.protocol !== `IPv${family}`) throw new Error(`${where}.protocol is ${JSON.stringify(e.protocol)} but prefix ${e.prefix} is IPv${family}`);
    if (!usable(e)) return;
    const ixId = ixOfLan.get(lanId);
    const ix = ixId === undefined ? undefined : ixById.get(ixId);
    if (ixId === undefined || !ix) {
      skipped.danglingIxpfx += 1;
      return;
    }
    const country = textOrNull(ix.country);
    ixps.add(ixId);
    prefixes.push({
      prefix: e.prefix,
      mark: { ixId, name: ix.name as string, country: country && COUNTRY.test(country) ? country : null, city: textOrNull(ix.city), prefix: e.prefix, source },
    });
  });
  const date = /^\d{4}-\d{2}-\d{2}/.exec(newest);
  return { file, ixps: ixps.size, prefixes, skipped, dataDate: date ? date[0] : null, attribution: PEERINGDB_ATTRIBUTION };
}

/** Longest-prefix lookup over the peering LANs of one or more dumps (later dumps win ties). */
export class IxpTable {
  private readonly table = new PrefixTable<IxpMark>();
  private readonly cache = new Map<string, IxpMark | null>();
  readonly summaries: PeeringDbSummary[];

  constructor(dumps: readonly PeeringDbDump[]) {
    for (const d of dumps) for (const p of d.prefixes) this.table.set(parseCidr(p.prefix), p.mark);
    this.summaries = dumps.map(({ prefixes, ...rest }) => ({ ...rest, prefixes: prefixes.length }));
  }

  /** The IXP whose peering LAN holds the address; null when none (or not an address). */
  lookup(ip: string): IxpMark | null {
    let hit = this.cache.get(ip);
    if (hit === undefined) {
      const parsed = parseIp(ip);
      hit = (parsed && this.table.lookup(parsed)) ?? null;
      this.cache.set(ip, hit);
    }
    return hit && { ...hit };
  }

  get size(): number {
    return this.table.size;
  }
}

/** Reads one dump file; errors name the file (one line). */
export function loadPeeringDb(file: string): PeeringDbDump {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read PeeringDB dump ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parsePeeringDb(text, file);
}

const loaded = new Map<string, IxpTable>();

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1; // unreadable: loadPeeringDb says why
  }
}

/** The table of these dumps, read once per process per list of files (again when one of them
 *  changed: an emulated world rewrites its dump at every `testbed up`). */
export function loadIxpTable(files: readonly string[]): IxpTable {
  const key = files.map((f) => `${f}\u0000${mtimeOf(f)}`).join('\n');
  let table = loaded.get(key);
  if (!table) {
    table = new IxpTable(files.map(loadPeeringDb));
    loaded.set(key, table);
  }
  return table;
}

/**
 * The trace with `ixp` set on every hop address (the hop's `ip` and each of `otherInterfaces`):
 * the IXP mark or null. A hop without address gets null: nothing to look up, nothing crossed.
 */
export function markIxps(trace: Trace, table: IxpTable): Trace {
  const hop = (h: Hop): Hop => ({
    ...h,
    ixp: h.ip ? table.lookup(h.ip) : null,
    ...(h.otherInterfaces ? { otherInterfaces: h.otherInterfaces.map((i) => ({ ...i, ixp: table.lookup(i.ip) })) } : {}),
  });
  return { ...trace, hops: trace.hops.map(hop) };
}
