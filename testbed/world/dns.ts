/**
 * What the world's resolvers and WeChat's DNS-over-HTTP answer (pure). A service without a
 * `resolvers` list is answered by every resolver; one with a list only by those, so WeChat's
 * names resolve to the Chinese backend in CN/HK/Asia/Oceania and to Hong Kong elsewhere.
 */
import type { WorldPlan } from './address-plan';

export interface DnsRecord {
  name: string;
  address: string;
}

export function resolverRecords(plan: WorldPlan, resolverId: string): DnsRecord[] {
  const out = new Map<string, string>();
  for (const s of plan.services) {
    if (s.resolvers !== null && !s.resolvers.includes(resolverId)) continue;
    for (const a of s.addresses) if (!out.has(a.name.toLowerCase())) out.set(a.name.toLowerCase(), a.address);
  }
  for (const b of plan.background) for (const name of b.names) if (!out.has(name.toLowerCase())) out.set(name.toLowerCase(), b.address);
  return [...out].map(([name, address]) => ({ name, address }));
}

/** dnsmasq argv for one resolver: authoritative-style answers from host records only. */
export function dnsmasqArgv(o: { address: string; anycast: string; records: DnsRecord[]; pidFile: string; logFile: string }): string[] {
  return [
    '/usr/sbin/dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    `--listen-address=${o.address}`,
    `--listen-address=${o.anycast}`,
    '--port=53',
    '--user=root',
    '--group=root',
    '--cache-size=0',
    '--log-queries',
    `--log-facility=${o.logFile}`,
    `--pid-file=${o.pidFile}`,
    ...o.records.map((r) => `--host-record=${r.name},${r.address}`),
    // Every other name does not exist (NXDOMAIN, as from a real resolver) instead of REFUSED.
    '--address=/#/',
  ];
}

/**
 * WeChat's DNS-over-HTTP answers, by the client's source prefix: each router's prefix gets the
 * instance its region's resolver points to; the first instance without a resolver list (or the
 * last instance) is the default.
 */
export function httpDnsAnswers(plan: WorldPlan, app: string): { name: string; answers: { clientPrefix?: string; addresses: string[] }[] }[] {
  const instances = plan.services.filter((s) => s.app === app);
  if (instances.length === 0) return [];
  const fallback = instances.find((s) => s.resolvers === null) ?? instances[instances.length - 1];
  const answers: { clientPrefix?: string; instance: WorldPlan['services'][number] }[] = [];
  for (const [router, resolver] of Object.entries(plan.routerResolver)) {
    const inst = instances.find((s) => resolver !== null && (s.resolvers ?? []).includes(resolver));
    if (inst && inst !== fallback) answers.push({ clientPrefix: plan.routerPrefix[router], instance: inst });
  }
  answers.push({ instance: fallback });
  const names = [...new Set(instances.flatMap((s) => s.names))];
  const addressOf = (inst: WorldPlan['services'][number], name: string) => inst.addresses.find((a) => a.name === name)?.address ?? inst.address;
  return names.map((name) => ({
    name,
    answers: answers.map((a) => ({ ...(a.clientPrefix ? { clientPrefix: a.clientPrefix } : {}), addresses: [addressOf(a.instance, name)] })),
  }));
}
