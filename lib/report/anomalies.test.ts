/**
 * Path anomalies in the report, with hand-made records: an IXP counts when its country lies
 * outside the area (not when it is unknown); boomerangs and detours per column; a record with
 * stored anomalies is taken as stored, an old record without them (and without IXP marks) gets
 * them computed, and both go through the JSONL reader like an export.
 */
import { defaultInterestGroups, defaultM49 } from '../config/geo-tables';
import { pathAnomalies } from '../analysis/anomalies';
import type { Hop, IxpMark, MeasurementRecord } from '../types';
import { buildReport } from './build';
import { reportToCsv, reportToMarkdown } from './format';
import { parseMeasurementLines } from './parse';

const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
const lax: IxpMark = { ixId: 900001, name: 'LAX-IX', country: 'US', city: 'Los Angeles', prefix: '198.18.9.1/32', source: 'peeringdb.json' };
const fra: IxpMark = { ixId: 900002, name: 'FRA-IX', country: 'DE', city: 'Frankfurt', prefix: '198.18.2.1/32', source: 'peeringdb.json' };
const nowhere: IxpMark = { ixId: 5, name: 'No country IX', country: null, city: null, prefix: '198.18.7.0/24', source: 'peeringdb.json' };

let n = 0;
const hop = (country: string, ixp?: IxpMark | null): Hop => ({ ttl: ++n, ip: `192.0.2.${n}`, rttMs: [1], country, ...(ixp !== undefined ? { ixp } : {}) });
function record(a: [string, string], b: [string, string], network: Hop[], application: Hop[], store: boolean): MeasurementRecord {
  const r: MeasurementRecord = {
    schema: 'matador.measurement/v1', campaign: 'x', measurementId: `x/signal/${a[0]}/${b[0]}`, app: 'signal', status: 'ok', failure: null,
    startedAt: '2026-06-01T10:00:00Z', finishedAt: '2026-06-01T10:05:00Z', nodeA: { id: a[0], country: a[1] }, nodeB: { id: b[0], country: b[1] },
    networkPath: { traces: [{ from: 'A', target: '192.0.2.200', protocol: 'icmp', port: null, hops: network }] },
    applicationPath: { traces: [{ from: 'A', target: '198.51.100.1', protocol: 'tcp', port: 443, hops: application }] },
  };
  return store ? { ...r, anomalies: pathAnomalies(r) } : r;
}

// SG-SG: the app path goes through the US exchange to CN and back (boomerang, IXP outside Asia,
// detours US and CN); the network path stays in SG but crosses an IXP of unknown country.
const sgsg = record(['sg-a', 'SG'], ['sg-b', 'SG'], [hop('SG', nowhere), hop('SG')], [hop('SG'), hop('US', lax), hop('CN'), hop('SG')], true);
// JP-SG, an old export: no anomalies field, no IXP marks; the network path goes JP, HK, SG
// (nodes in different countries: no boomerang); the app path adds KR (a detour).
const jpsg = record(['jp-a', 'JP'], ['sg-c', 'SG'], [hop('JP'), hop('HK'), hop('SG')], [hop('JP'), hop('KR'), hop('SG')], false);
// DE-DE: the network path leaves through NL and comes back (boomerang) over the Frankfurt
// exchange, which lies inside Europe.
const dede = record(['de-a', 'DE'], ['de-b', 'DE'], [hop('DE', fra), hop('NL'), hop('DE')], [hop('DE', fra), hop('DE')], true);

const lines = [sgsg, jpsg, dede].map((r) => JSON.stringify(r)).join('\n');
const parsed = parseMeasurementLines(lines, 'export.jsonl');
const report = buildReport(parsed.records, tables);
const area = (name: string) => report.areas.find((a) => a.area === name);

