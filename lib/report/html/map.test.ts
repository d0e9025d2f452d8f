import * as fs from 'fs';
import * as path from 'path';
import type { MeasurementRecord, Trace } from '../../types';
import { measurementGeo, projectedPoints, traceCountries, worldSvg } from './map';
import { loadWorldData } from './world-data';

const hop = (ttl: number, ip: string | null, country: string | null) => ({ ttl, ip, rttMs: [], country });
const trace = (from: 'A' | 'B', hops: Trace['hops']): Trace => ({ from, target: '192.0.2.9', protocol: 'tcp', port: 443, hops });
const GOLDEN = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'report', 'brexit-five-eyes', 'input.jsonl');
const record = {
  ...(JSON.parse(fs.readFileSync(GOLDEN, 'utf8').split('\n')[0]) as MeasurementRecord),
  nodeA: { id: 'pl-waw', country: 'PL' },
  nodeB: { id: 'es-mad', country: 'ES' },
  // TTL order, silent and unlocated hops skipped, repeats collapsed; a hop with a country but no address is ignored
  networkPath: { traces: [trace('A', [hop(2, '192.0.2.2', 'GB'), hop(1, '192.0.2.1', 'PL'), hop(3, null, 'FR'), hop(4, '192.0.2.4', null), hop(5, '192.0.2.5', 'GB'), hop(6, '192.0.2.6', 'ES')])] },
  applicationPath: { traces: [trace('A', [hop(1, '192.0.2.1', 'DE'), hop(2, '192.0.2.7', 'CH')]), trace('B', [hop(1, '192.0.2.8', 'ES'), hop(2, null, null)])] },
} as MeasurementRecord;

describe('measurementGeo', () => {
  it('follows each trace from its node through the located hops, stopping where the trace stopped', () => {
    expect(traceCountries(record.networkPath.traces[0], record)).toEqual(['PL', 'GB', 'ES']);
    const geo = measurementGeo(record);
    expect(geo).toMatchObject({ net: [['PL', 'GB', 'ES']], appA: [['PL', 'DE', 'CH']], appB: [['ES']], netCountries: ['ES', 'GB', 'PL'], appCountries: ['CH', 'DE', 'ES', 'PL'] });
    // endpoints: the last responding hop of each application trace (side B's silent hop 2 does not count)
    expect(geo.ends).toEqual(['CH', 'ES']);
    expect(geo.nodes).toEqual([
      { id: 'pl-waw', cc: 'PL', side: 'A' },
      { id: 'es-mad', cc: 'ES', side: 'B' },
    ]);
  });
});

describe('the map', () => {
  const world = loadWorldData();
  it('projects the reference points of known countries only', () => {
    const points = projectedPoints(['PL', 'ES', 'ZZ', 'PL'], world);
    expect(Object.keys(points)).toEqual(['ES', 'PL']);
    expect(points.PL[0]).toBeGreaterThan(points.ES[0]); // Warsaw east of Madrid
    expect(points.PL[1]).toBeLessThan(points.ES[1]); // and north
  });

  it('is an inline SVG with a path per country (data-cc) and empty arc layers', () => {
    const svg = worldSvg(world);
    expect(svg).toMatch(/^<svg id="map" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 960 500"/);
    expect(svg).toContain('data-cc="DE"><title>Germany</title>');
    expect(svg).toContain('<g id="arcs"></g><g id="marks"></g></svg>');
  });
});
