import { endpointHost, parseWireguardDump } from './wireguard-dump';

// `wg show mt-tn0-a-r dump` of a wireguard-go interface (keys are throwaway test keys).
const PRIVATE = 'oJPeJlnLVmqur+ydxGu8zRHWM1dea/LzsinNZt2I10I=';
const PRESHARED = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const DUMP = [
  `${PRIVATE}\tF7/YUytdfgj68fZDXjjYfZoSGXQu3ugii+B8qqntrB0=\t51820\toff`,
  'Kjgji2737jPed5e+68snnBHOamH5G93L0CRC+GLr9AY=\t(none)\t10.99.0.2:51821\t0.0.0.0/0\t1796327745\t692\t784\t25',
  `HIo9x1lCvsUPy5pl/QLCp1oaBvbq3ap7Jxw3sEE4jWU=\t${PRESHARED}\t(none)\t198.19.128.1/32,10.5.0.0/24\t0\t0\t0\toff`,
].join('\n');

describe('wg show dump', () => {
  it('reads public key, port and peers', () => {
    expect(parseWireguardDump(DUMP)).toEqual({
      publicKey: 'F7/YUytdfgj68fZDXjjYfZoSGXQu3ugii+B8qqntrB0=',
      listenPort: 51820,
      peers: [
        { publicKey: 'Kjgji2737jPed5e+68snnBHOamH5G93L0CRC+GLr9AY=', endpoint: '10.99.0.2:51821', allowedIps: ['0.0.0.0/0'], latestHandshake: 1796327745, persistentKeepalive: 25 },
        { publicKey: 'HIo9x1lCvsUPy5pl/QLCp1oaBvbq3ap7Jxw3sEE4jWU=', endpoint: null, allowedIps: ['198.19.128.1/32', '10.5.0.0/24'], latestHandshake: 0, persistentKeepalive: null },
      ],
    });
  });

  it('never carries the private or preshared key, whatever the input', () => {
    for (const text of [DUMP, DUMP.split('\n')[0], `${PRIVATE}\tbroken`, `${DUMP}\nx\ty`]) {
      const out = JSON.stringify(parseWireguardDump(text));
      expect(out).not.toContain(PRIVATE);
      expect(out).not.toContain(PRESHARED);
    }
    expect(parseWireguardDump(`${PRIVATE}\tbroken`)).toBeNull();
  });

  it('the router-side masked dump (first field "(hidden)") reads the same', () => {
    expect(parseWireguardDump(DUMP.replace(PRIVATE, '(hidden)'))).toEqual(parseWireguardDump(DUMP));
  });

  it('endpoint hosts', () => {
    expect(endpointHost('198.19.220.6:51820')).toBe('198.19.220.6');
    expect(endpointHost('[2001:db8::1]:51820')).toBe('2001:db8::1');
  });
});
