import { isIP } from 'net';
import {
  formatAddress, formatIPv4, formatIPv6, formatPrefix, ipFamily, isIPv4Mapped, parseAddress, parsePrefix,
  prefixContains, prefixesOverlap, tryParsePrefix, unmapIPv4, unmapIPv4Prefix,
} from './ip';

const addr = (text: string) => parseAddress(text)!;

describe('parseAddress', () => {
  it.each<[string, 4 | 6, bigint]>([
    ['198.18.7.1', 4, 0xc6120701n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['2001:db8::1', 6, (0x20010db8n << 96n) | 1n],
    ['::', 6, 0n],
    ['64:ff9b::198.18.7.1', 6, (0x64ff9bn << 96n) | 0xc6120701n],
    ['::ffff:198.18.7.1', 6, 0xffffc6120701n],
    ['fe80::2%wlan0', 6, (0xfe80n << 112n) | 2n],
    ['1:2:3:4:5:6:7::', 6, 0x00010002000300040005000600070000n],
  ])('%s is IPv%i %s', (text, family, value) => {
    expect(parseAddress(text)).toEqual({ family, value });
    expect(ipFamily(text)).toBe(family);
  });

  it.each(['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1.2.3.4%x', ' 1.2.3.4', 'example.org', '', ':::', '1::2::3', '12345::1',
    '1:2:3:4:5:6:7:8:9', '::1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4::', '::1.2.3.4:1', 'fe80::1%', 'g::1'])('rejects %j', (text) => {
    expect(parseAddress(text)).toBeNull();
    expect(ipFamily(text)).toBe(0);
  });

  it('accepts exactly what net.isIP accepts', () => {
    // Tricky hand-written forms plus random strings over the characters addresses are made of.
    const samples = ['::', '::1', '1::', '::1.2.3.4', '::ffff:255.255.255.255', '0:0:0:0:0:0:0:0', '1:2:3:4:5:6:1.2.3.4', '1::2:3:4:5:6:7',
      '::1:2:3:4:5:6:7', '::%a.b:c-d', '::%a b', 'FFFF::', '00000::1', '0::0', '1.2.3.04', '0.0.0.0', '255.255.255.255', '1:2:3:4:5:6:7:8%z'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '0123456789abcdefABCDEF:.%';
    for (let n = 0; n < 20000; n++) {
      const len = 1 + Math.floor(random() * 20);
      samples.push(Array.from({ length: len }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    const disagree = samples.filter((s) => ipFamily(s) !== isIP(s));
    expect(disagree).toEqual([]);
  });

  it('unmaps IPv4-mapped addresses on request', () => {
    expect(isIPv4Mapped(addr('::ffff:1.2.3.4'))).toBe(true);
    expect(isIPv4Mapped(addr('::1.2.3.4'))).toBe(false);
    expect(unmapIPv4(addr('::ffff:1.2.3.4'))).toEqual({ family: 4, value: 0x01020304n });
    expect(unmapIPv4(addr('2001:db8::1'))).toEqual(addr('2001:db8::1'));
  });
});

describe('formatIPv4', () => {
  it('prints a dotted quad at an offset', () => {
    expect(formatIPv4(Buffer.from([9, 198, 19, 200, 1]), 1)).toBe('198.19.200.1');
    expect(formatIPv4(Buffer.from([0, 0, 0, 0]))).toBe('0.0.0.0');
    expect(formatIPv4(Buffer.from([255, 255, 255, 255]))).toBe('255.255.255.255');
  });
});

describe('formatIPv6 and formatAddress (RFC 5952)', () => {
  const v6 = (hex: string): Buffer => Buffer.from(hex.replace(/[^0-9a-f]/gi, ''), 'hex');
  const cases: Array<[string, string]> = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // 4.2.1 longest run shortened
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], // 4.2.2 one zero group kept
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // 4.2.3 first run on a tie
    ['2001:0db8:0000:0000:0000:0001:0000:0000', '2001:db8::1:0:0'], // longer run wins over first
    ['2001:0DB8:00C0:0000:0000:0000:0000:0002', '2001:db8:c0::2'], // 4.3 lower case, 4.1 no leading zeros
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['fe80:0000:0000:0000:0000:0000:0000:0000', 'fe80::'],
    ['0000:0000:0000:0000:0000:ffff:c613:c801', '::ffff:198.19.200.1'], // section 5 mixed notation
    ['ff02:0000:0000:0000:0000:0001:ff00:0001', 'ff02::1:ff00:1'],
    ['2001:0db8:1111:2222:3333:4444:5555:6666', '2001:db8:1111:2222:3333:4444:5555:6666'],
    ['0001:0000:0000:0002:0000:0000:0000:0003', '1:0:0:2::3'],
  ];
  it.each(cases)('%s -> %s', (input, expected) => {
    expect(formatIPv6(v6(input))).toBe(expected);
    expect(formatAddress(addr(input))).toBe(expected);
  });

  it('reads bytes at an offset', () => {
    const buf = Buffer.concat([Buffer.from([1, 2, 3]), v6('2001:0db8:00c0:0000:0000:0000:0000:0001')]);
    expect(formatIPv6(buf, 3)).toBe('2001:db8:c0::1');
  });

  it('prints IPv4 and prefixes', () => {
    expect(formatAddress(addr('198.19.200.1'))).toBe('198.19.200.1');
    expect(formatAddress(addr('0.0.0.0'))).toBe('0.0.0.0');
    expect(formatPrefix(parsePrefix('2001:DB8:0::/32'))).toBe('2001:db8::/32');
    expect(formatPrefix(parsePrefix('198.18.0.0/15'))).toBe('198.18.0.0/15');
  });
});

describe('parsePrefix', () => {
  it('parses networks of both families', () => {
    expect(parsePrefix('198.18.0.0/15')).toEqual({ family: 4, network: (198n << 24n) | (18n << 16n), prefixLength: 15 });
    expect(parsePrefix('2001:db8::/32')).toEqual({ family: 6, network: 0x20010db8n << 96n, prefixLength: 32 });
    expect(parsePrefix('0.0.0.0/0')).toEqual({ family: 4, network: 0n, prefixLength: 0 });
    expect(parsePrefix('::ffff:0.0.0.0/96')).toMatchObject({ family: 6, prefixLength: 96 });
  });

  it.each([
    ['198.18.0.1/15', 'host-bits'], ['10.0.0.0/33', 'length'], ['2001:db8::/129', 'length'], ['10.0.0.0/ 8', 'length'],
    ['10.0.0.0/x', 'length'], ['10.0.0.0/', 'length'], ['10.0.0.0', 'syntax'], ['10.0.0/8', 'syntax'], ['example.com/8', 'syntax'],
    ['10.0.0.0/8/8', 'syntax'], [' 10.0.0.0/8', 'syntax'], ['fe80::%eth0/64', 'syntax'],
  ])('%j is refused: %s', (text, problem) => {
    expect(() => parsePrefix(text)).toThrow(expect.objectContaining({ problem, text }));
  });

  it('clears or keeps host bits on request; a bare address is a host prefix', () => {
    expect(parsePrefix('198.18.7.9/24', { hostBits: 'clear' })).toEqual(parsePrefix('198.18.7.0/24'));
    expect(parsePrefix('198.18.7.9/24', { hostBits: 'keep' }).network).toBe(addr('198.18.7.9').value);
    expect(parsePrefix('198.18.7.9', { bareAddress: true })).toEqual({ family: 4, network: addr('198.18.7.9').value, prefixLength: 32 });
    expect(parsePrefix('::1', { bareAddress: true }).prefixLength).toBe(128);
    expect(tryParsePrefix('nonsense')).toBeNull();
  });

  it('turns IPv4-mapped prefixes into IPv4 ones', () => {
    expect(unmapIPv4Prefix(parsePrefix('::ffff:198.18.0.0/111'))).toEqual(parsePrefix('198.18.0.0/15'));
    expect(unmapIPv4Prefix(parsePrefix('::ffff:0:0/80', { hostBits: 'clear' }))).toBeNull();
    expect(unmapIPv4Prefix(parsePrefix('2001:db8::/32'))).toBeNull();
  });
});

describe('containment and overlap', () => {
  it('tests membership within one family', () => {
    expect(prefixContains(parsePrefix('198.18.50.0/24'), addr('198.18.50.255'))).toBe(true);
    expect(prefixContains(parsePrefix('198.18.50.0/24'), addr('198.18.51.0'))).toBe(false);
    expect(prefixContains(parsePrefix('2001:db8::/32'), addr('2001:db8:ffff::1'))).toBe(true);
    expect(prefixContains(parsePrefix('2001:db8::/32'), addr('2001:db9::1'))).toBe(false);
    expect(prefixContains(parsePrefix('0.0.0.0/0'), addr('::1'))).toBe(false);
    expect(prefixContains(parsePrefix('198.18.50.0/24'), addr('::ffff:198.18.50.7'))).toBe(false);
    expect(prefixContains(parsePrefix('198.18.50.0/24'), unmapIPv4(addr('::ffff:198.18.50.7')))).toBe(true);
  });

  it('finds overlapping networks', () => {
    expect(prefixesOverlap(parsePrefix('10.0.0.0/8'), parsePrefix('10.1.0.0/16'))).toBe(true);
    expect(prefixesOverlap(parsePrefix('10.1.0.0/16'), parsePrefix('10.0.0.0/8'))).toBe(true);
    expect(prefixesOverlap(parsePrefix('10.1.0.0/16'), parsePrefix('10.2.0.0/16'))).toBe(false);
    expect(prefixesOverlap(parsePrefix('0.0.0.0/0'), parsePrefix('::/0'))).toBe(false);
  });
});

describe('values that are not strings', () => {
  it('are not addresses or prefixes (config values arrive unchecked)', () => {
    expect(parseAddress(undefined as unknown as string)).toBeNull();
    expect(ipFamily(42 as unknown as string)).toBe(0);
    expect(tryParsePrefix(undefined as unknown as string)).toBeNull();
  });
});
