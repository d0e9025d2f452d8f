import { parseRangeCsv, RangeCsvError } from './asn';
import { parseIp } from './ip';

const ip = (text: string) => parseIp(text)!;

describe('parseRangeCsv (ip-location-db CSV)', () => {
  it('reads numeric IPv4 rows with quoted names (commas, doubled quotes) and keeps one name per ASN', () => {
    const t = parseRangeCsv(
      ['16777216,16777471,13335,"Cloudflare, Inc."', '35309568,35313663,201907,"LLC ""SPUTNIK"""', '134744064,134744319,15169,Google LLC', '134744320,134744575,15169,Google LLC (other text)', ''].join('\n'),
      'asn-ipv4-num.csv', 'asn',
    );
    expect(t.asnOf(ip('1.0.0.1'))).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });
    expect(t.asnOf(ip('2.26.200.1'))).toEqual({ asn: 201907, name: 'LLC "SPUTNIK"' });
    expect(t.asnOf(ip('8.8.9.9'))).toEqual({ asn: 15169, name: 'Google LLC' });
    expect(t.asnOf(ip('1.0.1.0'))).toBeNull(); // between rows
    expect(t.asnOf(ip('0.0.0.1'))).toBeNull(); // before the first
    expect(t.asnOf(ip('255.255.255.255'))).toBeNull(); // after the last
    expect(t.stats).toEqual({ rows: 4, ipv4: 4, ipv6: 0, clipped: 0 });
  });

  it('reads IPv6 as text and as numbers (the file name says ipv6), inclusive ends, 128-bit compare', () => {
    const text = parseRangeCsv('2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC\n2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,13335,"Cloudflare, Inc."\n', 'asn-ipv6.csv', 'asn');
    expect(text.asnOf(ip('2606:4700:4700::1111'))?.asn).toBe(13335);
    expect(text.asnOf(ip('2606:4700:ffff:ffff:ffff:ffff:ffff:ffff'))?.asn).toBe(13335);
    expect(text.asnOf(ip('2606:4701::'))).toBeNull();
    expect(text.asnOf(ip('2001::ffff:ffff:ffff:ffff:ffff:ffff'))?.asn).toBe(6939);
    const num = parseRangeCsv('42540488161975842760550356425300246528,42540488241204005274814694018844196863,6939,Hurricane Electric LLC\n', 'asn-ipv6-num.csv', 'asn');
    expect(num.asnOf(ip('2001::1'))?.asn).toBe(6939);
    expect(num.asnOf(ip('1.0.0.1'))).toBeNull();
    expect(num.stats.ipv6).toBe(1);
  });

  it('reads country rows and IPv4-mapped addresses as IPv4', () => {
    const t = parseRangeCsv('1.0.0.0,1.0.0.255,AU\r\n1.0.1.0,1.0.3.255,CN\r\n2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\r\n', 'asn-country.csv', 'country');
    expect(t.countryOf(ip('1.0.2.3'))).toBe('CN');
    expect(t.countryOf(ip('::ffff:1.0.0.7'))).toBe('AU');
    expect(t.countryOf(ip('2001:200::5'))).toBe('JP');
    expect(t.countryOf(ip('9.9.9.9'))).toBeNull();
  });

  it('clips overlapping rows so the earlier row wins, and sorts unsorted files', () => {
    // the npm data's own overlap: two DoD blocks
    const t = parseRangeCsv('3607101440,3607167999,721,DoD Network Information Center\n3596550144,3607166975,749,United States Department of Defense (DoD)\n3607101441,3607101442,1,inside\n', 'x-ipv4-num.csv', 'asn');
    expect(t.stats.clipped).toBe(2);
    expect(t.asnOf({ family: 4, value: 3607101440n })?.asn).toBe(749);
    expect(t.asnOf({ family: 4, value: 3607166976n })?.asn).toBe(721);
    expect(t.asnOf({ family: 4, value: 3607101441n })?.asn).toBe(749);
  });

  it.each([
    ['1.0.0.0,1.0.0.255,13335', 'line 2: expected 4 fields'],
    ['1.0.0.0,1.0.0.255,AS13335,x', 'line 2: AS number must be an integer'],
    ['1.0.0.0,1.0.0.255,4294967296,x', 'line 2: AS number must be an integer'],
    ['1.0.0.0,1.0.0.2555,1,x', 'line 2: range end is not an address'],
    ['1.0.0.9,1.0.0.1,1,x', 'line 2: range end lies before its start'],
    ['1.0.0.0,2001::,1,x', "line 2: range end is not an address of the start's family"],
    ['1.0.0.0,1.0.0.9,1,"open', 'line 2: unterminated quoted field'],
    ['4294967296,4294967297,1,x', 'line 2: range start is not an address'],
  ])('refuses %s naming the file and line', (bad, message) => {
    expect(() => parseRangeCsv(`2.0.0.0,2.0.0.255,1,ok\n${bad}\n`, 'my-asn.csv', 'asn')).toThrow(RangeCsvError);
    expect(() => parseRangeCsv(`2.0.0.0,2.0.0.255,1,ok\n${bad}\n`, 'my-asn.csv', 'asn')).toThrow(`my-asn.csv: ${message}`);
  });

  it('refuses bad countries and empty files', () => {
    expect(() => parseRangeCsv('1.0.0.0,1.0.0.255,au\n', 'c.csv', 'country')).toThrow('c.csv: line 1: country must be an ISO 3166-1 alpha-2 code, got "au"');
    expect(() => parseRangeCsv('\n\n', 'c.csv', 'country')).toThrow('c.csv: line 0: no rows');
    expect(() => parseRangeCsv('\u0000PK binary', 'c.csv', 'country')).toThrow(/^c\.csv: line 1: /);
  });
});
