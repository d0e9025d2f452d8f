import { defaultInterestGroups, defaultM49 } from '../config/geo-tables';
import type { AsInfo, Hop, MeasurementRecord } from '../types';
import { buildReport } from './build';
import { reportToCsv, reportToMarkdown } from './format';
import { accessibleWithRegistration, hasAsData, registrationCountries, REGISTRATION_LABEL } from './registration';
import { recordProblem } from './parse';

const groups = defaultInterestGroups();
const m49 = defaultM49();
const as = (registrationCountry: string | null, asn = 64512): AsInfo => ({ asn, name: 'x', registrationCountry, source: 'corrections', databaseDate: null });
const hop = (ttl: number, ip: string, country: string, extra: Partial<Hop> = {}): Hop => ({ ttl, ip, rttMs: [1], country, ...extra });

function record(id: string, app: string, nodes: [string, string], network: Hop[], application: Hop[], finishedAt = '2020-06-01T00:00:00Z'): MeasurementRecord {
  return {
    schema: 'matador.measurement/v1', campaign: 'c', measurementId: `c/${app}/${id}`, app, status: 'ok', failure: null,
    startedAt: finishedAt, finishedAt,
    nodeA: { id: `${id}-a`, country: nodes[0] }, nodeB: { id: `${id}-b`, country: nodes[1] },
    networkPath: { traces: [{ from: 'A', target: '198.18.0.9', protocol: 'icmp', port: null, hops: network }] },
    applicationPath: { traces: [{ from: 'A', target: '198.18.0.10', protocol: 'tcp', port: 443, hops: application }] },
  };
}

// DE-FR pair: network stays in Europe; the app goes through Hong Kong, on a US-registered AS
const deFr = record('defr', 'wechat', ['DE', 'FR'], [hop(1, '198.18.1.1', 'DE', { as: as('DE') })], [
  hop(1, '198.18.1.1', 'DE', { as: as('DE') }),
  hop(2, '198.18.7.1', 'HK', { as: as('US', 64700) }),
]);
// JP-JP pair: registration in CN only on a load-balanced branch (otherInterfaces)
const jpJp = record('jpjp', 'wechat', ['JP', 'JP'], [hop(1, '198.18.9.1', 'JP', { as: as('JP') })], [
  hop(1, '198.18.9.1', 'JP', { as: as('JP'), otherIps: ['198.18.9.2'], otherInterfaces: [{ ip: '198.18.9.2', rttMs: [2], country: 'JP', as: as('CN') }] }),
]);
// an old record (no AS anywhere): counts with its physical countries only
const old = record('old', 'wechat', ['ES', 'PT'], [hop(1, '203.0.113.1', 'ES')], [hop(1, '203.0.113.2', 'GB')]);

describe('accessibility incl. AS registration countries', () => {
  it('per path: physical countries OR registration countries of any interface', () => {
    expect([...registrationCountries(deFr, 'application')]).toEqual(['DE', 'US']);
    expect([...registrationCountries(jpJp, 'application')]).toEqual(['JP', 'CN']);
    expect(accessibleWithRegistration(deFr, 'application', groups)).toEqual(['Five Eyes', 'European Union']);
    expect(accessibleWithRegistration(deFr, 'network', groups)).toEqual(['European Union']);
    expect(accessibleWithRegistration(jpJp, 'application', groups)).toEqual(['China']);
    expect(accessibleWithRegistration(old, 'application', groups)).toEqual(['Five Eyes', 'European Union']);
    expect([hasAsData([old]), hasAsData([old, jpJp])]).toEqual([false, true]);
  });

  it('the report: accessibleWithRegistration beside the unchanged physical counts (golden-style)', () => {
    const report = buildReport([deFr, jpJp, old], { groups, m49 });
    const europe = report.areas.find((a) => a.area === 'Europe')!;
    const g = (counts: Record<string, number> | undefined) => [counts?.['Five Eyes'], counts?.['European Union'], counts?.China];
    expect(europe.network.measurements).toBe(2);
    expect([g(europe.network.accessible), g(europe.network.accessibleWithRegistration)]).toEqual([[0, 2, 0], [0, 2, 0]]);
    expect([g(europe.apps.wechat.accessible), g(europe.apps.wechat.accessibleWithRegistration)]).toEqual([[1, 2, 0], [2, 2, 0]]);
    const asia = report.areas.find((a) => a.area === 'Asia')!;
    expect([g(asia.apps.wechat.accessible), g(asia.apps.wechat.accessibleWithRegistration)]).toEqual([[0, 0, 0], [0, 0, 1]]);
    const md = reportToMarkdown(report);
    expect(md).toContain(`## Table 3, ${REGISTRATION_LABEL}`);
    expect(md).toContain('| Europe | Five Eyes | 2 | 0 (0%) | 2 | 2 (100%) |');
    const csv = reportToCsv(report).split('\n');
    expect(csv).toContain('accessible,Europe,region,Five Eyes,wechat,2,1,50.0');
    expect(csv).toContain(`${REGISTRATION_LABEL},Europe,region,Five Eyes,wechat,2,2,100.0`);
  });

  it('records without AS data: no registration variant anywhere (old exports give the same report as before)', () => {
    const report = buildReport([old], { groups, m49 });
    expect(JSON.stringify(report)).not.toContain('accessibleWithRegistration');
    expect(reportToMarkdown(report)).not.toContain(REGISTRATION_LABEL);
    expect(reportToCsv(report)).not.toContain(REGISTRATION_LABEL);
  });
});

describe('reading records with AS data', () => {
  it('a record whose AS registration country is malformed is refused with its key path', () => {
    const line = (as: unknown) => JSON.stringify({ ...deFr, applicationPath: { traces: [{ ...deFr.applicationPath.traces[0], hops: [hop(1, '198.18.7.1', 'HK', { as: as as AsInfo })] }] } });
    expect(recordProblem(JSON.parse(line(as('US'))))).toBeNull();
    expect(recordProblem(JSON.parse(line({ ...as('US'), registrationCountry: 840 })))).toBe('applicationPath.traces[0].hops[0].as.registrationCountry must be an ISO 3166-1 alpha-2 code or null, got 840');
    expect(recordProblem(JSON.parse(line('AS64700')))).toMatch(/^applicationPath\.traces\[0\]\.hops\[0\]\.as must be an object/);
  });
});