it('counts IXPs outside the area, boomerangs and detours per area and column', () => {
  expect(parsed.records[1]).not.toHaveProperty('anomalies');
  expect(area('Asia')?.network).toMatchObject({ measurements: 2, crossedIxpOutsideArea: 0, boomerangs: 0 });
  expect(area('Asia')?.apps.signal).toMatchObject({ measurements: 2, crossedIxpOutsideArea: 1, boomerangs: 1, detours: 2, detourCountries: { US: 1, CN: 1, KR: 1 } });
  expect(area('South-eastern Asia')?.apps.signal).toMatchObject({ measurements: 1, crossedIxpOutsideArea: 1, boomerangs: 1, detours: 1 });
  expect(area('Europe')?.network).toMatchObject({ measurements: 1, crossedIxpOutsideArea: 0, boomerangs: 1 });
  expect(area('Europe')?.network).not.toHaveProperty('detours');
  expect(area('Europe')?.apps.signal).toMatchObject({ crossedIxpOutsideArea: 0, boomerangs: 0, detours: 0, detourCountries: {} });
});

it('an IXP in the nodes\' region but another subregion is outside the subregion', () => {
  // FRA-IX is in Western Europe; DE-DE is in Europe and Western Europe: inside both.
  expect(area('Western Europe')?.network.crossedIxpOutsideArea).toBe(0);
  const pl = record(['pl-a', 'PL'], ['pl-b', 'PL'], [hop('PL', fra), hop('PL')], [hop('PL')], true);
  const eastern = buildReport([pl], tables).areas.find((a) => a.area === 'Eastern Europe');
  expect(eastern?.network).toMatchObject({ measurements: 1, crossedIxpOutsideArea: 1 });
});

it('shows them in Markdown and CSV', () => {
  const md = reportToMarkdown(report);
  expect(md).toContain('| Asia | region | IXP outside the area | 2 | 0 (0%) | 2 | 1 (50%) |');
  expect(md).toContain('| Asia | region | detour countries | 2 | - | 2 | CN 1, KR 1, US 1 |');
  expect(md).toContain('| Europe | region | boomerang | 1 | 1 (100%) | 1 | 0 (0%) |');
  const csv = reportToCsv(report).split('\n');
  expect(csv).toContain('ixp-outside-area,Asia,region,,signal,2,1,50.0');
  expect(csv).toContain('detour-country,Asia,region,KR,signal,2,1,50.0');
  expect(csv).toContain('boomerang,Europe,region,,network,1,1,100.0');
});

test.each([
  ['a stored anomalies field that is not an object', { anomalies: 'none' }, 'anomalies must be an object {boomerangs, detourCountries, ixpCrossings}'],
  ['a boomerang on an unknown path', { anomalies: { boomerangs: [{ path: 'app' }], detourCountries: [], ixpCrossings: [] } }, 'anomalies.boomerangs[0].path must be "network" or "application", got "app"'],
  ['a detour country that is not a code', { anomalies: { boomerangs: [], detourCountries: ['USA'], ixpCrossings: [] } }, 'anomalies.detourCountries[0] must be an ISO 3166-1 alpha-2 code, got "USA"'],
  ['an IXP crossing without a list', { anomalies: { boomerangs: [], detourCountries: [] } }, 'anomalies.ixpCrossings must be a list'],
  ['an IXP crossing with a numeric country', { anomalies: { boomerangs: [], detourCountries: [], ixpCrossings: [{ path: 'network', ixId: 1, name: 'X', country: 276 }] } }, 'anomalies.ixpCrossings[0].country must be an ISO 3166-1 alpha-2 code or null, got 276'],
  ['a hop IXP mark with a lower-case country', { applicationPath: { traces: [{ from: 'A', target: '198.51.100.1', protocol: 'tcp', port: 443, hops: [{ ttl: 1, ip: '192.0.2.9', rttMs: [1], country: 'US', ixp: { ...lax, country: 'us' } }] }] } }, 'applicationPath.traces[0].hops[0].ixp.country must be an ISO 3166-1 alpha-2 code or null, got "us"'],
  ['a hop IXP mark that is a string', { networkPath: { traces: [{ from: 'A', target: '192.0.2.200', protocol: 'icmp', port: null, hops: [{ ttl: 1, ip: '192.0.2.9', rttMs: [1], country: 'US', ixp: 'LAX-IX' }] }] } }, 'networkPath.traces[0].hops[0].ixp must be an object {ixId, name, country, city, prefix, source}, got "LAX-IX"'],
])('a hand-edited export with %s is refused with its key path', (_what, patch, reason) => {
  const line = JSON.stringify({ ...sgsg, ...patch });
  expect(() => parseMeasurementLines(line, 'edited.jsonl')).toThrow(`edited.jsonl:1: invalid measurement record: ${reason}`);
});
