import { readFileSync } from 'fs';
import * as path from 'path';
import { ipCannotBuild, ipLinkIsUp, ipRuleInstalled, parseLinkText, parseRulesText } from './ip-text';

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

// Captured from BusyBox v1.35 `ip` and iproute2 6.1 in a namespace with a wireguard-go interface.
const BUSYBOX_LINK = '2: mt-tn0-a-r: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420 qdisc pfifo_fast qlen 500\n    link/[65534] \n';
const IPROUTE_LINK = '5: mt-tn0-a-r: <POINTOPOINT,MULTICAST,NOARP> mtu 1420 qdisc noop state DOWN mode DEFAULT group default qlen 500\n    link/none \n';
const RULES = '0:\tfrom all lookup local \n1200:\tfrom 10.5.0.0/24 lookup 120 \n1201:\tfrom 10.6.0.7 lookup 121 \n32766:\tfrom all lookup main \n32767:\tfrom all lookup default \n';

describe('ip text output', () => {
  it('reads UP from the flags of the named interface only', () => {
    expect(ipLinkIsUp(BUSYBOX_LINK, 'mt-tn0-a-r')).toBe(true);
    expect(ipLinkIsUp(IPROUTE_LINK, 'mt-tn0-a-r')).toBe(false);
    expect(ipLinkIsUp(BUSYBOX_LINK, 'mt-tn0-a')).toBe(false);
    expect(ipLinkIsUp('4: veth0@if5: <BROADCAST,UP,LOWER_UP> mtu 1500', 'veth0')).toBe(true);
  });

  it('finds the policy rule by priority, source and table', () => {
    expect(ipRuleInstalled(RULES, 1200, '10.5.0.0/24', 120)).toBe(true);
    expect(ipRuleInstalled(RULES, 1200, '10.5.0.0/24', 121)).toBe(false);
    expect(ipRuleInstalled(RULES, 1201, '10.6.0.7/32', 121)).toBe(true);
    expect(ipRuleInstalled(RULES, 1300, '10.5.0.0/24', 120)).toBe(false);
    expect(ipRuleInstalled('', 1200, '10.5.0.0/24', 120)).toBe(false);
  });
});
