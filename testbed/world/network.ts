/**
 * Builds and removes the world's network: namespaces, veths, addresses, routes, policy rules,
 * netem delays. Few processes: one `ip -batch` for all namespaces and veths, then one `ip -batch`
 * and one `tc -batch` per namespace, plus one sysctl call per namespace.
 */
import { PREFIX, WorldPlan, PlannedNamespace } from './plan';
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

/** Whether the kernel has sch_netem (containers often lack it): tried on a throwaway veth. */
export async function netemSupported(netns: string): Promise<boolean> {
  const dev = `${PREFIX}probe`;
  await run(['ip', '-n', netns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${PREFIX}probe1`], { allowFail: true });
  const r = await run(['tc', '-n', netns, 'qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', '1ms'], { allowFail: true });
  await run(['ip', '-n', netns, 'link', 'del', dev], { allowFail: true });
  return r.code === 0;
}

/** Creates the network; returns whether link delays could be applied (netem available). */
export async function createNetwork(plan: WorldPlan, log: (msg: string) => void): Promise<{ delays: boolean }> {
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
  const wantDelays = plan.namespaces.some((n) => n.tcBatch.length > 0);
  const delays = wantDelays && (await netemSupported(plan.namespaces[0].name));
  if (wantDelays && !delays) log('warning: the kernel has no sch_netem: link delays of the config are not applied (RTTs stay sub-millisecond)');
  await pool(plan.namespaces, PARALLEL, async (n) => {
    await run(['ip', '-n', n.name, '-batch', '-'], { input: n.ipBatch.map((l) => `${l}\n`).join('') });
    if (delays && n.tcBatch.length > 0) await run(['tc', '-n', n.name, '-batch', '-'], { input: n.tcBatch.map((l) => `${l}\n`).join('') });
  });
  const h = plan.host;
  await run(['ip', '-batch', '-'], {
    input: [`address add ${h.address}/32 peer ${h.gateway}/32 dev ${h.ifname}`, `link set ${h.ifname} up`, ...h.routes.map((r) => `route replace ${r} via ${h.gateway} dev ${h.ifname}`)]
      .map((l) => `${l}\n`)
      .join(''),
  });
  log(`addresses, routes and rules installed; host reaches the world over ${h.ifname}`);
  return { delays };
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
  return { namespaces: namespaces.length, links: links.length };
}
