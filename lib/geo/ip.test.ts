import { cidrContains, isSpecialPurpose, parseCidr, parseIp, PrefixTable } from './ip';

describe('IP parsing and prefixes', () => {
  it('parses IPv4, IPv6 (compressed, embedded IPv4, zone ids) and maps ::ffff:a.b.c.d to IPv4', () => {
    expect(parseIp('1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIp('2001:db8::1')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n });
    expect(parseIp('::')).toEqual({ family: 6, value: 0n });
    expect(parseIp('64:ff9b::1.2.3.4')).toEqual({ family: 6, value: (0x64ff9bn << 96n) | 0x01020304n });
    expect(parseIp('::ffff:1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIp('fe80::1%eth0')).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n });
    expect(parseIp('1.2.3')).toBeNull();
    expect(parseIp('example.org')).toBeNull();
  });

  it('parses prefixes and rejects bad ones with the text', () => {
    expect(parseCidr('198.18.7.9/24')).toMatchObject({ family: 4, bits: 24, value: parseIp('198.18.7.0')!.value });
    expect(parseCidr('::ffff:198.18.0.0/111')).toMatchObject({ family: 4, bits: 15 });
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/bad prefix length in "10.0.0.0\/33"/);
    expect(() => parseCidr('10.0.0/8')).toThrow(/not a CIDR prefix: "10.0.0\/8"/);
    expect(cidrContains(parseCidr('2001:db8::/32'), parseIp('2001:db8:ffff::1')!)).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/32'), parseIp('2001:db9::1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIp('::1')!)).toBe(false); // families never mix
  });

  it('longest prefix wins', () => {
    const table = new PrefixTable<string>();
    table.set(parseCidr('0.0.0.0/0'), 'default');
    table.set(parseCidr('198.18.0.0/15'), 'world');
    table.set(parseCidr('198.18.3.0/24'), 'de');
    table.set(parseCidr('198.18.3.4/32'), 'host');
    expect(['198.18.3.4', '198.18.3.5', '198.19.1.1', '8.8.8.8'].map((ip) => table.lookup(parseIp(ip)!))).toEqual(['host', 'de', 'world', 'default']);
    expect(table.lookup(parseIp('2001:db8::1')!)).toBeUndefined();
    expect(table.size).toBe(4);
  });

  it('knows the special-purpose ranges', () => {
    expect(['198.18.0.1', '198.19.255.255', '2001:db8::1', '10.0.0.1', '100.64.0.1', '::1', 'fd00::1'].every((ip) => isSpecialPurpose(parseIp(ip)!))).toBe(true);
    expect(['198.20.0.1', '8.8.8.8', '2a00:1450::1', '2001:db9::1'].some((ip) => isSpecialPurpose(parseIp(ip)!))).toBe(false);
  });
});
