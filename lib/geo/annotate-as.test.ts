import type { Hop, Trace } from '../types';
import { annotateAs, asPathOf, AsLocator, type AsTableSource } from './annotate-as';
import { parseRangeCsv } from './asn';
import { parseCorrections } from './corrections';

const asnSource: AsTableSource = {
  source: 'csv:asn.csv', databaseDate: '2026-01-02',
  tables: () => [parseRangeCsv('8.8.8.0,8.8.8.255,15169,Google LLC\n1.1.1.0,1.1.1.255,13335,"Cloudflare, Inc."\n2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n', 'asn.csv', 'asn')],
};
const regSource: AsTableSource = { source: 'csv:reg.csv', databaseDate: null, tables: () => [parseRangeCsv('8.8.8.0,8.8.8.255,US\n9.9.9.0,9.9.9.255,CH\n', 'reg.csv', 'country')] };
const corrections = parseCorrections(
  [
    'schema: matador.geo-corrections/v1',
    'corrections:',
    '  - { prefix: 198.18.0.0/24, country: DE, asn: 64512, asName: "Lab core", registrationCountry: US }',
    '  - { prefix: 198.18.0.128/25, country: FR }', // country only: the /24's AS still applies
    '  - { prefix: 1.1.1.0/24, asn: null }', // AS-only: pins the AS to unknown, country untouched
  ].join('\n'),
  'c.yaml',
);
const locator = new AsLocator({ corrections, asn: [asnSource], registration: [regSource] });
const hop = (ttl: number, ip: string | null, extra: Partial<Hop> = {}): Hop => ({ ttl, ip, rttMs: ip ? [1] : [], country: null, ...extra });

describe('AsLocator', () => {
  it('corrections first (longest AS prefix), then the tables; registration country from its own table', () => {
    expect(locator.lookup('198.18.0.200')).toEqual({ asn: 64512, name: 'Lab core', registrationCountry: 'US', source: 'corrections', databaseDate: null });
    expect(locator.lookup('1.1.1.1')).toEqual({ asn: null, name: null, registrationCountry: null, source: 'corrections', databaseDate: null });
    expect(locator.lookup('8.8.8.8')).toEqual({
      asn: 15169, name: 'Google LLC', registrationCountry: 'US', source: 'csv:asn.csv', databaseDate: '2026-01-02', registrationSource: 'csv:reg.csv', registrationDate: null,
    });
    // registered but not in the ASN table: the country is known, the AS is not (never guessed)
    expect(locator.lookup('9.9.9.9')).toEqual({ asn: null, name: null, registrationCountry: 'CH', source: 'none', databaseDate: null, registrationSource: 'csv:reg.csv', registrationDate: null });
    expect(locator.lookup('192.168.1.1').source).toBe('none');
    expect(locator.lookup('not an ip').asn).toBeNull();
    expect(locator.describe()).toEqual({ asCorrections: 2, asn: [{ source: 'csv:asn.csv', databaseDate: '2026-01-02' }], registration: [{ source: 'csv:reg.csv', databaseDate: null }] });
  });

  it('returns copies: a caller changing a result does not change the cache', () => {
    locator.lookup('8.8.8.8').asn = 1;
    expect(locator.lookup('8.8.8.8').asn).toBe(15169);
  });
});

describe('annotateAs', () => {
  it('sets as on every interface and the AS path: duplicates and gaps collapsed, IPv6 like IPv4', () => {
    const trace: Trace = {
      from: 'A', target: '8.8.8.8', protocol: 'icmp', port: null,
      hops: [
        hop(1, '198.18.0.1'), hop(2, '198.18.0.2'), hop(3, null), hop(4, '192.168.9.9'), hop(5, null),
        hop(6, '8.8.8.1', { otherIps: ['2001:4860::1', '1.1.1.1'], otherInterfaces: [{ ip: '2001:4860::1', rttMs: [3], country: 'US' }] }),
        hop(7, '2001:4860::8888'), hop(8, '8.8.8.8'),
      ],
    };
    const out = annotateAs(trace, locator);
    expect(out.asPath).toEqual([64512, null, 15169]);
    expect(out.hops[0].as?.asn).toBe(64512);
    expect(out.hops[2].as).toBeUndefined();
    expect(out.hops[5].otherInterfaces?.map((i) => [i.ip, i.as?.asn, i.rttMs])).toEqual([['2001:4860::1', 15169, [3]], ['1.1.1.1', null, []]]);
    expect(trace.hops[0].as).toBeUndefined(); // pure
  });

  it('asPathOf: empty trace, unknown AS between known ones, A-null-A stays three entries', () => {
    expect(asPathOf([])).toEqual([]);
    const as = (asn: number | null) => ({ asn, name: null, registrationCountry: null, source: 'x', databaseDate: null });
    expect(asPathOf([hop(1, '1.1.1.1', { as: as(1) }), hop(2, null), hop(3, '1.1.1.2', { as: as(1) }), hop(4, '2.2.2.2', { as: as(null) }), hop(5, '3.3.3.3')])).toEqual([1, null, 1, null]);
  });
});
