import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { asSource, asSources, checkAsSource, DEFAULT_ASN_PACKAGE, DEFAULT_REGISTRATION_PACKAGE } from './as-sources';
import { packageDataDate } from './databases';
import { AsLocator } from './annotate-as';

describe('AS sources', () => {
  it('dates ip-location-db data by its 2.3.YYYYMMDDHH version, null when the version does not encode a date', () => {
    expect(packageDataDate('2.3.2026061719')).toBe('2026-06-17');
    expect(packageDataDate('1.0.0')).toBeNull();
    expect(packageDataDate('2.3.2026023119')).toBeNull(); // 31 February
    expect(packageDataDate('2.3.2026061725')).toBeNull();
  });

  it('the installed packages: true data date, attribution, and the right ASNs and registration countries (IPv4 and IPv6)', () => {
    const { asn, registration } = asSources({});
    expect(asn.map((s) => [s.source, s.databaseDate])).toEqual([[`package:${DEFAULT_ASN_PACKAGE}`, '2026-06-17']]);
    expect(registration.map((s) => s.source)).toEqual([`package:${DEFAULT_REGISTRATION_PACKAGE}`]);
    expect(asn[0].attribution).toMatch(/RouteViews.*NRO.*DB-IP.*CC BY 4\.0/);
    expect(registration[0].attribution).toMatch(/CC0.*NRO/);
    const locator = new AsLocator({ asn, registration });
    expect(locator.lookup('8.8.8.8')).toEqual({
      asn: 15169, name: 'Google LLC', registrationCountry: 'US', source: 'package:@ip-location-db/asn', databaseDate: '2026-06-17',
      registrationSource: 'package:@ip-location-db/asn-country', registrationDate: '2026-06-17',
    });
    expect(locator.lookup('1.1.1.1')).toMatchObject({ asn: 13335, name: 'Cloudflare, Inc.' });
    expect(locator.lookup('2606:4700:4700::1111')).toMatchObject({ asn: 13335, registrationCountry: 'US' });
    expect(locator.lookup('2001:4860:4860::8888')).toMatchObject({ asn: 15169 });
    // special-purpose: only corrections know them
    expect(locator.lookup('10.1.2.3')).toEqual({ asn: null, name: null, registrationCountry: null, source: 'none', databaseDate: null });
    expect(locator.lookup('2001:db8::1').source).toBe('none');
  });

  it('a campaign CSV: its file name as source, its date and attribution when it gives them, and a corrupt one refused naming file and line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-as-'));
    try {
      fs.writeFileSync(path.join(dir, 'lab-asn.csv'), '192.0.2.0,192.0.2.255,64500,"Lab, AS"\n');
      const lab = asSource({ csv: 'lab-asn.csv' }, 'asn', dir);
      expect([lab.source, lab.databaseDate, lab.files]).toEqual(['csv:lab-asn.csv', null, [path.join(dir, 'lab-asn.csv')]]);
      expect(asSource({ csv: 'lab-asn.csv', date: '2026-05-01', attribution: 'our lab' }, 'asn', dir)).toMatchObject({ databaseDate: '2026-05-01', attribution: 'our lab' });
      fs.writeFileSync(path.join(dir, 'bad.csv'), '1.0.0.0,1.0.0.255,US\nnonsense\n');
      expect(() => checkAsSource(asSource({ csv: 'bad.csv' }, 'country', dir))).toThrow(`${path.join(dir, 'bad.csv')}: line 2: expected 3 fields`);
      expect(() => asSource({ csv: 'missing.csv' }, 'asn', dir)).toThrow(`cannot read IP-to-ASN table ${path.join(dir, 'missing.csv')}: ENOENT`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => asSource({ package: 'no-such-package-xyz' }, 'asn')).toThrow('package no-such-package-xyz is not installed');
    expect(() => asSource({ package: 'yaml' }, 'asn')).toThrow('package yaml has no yaml-ipv4-num.csv');
  });
});
