/**
 * Readers of `ip` text output, for hosts whose `ip` has no JSON (`-j`): BusyBox ip on OpenWrt
 * without ip-full, old iproute2. Fixtures beside the test are real `busybox ip` output (Debian
 * BusyBox 1.35.0) captured in a namespace on the development machine. Pure functions.
 *
 *   ip link show dev X:  `3: r-lan@p-x: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 ...`
 *   ip rule show:        `1000:\tfrom 198.19.220.128/28 lookup 100 ` (BusyBox has no `priority`
 *                        selector on show: every rule is listed and the caller filters)
 */
import type { HostProfile, KnownTool } from '../ssh/host-profile';

export interface TextLink {
  index: number;
  name: string;
  flags: string[];
}

/** The first link of `ip link show` text, or null when there is none. */
export function parseLinkText(text: string): TextLink | null {
  const m = /^(\d+):\s+([^:@\s]+)(?:@[^:\s]+)?:\s+<([^>]*)>/m.exec(text);
  if (!m) return null;
  return { index: Number(m[1]), name: m[2], flags: m[3] === '' ? [] : m[3].split(',') };
}

export interface TextRule {
  priority: number;
  /** What follows `lookup` (a number or a table name such as main). */
  table: string | null;
  /** The selector text between the priority and `lookup`, e.g. `from 198.19.220.128/28`. */
  selector: string;
}

export function parseRulesText(text: string): TextRule[] {
  const rules: TextRule[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const t = /^(.*?)\s*\blookup\s+(\S+)/.exec(m[2]);
    rules.push({ priority: Number(m[1]), table: t ? t[2] : null, selector: t ? t[1] : m[2] });
  }
  return rules;
}

/** `ip link add ... type <mode>` options BusyBox ip drops without a word (measured: a vxlan
 *  with id 0, dstport 8472 and no remote). gre/ipip: BusyBox's `ip link add` refuses the type
 *  (usage error) and `ip tunnel add` needs kernel modules this machine lacks: unverified, so
 *  refused as well. */
const NEEDS_FULL_IP: readonly string[] = ['vxlan', 'gre', 'ipip'];

/** Why this host's `ip` cannot build a tunnel of `mode` (tool + reason), or null when it can. */
export function ipCannotBuild(profile: Pick<HostProfile, 'ipImpl'>, mode: string): { tool: KnownTool; why: string } | null {
  if (profile.ipImpl === 'busybox' && NEEDS_FULL_IP.includes(mode)) return { tool: 'ip', why: `BusyBox ip ignores ${mode} options` };
  if (profile.ipImpl === 'none') return { tool: 'ip', why: 'not found' };
  return null;
}

/** The named interface's flags include UP (administratively up); false when it is not listed. */
export function ipLinkIsUp(text: string, ifname: string): boolean {
  for (const line of text.split('\n')) {
    const link = parseLinkText(line);
    if (link && link.name === ifname) return link.flags.includes('UP');
  }
  return false;
}

/** A rule `PRIO: from SUBNET lookup TABLE` is present (a /32 may print without its length). */
export function ipRuleInstalled(text: string, priority: number, subnet: string, table: number): boolean {
  const sources = [subnet, subnet.endsWith('/32') ? subnet.slice(0, -3) : subnet].map((s) => `from ${s}`);
  return parseRulesText(text).some((r) => r.priority === priority && r.table === String(table) && sources.includes(r.selector));
}
