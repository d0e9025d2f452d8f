/**
 * Synthesises a paper-shaped dataset: the 28 PlanetLab nodes of configs/nodes/planetlab-2015.yaml,
 * all 406 unordered pairs (self-pairs included) x 4 apps = 1624 matador.measurement/v1 records,
 * with traceroute-like hops (addresses from 198.18.0.0/15, a /24 per country, RTTs growing with
 * distance, some silent hops) along routes that follow what the paper reports for the network
 * path: Israel reaches the rest of Asia through Europe and the U.S.; Argentina-Brazil goes via
 * the U.S.; most European pairs meet in London; Hong Kong reaches Japan, Korea and Thailand
 * through mainland China (made up, to get the paper's 10 of 28 China-accessible Asian paths);
 * other routes go through regional hubs. With these routes the network column reproduces the
 * paper's Tables 2 and 3 where the paper gives network numbers. Used by the report benchmark and the paper-shaped report test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { defaultM49 } from '../../lib/config/geo-tables';
import { distanceKm } from '../../lib/geo/plausibility';
import { configsDir } from '../../lib/project-paths';
import type { Hop, MeasurementRecord, PlannedNode, Trace } from '../../lib/types';

export const PAPER_APPS = ['textsecure', 'threema', 'wechat', 'whatsapp'] as const;
/** Where each service's servers are (paper section 4): the app path goes to that country. */
const SERVER_COUNTRY: Record<string, string> = { textsecure: 'US', threema: 'CH', wechat: 'CN', whatsapp: 'US' };
const HUB: Record<string, string> = { Europe: 'DE', Americas: 'US', Asia: 'SG', Oceania: 'AU' };
const VIA_CHINA = new Set(['HK|JP', 'HK|KR', 'HK|TH']);
/** European neighbours peering directly although in different subregions. */
const EUROPE_DIRECT = new Set(['DE|PL', 'CZ|DE']);
const COUNTRY_POINT: Record<string, { lat: number; lon: number }> = { DE: { lat: 50.11, lon: 8.68 }, US: { lat: 39.04, lon: -77.49 }, SG: { lat: 1.35, lon: 103.82 }, AU: { lat: -33.87, lon: 151.21 }, CN: { lat: 31.23, lon: 121.47 }, CH: { lat: 47.38, lon: 8.54 }, GB: { lat: 51.51, lon: -0.13 } };

export function loadPaperNodes(): PlannedNode[] {
  const doc = parseYaml(fs.readFileSync(path.join(configsDir, 'nodes', 'planetlab-2015.yaml'), 'utf8')) as { nodes: PlannedNode[] };
  return doc.nodes;
}

const m49 = defaultM49();
const region = (country: string): string => m49.countryInfo(country)?.region ?? '?';

/** Countries along the network route from a to b (endpoints included). */
export function routeCountries(a: string, b: string): string[] {
  if (a === b) return [a];
  const key = [a, b].sort().join('|');
  if ((a === 'IL' || b === 'IL') && region(a) === 'Asia' && region(b) === 'Asia') return a === 'IL' ? [a, 'DE', 'US', b] : [a, 'US', 'DE', b];
  if (key === 'AR|BR') return [a, 'US', b];
  if (VIA_CHINA.has(key)) return [a, 'CN', b];
  // Inside Europe: neighbours in one subregion peer directly, the rest meet in London (the
  // paper's "Poland - UK - Spain"): that gives its 86 of 120 Five Eyes accessible paths.
  if (region(a) === 'Europe' && region(b) === 'Europe' && a !== 'GB' && b !== 'GB') {
    const direct = m49.countryInfo(a)?.subregion === m49.countryInfo(b)?.subregion || EUROPE_DIRECT.has(key);
    return direct ? [a, b] : [a, 'GB', b];
  }
  if (region(a) === region(b)) return [a, b];
  const ha = HUB[region(a)] ?? 'US';
  const hb = HUB[region(b)] ?? 'US';
  return [...new Set([a, ha, hb, b])];
}

/** Small deterministic PRNG (mulberry32) so every run generates the same dataset. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function countryIndex(code: string): number {
  return (code.charCodeAt(0) - 65) * 26 + (code.charCodeAt(1) - 65);
}

function buildTrace(from: 'A' | 'B', start: { lat: number; lon: number }, countries: string[], target: string, protocol: Trace['protocol'], rand: () => number, points: Record<string, { lat: number; lon: number }>): Trace {
  const hops: Hop[] = [];
  let ttl = 1;
  for (const country of countries) {
    const at = points[country] ?? COUNTRY_POINT[country] ?? start;
    const baseRtt = (2 * distanceKm(start, at)) / 200 + 0.5;
    const count = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < count; i++, ttl++) {
      if (rand() < 0.08) {
        hops.push({ ttl, ip: null, rttMs: [], country: null });
        continue;
      }
      const idx = countryIndex(country);
      const ip = `198.${18 + (idx >> 8 > 0 ? 1 : 0)}.${idx & 0xff}.${1 + Math.floor(rand() * 250)}`;
      const rtt = +(baseRtt * (1.2 + rand()) + i).toFixed(2);
      hops.push({ ttl, ip, rttMs: [rtt, +(rtt + rand()).toFixed(2), +(rtt + rand() * 2).toFixed(2)], country });
    }
  }
  return { from, target, protocol, port: protocol === 'icmp' ? null : 443, hops, tool: 'scamper' };
}

export function generatePaperDataset(options: { seed?: number; campaign?: string } = {}): MeasurementRecord[] {
  const rand = prng(options.seed ?? 2015);
  const campaign = options.campaign ?? 'paper-2015';
  const nodes = loadPaperNodes();
  const points: Record<string, { lat: number; lon: number }> = Object.fromEntries(nodes.map((n) => [n.country, { lat: n.latitude, lon: n.longitude }]));
  const records: MeasurementRecord[] = [];
  let clock = Date.parse('2015-09-30T08:00:00Z');
  for (const app of PAPER_APPS) {
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i; j < nodes.length; j++) {
        const [a, b] = [nodes[i], nodes[j]];
        const pa = { lat: a.latitude, lon: a.longitude };
        const pb = { lat: b.latitude, lon: b.longitude };
        const server = SERVER_COUNTRY[app];
        const startedAt = new Date(clock).toISOString();
        clock += 7 * 60_000 + Math.floor(rand() * 180_000);
        const finishedAt = new Date(clock).toISOString();
        records.push({
          schema: 'matador.measurement/v1',
          campaign,
          measurementId: `${campaign}/${app}/${a.id}/${b.id}`,
          app,
          status: 'ok',
          failure: null,
          startedAt,
          finishedAt,
          nodeA: { id: a.id, country: a.country },
          nodeB: { id: b.id, country: b.country },
          networkPath: {
            traces: [
              buildTrace('A', pa, routeCountries(a.country, b.country), `198.19.${i}.1`, 'icmp', rand, points),
              buildTrace('B', pb, routeCountries(b.country, a.country), `198.19.${j}.2`, 'icmp', rand, points),
            ],
          },
          applicationPath: {
            traces: [
              buildTrace('A', pa, routeCountries(a.country, server), `198.19.200.${PAPER_APPS.indexOf(app) + 1}`, 'tcp', rand, points),
              buildTrace('B', pb, routeCountries(b.country, server), `198.19.200.${PAPER_APPS.indexOf(app) + 1}`, 'tcp', rand, points),
            ],
          },
        });
      }
    }
  }
  return records;
}
