/**
 * PeeringDB dump benchmark at PeeringDB's real scale (about 1,100 ix, 1,300 ixlan and 2,500 ixpfx
 * objects in 2026): a synthetic dump of the same shape (the API's field set, documentation
 * address ranges), timed: read + parse + prefix table, then lookups; heap growth of the table.
 * Run: npx tsx bench/geo/peeringdb.ts [--ixps N --lans N --prefixes N --lookups N]
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

function main(): void {
  const counts = { ixps: Number(arg('--ixps', '1100')), lans: Number(arg('--lans', '1300')), prefixes: Number(arg('--prefixes', '2500')) };
  const lookups = Number(arg('--lookups', '100000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-bench-pdb-'));
  try {
    const file = path.join(dir, 'peeringdb.json');
    fs.writeFileSync(file, JSON.stringify(syntheticPeeringDbDump(counts)));
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const table = new IxpTable([loadPeeringDb(file)]);
    const loadMs = performance.now() - t0;
    global.gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    const addresses = Array.from({ length: lookups }, (_, i) => (i % 3 === 2 ? `2001:db8:${(i % 900).toString(16)}::${i % 97}` : `100.${64 + (i % 8)}.${i % 256}.${i % 250}`));
    const t1 = performance.now();
    let hits = 0;
    for (const a of addresses) if (table.lookup(a)) hits += 1;
    const lookupMs = performance.now() - t1;
    console.log(`dump ${(fs.statSync(file).size / 1e6).toFixed(2)} MB: ${counts.ixps} ix, ${counts.lans} ixlan, ${counts.prefixes} ixpfx -> ${table.size} prefixes`);
    console.log(`load (read + parse + table): ${loadMs.toFixed(1)} ms; heap after load +${heapMb.toFixed(1)} MB${global.gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
    console.log(`${lookups} lookups of ${new Set(addresses).size} distinct addresses (${hits} hits; repeats answered from the per-address cache): ${lookupMs.toFixed(1)} ms = ${((1000 * lookupMs) / lookups).toFixed(2)} us each`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
