/**
 * Builds and removes the world's network: namespaces, veths, addresses, routes, policy rules.
 * Few processes: one `ip -batch` for all namespaces and veths, then one `ip -batch` per
 * namespace, plus one sysctl call per namespace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PREFIX, WorldPlan, PlannedNamespace } from './address-plan';
import { pool, run } from './sys';

const PARALLEL = 6;

/** Kernel settings: forwarding where needed, rp_filter off, ICMP errors not rate-limited and
 *  sent from the ingress interface (so traceroute sees the address the probe arrived on),
 *  IPv6 off (the world is IPv4; no ND/MLD noise in captures). */
export function sysctlsFor(ns: PlannedNamespace): string[] {
  const out = [
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
    'net.ipv4.icmp_ratelimit=0',
    'net.ipv4.icmp_errors_use_inbound_ifaddr=1',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
    `net.ipv4.ip_forward=${ns.forwarding ? 1 : 0}`,
  ];
  return out;
}

/** Creates the network (link delays: see delays.ts). */
export async function createNetwork(plan: WorldPlan, log: (msg: string) => void): Promise<void> {
  await run(['ip', '-batch', '-'], { input: plan.namespaces.map((n) => `netns add ${n.name}\n`).join('') });
  log(`${plan.namespaces.length} namespaces created`);
  await pool(plan.namespaces, PARALLEL, (n) => run(['ip', 'netns', 'exec', n.name, 'sysctl', '-q', '-w', ...sysctlsFor(n)]));
  const vethLines = plan.veths.map((v) => {
    const a = `${v.a.ifname}${v.a.netns ? ` netns ${v.a.netns}` : ''}`;
    const b = `${v.b.ifname}${v.b.netns ? ` netns ${v.b.netns}` : ''}`;
    return `link add ${a} type veth peer name ${b}\n`;
  });
  await run(['ip', '-batch', '-'], { input: vethLines.join('') });
  log(`${plan.veths.length} veth pairs created`);
  await pool(plan.namespaces, PARALLEL, (n) => run(['ip', '-n', n.name, '-batch', '-'], { input: n.ipBatch.map((l) => `${l}\n`).join('') }));
  const h = plan.host;
  await run(['ip', '-batch', '-'], {
    input: [`address add ${h.address}/32 peer ${h.gateway}/32 dev ${h.ifname}`, `link set ${h.ifname} up`, ...h.routes.map((r) => `route replace ${r} via ${h.gateway} dev ${h.ifname}`)]
      .map((l) => `${l}\n`)
      .join(''),
  });
  log(`addresses, routes and rules installed; host reaches the world over ${h.ifname}`);
}

/** `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf: each
 *  element's programs (sshd sessions, traceroute by name) use its region's resolver. */
export const NETNS_ETC = '/etc/netns';

export function writeResolvConfs(entries: { netns: string; resolver: string | null }[]): void {
  for (const e of entries) {
    if (!e.resolver) continue;
    const dir = path.join(NETNS_ETC, e.netns);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'resolv.conf'), `# matador emulated world\nnameserver ${e.resolver}\n`);
  }
}

function removeResolvConfs(): number {
  if (!fs.existsSync(NETNS_ETC)) return 0;
  const ours = fs.readdirSync(NETNS_ETC).filter((d) => d.startsWith(PREFIX));
  for (const d of ours) fs.rmSync(path.join(NETNS_ETC, d), { recursive: true, force: true });
  return ours.length;
}

export async function worldNamespaces(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list'], { allowFail: true });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => n && n.startsWith(PREFIX));
}

/** Host-namespace links carrying the prefix (the management veth). */
export async function hostWorldLinks(): Promise<string[]> {
  const r = await run(['ip', '-o', 'link', 'show'], { allowFail: true });
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (m && m[1].startsWith(PREFIX)) out.push(m[1]);
  }
  return out;
}

export async function removeNetwork(): Promise<{ namespaces: number; links: number }> {
  const namespaces = await worldNamespaces();
  if (namespaces.length > 0) await run(['ip', '-force', '-batch', '-'], { input: namespaces.map((n) => `netns del ${n}\n`).join(''), allowFail: true });
  const links = await hostWorldLinks();
  for (const l of links) await run(['ip', 'link', 'del', l], { allowFail: true });
  removeResolvConfs();
  return { namespaces: namespaces.length, links: links.length };
}
