/**
 * Reading `ip link show` and `ip rule show` in their text form, which iproute2 and BusyBox `ip`
 * print alike (BusyBox has no -j): e.g.
 *   2: mt-tn0-a-r: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420 qdisc pfifo_fast qlen 500
 *   1200:	from 198.19.220.128/28 lookup 120
 * Pure.
 */

/** The interface's flags include UP (administratively up). */
export function ipLinkIsUp(text: string, ifname: string): boolean {
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>/.exec(line);
    if (m && m[1] === ifname) return m[2].split(',').includes('UP');
  }
  return false;
}

/** A rule `PRIO: from SUBNET lookup TABLE` is present (a /32 may print without its length). */
export function ipRuleInstalled(text: string, priority: number, subnet: string, table: number): boolean {
  const bare = subnet.endsWith('/32') ? subnet.slice(0, -3) : subnet;
  return text.split('\n').some((line) => {
    const m = /^(\d+):\s+from\s+(\S+)\s+lookup\s+(\S+)/.exec(line.trim());
    return m !== null && Number(m[1]) === priority && (m[2] === subnet || m[2] === bare) && m[3] === String(table);
  });
}
