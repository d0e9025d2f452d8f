import { formatIPv4, formatIPv6 } from './ip-format';

function v6(hex: string): Buffer {
  return Buffer.from(hex.replace(/[^0-9a-f]/gi, ''), 'hex');
}

describe('formatIPv4', () => {
  it('prints a dotted quad at an offset', () => {
    expect(formatIPv4(Buffer.from([9, 198, 19, 200, 1]), 1)).toBe('198.19.200.1');
    expect(formatIPv4(Buffer.from([0, 0, 0, 0]))).toBe('0.0.0.0');
    expect(formatIPv4(Buffer.from([255, 255, 255, 255]))).toBe('255.255.255.255');
  });
});

describe('formatIPv6 (RFC 5952)', () => {
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
  });

  it('reads at an offset', () => {
    const buf = Buffer.concat([Buffer.from([1, 2, 3]), v6('2001:0db8:00c0::0001'.replace('::', ':0000:0000:0000:0000:'))]);
    expect(formatIPv6(buf, 3)).toBe('2001:db8:c0::1');
  });
});
