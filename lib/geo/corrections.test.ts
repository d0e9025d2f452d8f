import { AsCorrectionsTable, CorrectionsTable, parseCorrections } from './corrections';
import { parseIp } from './ip';

const doc = (...entries: string[]) => ['schema: matador.geo-corrections/v1', 'corrections:', ...entries.map((e) => `  - ${e}`)].join('\n');

describe('corrections with AS fields', () => {
  it('old files (country only) stay valid and carry no AS', () => {
    const list = parseCorrections(doc('{ prefix: 10.0.0.0/8, country: DE, note: lab }', '{ prefix: 1.1.1.0/24 }'), 'c.yaml');
    expect(list).toEqual([{ prefix: '10.0.0.0/8', country: 'DE', note: 'lab' }, { prefix: '1.1.1.0/24', country: null }]);
    expect(new AsCorrectionsTable(list).size).toBe(0);
  });

  it('AS entries: longest AS prefix wins; fields left out are null; AS-only entries leave the country alone', () => {
    const list = parseCorrections(doc(
      '{ prefix: 198.18.0.0/15, country: DE, asn: 64512, asName: World, registrationCountry: DE }',
      '{ prefix: 198.18.1.0/24, asn: 4294967295 }',
      '{ prefix: "2001:db8::/32", country: JP, registrationCountry: US }',
    ), 'c.yaml');
    expect(list[1]).toEqual({ prefix: '198.18.1.0/24', asn: 4294967295 });
    const as = new AsCorrectionsTable(list);
    expect(as.lookup(parseIp('198.18.1.7')!)).toEqual({ prefix: '198.18.1.0/24', asn: 4294967295, asName: null, registrationCountry: null });
    expect(as.lookup(parseIp('198.19.0.1')!)?.asn).toBe(64512);
    expect(as.lookup(parseIp('2001:db8::5')!)).toMatchObject({ asn: null, registrationCountry: 'US' });
    const countries = new CorrectionsTable(list);
    expect(countries.lookup(parseIp('198.18.1.7')!)?.country).toBe('DE'); // the /24 is AS-only
    expect(countries.size).toBe(2);
  });

  it.each([
    ['{ prefix: 1.0.0.0/8, asn: -1 }', 'c.yaml: corrections[0].asn must be an AS number (integer 0..4294967295) or null, got -1'],
    ['{ prefix: 1.0.0.0/8, asn: 4294967296 }', 'corrections[0].asn must be an AS number'],
    ['{ prefix: 1.0.0.0/8, asn: "AS1" }', 'corrections[0].asn must be an AS number'],
    ['{ prefix: 1.0.0.0/8, asn: 1.5 }', 'corrections[0].asn must be an AS number'],
    ['{ prefix: 1.0.0.0/8, asName: "" }', 'corrections[0].asName must be a non-empty string or null'],
    ['{ prefix: 1.0.0.0/8, registrationCountry: usa }', 'corrections[0].registrationCountry must be an ISO 3166-1 alpha-2 code or null, got "usa"'],
  ])('refuses %s', (entry, message) => {
    expect(() => parseCorrections(doc(entry), 'c.yaml')).toThrow(message);
  });
});
