import { ipLinkIsUp, ipRuleInstalled } from './ip-text';

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
