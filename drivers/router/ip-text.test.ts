import { readFileSync } from 'fs';
import * as path from 'path';
import { ipCannotBuild, parseLinkText, parseRulesText } from './ip-text';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('BusyBox ip text readers (real busybox 1.35 output)', () => {
  it('reads name, index and flags of a link that is UP', () => {
    expect(parseLinkText(fixture('busybox-ip-link-show-dev.txt'))).toEqual({ index: 3, name: 'r-lan', flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP', 'M-DOWN'] });
  });
  it('a link that is down has no UP flag', () => {
    const l = parseLinkText(fixture('busybox-ip-link-show-dev-down.txt'));
    expect(l?.name).toBe('p-x');
    expect(l?.flags).not.toContain('UP');
  });
  it('addr show starts with the same link line', () => {
    expect(parseLinkText(fixture('busybox-ip-addr-show-dev.txt'))?.flags).toContain('UP');
  });
  it('no link line: null', () => {
    expect(parseLinkText("ip: can't find device 'nope'\n")).toBeNull();
    expect(parseLinkText('')).toBeNull();
  });
  it('reads every rule with its priority, selector and table', () => {
    expect(parseRulesText(fixture('busybox-ip-rule-show.txt'))).toEqual([
      { priority: 0, table: 'local', selector: 'from all' },
      { priority: 1000, table: '100', selector: 'from 198.19.220.128/28' },
      { priority: 1001, table: '200', selector: 'from 10.0.0.0/8' },
      { priority: 32766, table: 'main', selector: 'from all' },
      { priority: 32767, table: 'default', selector: 'from all' },
    ]);
  });
});

describe('ipCannotBuild', () => {
  it('refuses vxlan/gre/ipip on BusyBox ip, allows them on iproute2', () => {
    expect(ipCannotBuild({ ipImpl: 'busybox' }, 'vxlan')).toEqual({ tool: 'ip', why: 'BusyBox ip ignores vxlan options' });
    expect(ipCannotBuild({ ipImpl: 'busybox' }, 'gre')?.tool).toBe('ip');
    expect(ipCannotBuild({ ipImpl: 'iproute2' }, 'vxlan')).toBeNull();
  });
  it('allows modes whose link BusyBox ip only addresses and raises (wireguard)', () => {
    expect(ipCannotBuild({ ipImpl: 'busybox' }, 'wireguard')).toBeNull();
  });
});
