/**
 * AS tables benchmark (issue 12): load time and memory of the default IP-to-ASN and
 * registration-country tables (@ip-location-db/asn, @ip-location-db/asn-country), lookup time,
 * and coverage of random public IPv4 addresses. Fresh process, nothing else loaded.
 * Run: npx tsx bench/geo/asn.ts [--lookups N] [--sample N]
 */
import { performance } from 'perf_hooks';
import { asSources } from '../../lib/geo/as-sources';
import { AsLocator } from '../../lib/geo/annotate-as';
import { isSpecialPurpose, parseIp } from '../../lib/geo/ip';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LOOKUPS = arg('--lookups', 100_000);
const SAMPLE = arg('--sample', 20_000);

/** Deterministic pseudo-random addresses (xorshift32), so runs compare. */
function* randomPublicIPv4(seed = 12345): Generator<string> {
  let x = seed;
  for (;;) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const v = x >>> 0;
    const ip = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    if (!isSpecialPurpose(parseIp(ip)!)) yield ip;
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
global.gc?.();
const before = process.memoryUsage();
const { asn, registration } = asSources({});
for (const [what, list] of [['asn', asn], ['registration', registration]] as const) {
  for (const s of list) {
    const t0 = performance.now();
    const tables = s.tables();
    const ms = performance.now() - t0;
    const rows = tables.reduce((n, t) => n + t.stats.rows, 0);
    const clipped = tables.reduce((n, t) => n + t.stats.clipped, 0);
    console.log(`${what}: ${s.source} (${s.databaseDate}): ${rows} rows (${tables.map((t) => `${t.stats.ipv4} IPv4 + ${t.stats.ipv6} IPv6`).join(', ')}), ${clipped} overlapping rows clipped, loaded in ${ms.toFixed(0)} ms`);
  }
}
global.gc?.();
const after = process.memoryUsage();
console.log(`memory after loading: rss +${mb(after.rss - before.rss)}, heap +${mb(after.heapUsed - before.heapUsed)}, array buffers +${mb(after.arrayBuffers - before.arrayBuffers)}`);

// Lookups straight on the tables (no per-address cache): the AsLocator caches per address.
const gen = randomPublicIPv4();
const ips = Array.from({ length: LOOKUPS }, () => parseIp(gen.next().value as string)!);
const t0 = performance.now();
let found = 0;
for (const ip of ips) if (asn[0].tables().some((t) => t.asnOf(ip) !== null)) found++;
const perLookup = ((performance.now() - t0) * 1000) / LOOKUPS;
console.log(`${LOOKUPS} ASN lookups of random public IPv4 addresses: ${perLookup.toFixed(2)} µs each`);

const locator = new AsLocator({ asn, registration });
const sample = randomPublicIPv4(777);
let withAsn = 0, withRegistration = 0;
for (let i = 0; i < SAMPLE; i++) {
  const info = locator.lookup(sample.next().value as string);
  if (info.asn !== null) withAsn++;
  if (info.registrationCountry !== null) withRegistration++;
}
console.log(`coverage of ${SAMPLE} random public IPv4 addresses: ASN ${((100 * withAsn) / SAMPLE).toFixed(1)} %, registration country ${((100 * withRegistration) / SAMPLE).toFixed(1)} % (${found} of the ${LOOKUPS} lookup addresses had an ASN)`);
