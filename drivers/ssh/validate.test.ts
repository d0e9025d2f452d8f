import { DriverConfigError } from './failures';
import * as v from './validate';

describe('config value validation', () => {
  it('accepts good values', () => {
    expect(v.ipAddress('198.19.220.6', 'x', 4)).toBe('198.19.220.6');
    expect(v.ipAddress('2001:db8:e0::1', 'x')).toBe('2001:db8:e0::1');
    expect(v.cidr('198.19.220.128/28', 'x')).toBe('198.19.220.128/28');
    expect(v.interfaceName('mtsh-tun0', 'x')).toBe('mtsh-tun0');
    expect(v.port(443, 'x')).toBe(443);
    expect(v.remotePath('/run/matador/captures', 'x')).toBe('/run/matador/captures');
    expect(v.hostName('e1.whatsapp.net', 'x')).toBe('e1.whatsapp.net');
  });

  it.each([
    () => v.ipAddress('198.19.220.300', 'tunnel.nodeInner'),
    () => v.ipAddress('2001:db8::1', 'x', 4),
    () => v.cidr('198.19.220.0/33', 'x'),
    () => v.cidr('$(id)/24', 'x'),
    () => v.interfaceName('eth0;reboot', 'x'),
    () => v.interfaceName('-x', 'x'),
    () => v.interfaceName('sixteen-chars-xx', 'x'),
    () => v.port(0, 'x'),
    () => v.port(22.5, 'x'),
    () => v.port('22', 'x'),
    () => v.remotePath('relative/path', 'x'),
    () => v.remotePath('/run/../etc', 'x'),
    () => v.remotePath('/tmp/a b', 'x'),
    () => v.hostName('-oProxyCommand=x', 'x'),
    () => v.identifier('a/b', 'x'),
  ])('rejects bad value %#', (check) => {
    expect(check).toThrow(DriverConfigError);
  });

  it('names the field and the value in the message', () => {
    expect(() => v.ipAddress('nope', 'tunnel.nodeInner')).toThrow('tunnel.nodeInner: not an IP address: "nope"');
  });
});
