import { addressToBigInt, cidrContains, compileHostPattern, localScopeBlock, parseCidr } from './match';

describe('host patterns', () => {
  const matches = (pattern: string, name: string) => compileHostPattern(pattern).test(name);

  it('a leading "*." matches one or more labels but not the apex', () => {
    expect(matches('*.google.com', 'mtalk.google.com')).toBe(true);
    expect(matches('*.google.com', 'a.b.google.com')).toBe(true);
    expect(matches('*.google.com', 'google.com')).toBe(false);
    expect(matches('*.google.com', 'notgoogle.com')).toBe(false);
    expect(matches('*.google.com', 'google.com.evil.example')).toBe(false);
  });

  it('a "*" inside a label stays within that label', () => {
    expect(matches('e*.whatsapp.net', 'e1.whatsapp.net')).toBe(true);
    expect(matches('e*.whatsapp.net', 'e.whatsapp.net')).toBe(true);
    expect(matches('e*.whatsapp.net', 'e1.x.whatsapp.net')).toBe(false);
    expect(matches('g-*.0.threema.ch', 'g-ab.0.threema.ch')).toBe(true);
  });

  it('an exact name matches only itself, case and trailing dot ignored in the pattern', () => {
    expect(matches('Chat.Example.NET.', 'chat.example.net')).toBe(true);
    expect(matches('chat.example.net', 'xchat.example.net')).toBe(false);
    expect(matches('chat.example.net', 'chatxexample.net')).toBe(false); // dots are literal
  });

  it('rejects text that is not a host pattern, naming it', () => {
    expect(() => compileHostPattern('bad host')).toThrow('not a host name or pattern: "bad host"');
    expect(() => compileHostPattern('a..b')).toThrow('"a..b"');
  });
});

describe('CIDR blocks', () => {
  it('parses IPv4 and IPv6 blocks and tests membership', () => {
    const v4 = parseCidr('198.18.50.0/24');
    expect(cidrContains(v4, '198.18.50.255')).toBe(true);
    expect(cidrContains(v4, '198.18.51.0')).toBe(false);
    expect(cidrContains(v4, '2001:db8::1')).toBe(false);
    const v6 = parseCidr('2001:db8:50::/48');
    expect(cidrContains(v6, '2001:db8:50:ffff::1')).toBe(true);
    expect(cidrContains(v6, '2001:DB8:51::1')).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0'), '203.0.113.9')).toBe(true);
  });

  it('an IPv4-mapped IPv6 address is matched against IPv4 blocks', () => {
    expect(cidrContains(parseCidr('198.18.50.0/24'), '::ffff:198.18.50.7')).toBe(true);
    expect(addressToBigInt('::ffff:1.2.3.4')).toBe(0xffff01020304n);
  });

  it('rejects malformed blocks with the value in the message', () => {
    expect(() => parseCidr('198.18.50.1/24')).toThrow('host bits set: "198.18.50.1/24"');
    expect(() => parseCidr('198.18.50.0/33')).toThrow('exceeds 32');
    expect(() => parseCidr('198.18.50.0')).toThrow('not a CIDR block: "198.18.50.0"');
    expect(() => parseCidr('example.com/8')).toThrow('not a CIDR block');
  });
});

describe('local-scope servers', () => {
  it.each([
    ['224.0.0.251', '224.0.0.0/4'],
    ['255.255.255.255', '255.255.255.255/32'],
    ['169.254.10.1', '169.254.0.0/16'],
    ['127.0.0.1', '127.0.0.0/8'],
    ['ff02::fb', 'ff00::/8'],
    ['fe80::1', 'fe80::/10'],
    ['::1', '::1/128'],
  ])('%s is local scope (%s)', (address, block) => {
    expect(localScopeBlock(address)).toBe(block);
  });

  it.each(['198.18.50.10', '192.168.1.1', '2001:db8::1', '8.8.8.8'])('%s is not', (address) => {
    expect(localScopeBlock(address)).toBeNull();
  });
});
