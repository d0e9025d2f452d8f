/**
 * PeeringDB dump benchmark at PeeringDB's real scale (about 1,100 ix, 1,300 ixlan and 2,500 ixpfx
 * objects in 2026): a synthetic dump of the same shape (the API's field set, documentation
 * address ranges), timed: read + parse + prefix table, then lookups; heap growth of the table.
 * A full dump also holds the other objects (net, netixlan, fac, ...), which the reader parses and
 * ignores: `--netixlan N` adds N netixlan objects (PeeringDB has some 60,000) to measure that.
 * Run: NODE_OPTIONS=--expose-gc npx tsx bench/geo/peeringdb.ts [--ixps N --lans N --prefixes N --netixlan N --lookups N]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { IxpTable, loadPeeringDb } from '../../lib/geo/peeringdb';
import { arg } from '../args';

const STAMP = '2026-06-01T00:00:00Z';

/** A dump in the API's shape: ix i, ixlan j of ix ((j-1) mod ixps)+1, prefixes spread over the
 *  LANs, two IPv4 /24 (in 100.64.0.0/10) for every IPv6 /64 (in 2001:db8::/32). */
export function syntheticPeeringDbDump(n: { ixps: number; lans: number; prefixes: number }): Record<string, { data: Record<string, unknown>[] }> {
  const countries = ['DE', 'NL', 'GB', 'US', 'SG', 'JP', 'BR', 'ZA', 'FR', 'HK'];
  const ix = Array.from({ length: n.ixps }, (_, i) => ({
    id: i + 1, org_id: 10000 + i, name: `Exchange ${i + 1}`, aka: '', name_long: `Synthetic Internet Exchange ${i + 1}`, city: `City ${i % 300}`,
    country: countries[i % countries.length], region_continent: 'Europe', media: 'Ethernet', proto_unicast: true, proto_ipv6: true,
    net_count: i % 500, fac_count: i % 20, created: STAMP, updated: STAMP, status: 'ok',
  }));
  const ixlan = Array.from({ length: n.lans }, (_, j) => ({
    id: j + 1, ix_id: (j % n.ixps) + 1, name: '', descr: '', mtu: 1500, dot1q_support: false, rs_asn: 64512 + (j % 1000), created: STAMP, updated: STAMP, status: 'ok',
  }));
  let v4 = 0;
  let v6 = 0;
  const ixpfx = Array.from({ length: n.prefixes }, (_, k) => {
    const ipv6 = k % 3 === 2;
    const prefix = ipv6 ? `2001:db8:${(v6++).toString(16)}::/64` : `100.${64 + Math.floor(v4 / 256)}.${v4++ % 256}.0/24`;
    return { id: k + 1, ixlan_id: (k % n.lans) + 1, protocol: ipv6 ? 'IPv6' : 'IPv4', prefix, in_dfz: true, created: STAMP, updated: STAMP, status: 'ok' };
  });
  return { ix: { data: ix }, ixlan: { data: ixlan }, ixpfx: { data: ixpfx } };
}

/** Written from a function of its own, so the objects are garbage before the heap is measured. */
function writeDump(file: string, counts: { ixps: number; lans: number; prefixes: number }, netixlan: number): void {
  const others = Array.from({ length: netixlan }, (_, i) => ({
    id: i + 1, net_id: 1 + (i % 30000), ix_id: 1 + (i % counts.ixps), name: `Exchange ${1 + (i % counts.ixps)}`, ixlan_id: 1 + (i % counts.lans), notes: '', speed: 10000,
    asn: 64512 + (i % 30000), ipaddr4: `100.64.${i % 256}.${i % 250}`, ipaddr6: `2001:db8::${(i % 65535).toString(16)}`, is_rs_peer: true, bfd_support: false, operational: true,
    created: STAMP, updated: STAMP, status: 'ok',
  }));
  fs.writeFileSync(file, JSON.stringify({ ...syntheticPeeringDbDump(counts), netixlan: { data: others } }));
}

function main(): void {
  const counts = { ixps: Number(arg('--ixps', '1100')), lans: Number(arg('--lans', '1300')), prefixes: Number(arg('--prefixes', '2500')) };
  const lookups = Number(arg('--lookups', '100000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-bench-pdb-'));
  try {
    const file = path.join(dir, 'peeringdb.json');
    const netixlan = Number(arg('--netixlan', '0'));
    writeDump(file, counts, netixlan);
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const table = new IxpTable([loadPeeringDb(file)]);
    const loadMs = performance.now() - t0;
    // Memory: ten more tables kept alive at once, so the per-table figure stands out of the noise.
    const kept = Array.from({ length: 10 }, () => new IxpTable([loadPeeringDb(file)]));
    global.gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6 / (kept.length + 1);
    const addresses = Array.from({ length: lookups }, (_, i) => (i % 3 === 2 ? `2001:db8:${(i % 900).toString(16)}::${i % 97}` : `100.${64 + (i % 8)}.${i % 256}.${i % 250}`));
    const t1 = performance.now();
    let hits = 0;
    for (const a of addresses) if (table.lookup(a)) hits += 1;
    const lookupMs = performance.now() - t1;
    console.log(`dump ${(fs.statSync(file).size / 1e6).toFixed(2)} MB: ${counts.ixps} ix, ${counts.lans} ixlan, ${counts.prefixes} ixpfx, ${netixlan} netixlan -> ${table.size} prefixes`);
    console.log(`load (read + parse + table): ${loadMs.toFixed(1)} ms; heap per loaded table ${heapMb.toFixed(2)} MB${global.gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
    console.log(`${lookups} lookups of ${new Set(addresses).size} distinct addresses (${hits} hits; repeats answered from the per-address cache): ${lookupMs.toFixed(1)} ms = ${((1000 * lookupMs) / lookups).toFixed(2)} us each`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
