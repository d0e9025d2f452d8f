/**
 * Flow classification (paper section 4): every flow of one side's capture gets a class and the
 * reason for it (precedence and reasons in reasons.ts), every message gets the flow that carried
 * it on this side, and the messaging/app-background flows give the service endpoints to
 * traceroute.
 *
 * Message attribution: for each message window (correlate.ts) the candidates are the non-noise
 * flows with packets inside it, ranked: whitelisted before unlisted, then more packets in the
 * window, then the packet nearest the message time, then input order. The best candidate carried
 * the message. Ranking whitelisted flows first keeps an unrelated busy flow (an ad SDK, a
 * download) from taking a message the app's own connection also shows a burst for.
 */
import { ipFamily } from '../net/ip';
import type { Side } from '../types';
import { hitsInWindow, messageWindows, packetTimesOf, type MessageWindow, type WindowHits } from './correlate';
import { localScopeBlock, normalizeName } from './match';
import { FLOW_CLASSES, REASON_CLASS, type ClassificationReason, type FlowClass } from './reasons';
import { ClassifierInputError, compileRules, matchCidr, matchHost, matchPort, type CompiledRules } from './rules';
import type {
  ClassificationResult,
  ClassifiedFlow,
  ClassifierCapture,
  ClassifierFlow,
  ClassifierInput,
  FlowEvidence,
  MessageAttribution,
  ServiceEndpoint,
} from './types';

export function classifyFlows(input: ClassifierInput): ClassificationResult {
  if (input.side !== 'A' && input.side !== 'B') throw new ClassifierInputError('side', `not "A" or "B": ${JSON.stringify(input.side)}`);
  const rules = compileRules(input.rules);
  const windows = messageWindows(input.messages, input.side);
  const captureNames = dnsNamesByAddress(input.capture);
  const baseline = baselineIndex(input.baseline ?? null);

  const prepared = input.capture.flows.map((flow, index) => {
    const path = `capture.flows[${index}]`;
    checkFlow(flow, path);
    const names = flowNames(flow, captureNames);
    const evidence = ruleEvidence(flow, names, rules, baseline);
    const times = packetTimesOf(flow, path);
    const hits = windows.map((w) => (w.at === null ? null : hitsInWindow(times, w.at, rules.windowMs)));
    evidence.correlatedMessages = windows.filter((_, i) => hits[i] !== null).map((w) => w.index);
    return { flow, index, names, evidence, hits, noise: noiseReason(evidence) };
  });

  const messages: MessageAttribution[] = windows.map((window, w) => {
    const candidates = prepared
      .filter((p) => p.noise === null && p.hits[w] !== null)
      .sort((a, b) => compareCandidates(a, b, a.hits[w] as WindowHits, b.hits[w] as WindowHits))
      .map((p) => p.index);
    const flow = candidates.length > 0 ? candidates[0] : null;
    if (flow !== null) prepared[flow].evidence.carriedMessages.push(window.index);
    return { index: window.index, direction: window.direction, role: window.role, at: window.at, flow, candidates };
  });

  const carriable = windows.filter((w: MessageWindow) => w.at !== null).length;
  const minCarried = Math.max(1, Math.min(rules.minMessagesWithoutWhitelist, carriable));
  const flows: ClassifiedFlow[] = prepared.map(({ flow, index, names, evidence, noise }) => {
    const reason = noise ?? correlationReason(evidence, minCarried);
    return {
      index,
      key: `${flow.protocol} ${hostPort(flow.client.ip, flow.client.port)} -> ${hostPort(flow.server.ip, flow.server.port)}`,
      protocol: flow.protocol,
      client: { ip: flow.client.ip, port: flow.client.port },
      server: { ip: flow.server.ip, port: flow.server.port },
      sni: flow.sni !== undefined ? normalizeName(flow.sni) : null,
      names,
      class: REASON_CLASS[reason],
      reason,
      evidence,
    };
  });

  return { side: input.side as Side, flows, endpoints: serviceEndpoints(flows), messages, counts: countClasses(flows) };
}

function checkFlow(flow: ClassifierFlow, path: string): void {
  if (flow.protocol !== 'tcp' && flow.protocol !== 'udp') throw new ClassifierInputError(`${path}.protocol`, `not "tcp" or "udp": ${JSON.stringify(flow.protocol)}`);
  for (const side of ['client', 'server'] as const) {
    const endpoint = flow[side];
    if (typeof endpoint?.ip !== 'string' || ipFamily(endpoint.ip) === 0 || !Number.isInteger(endpoint.port)) {
      throw new ClassifierInputError(`${path}.${side}`, `not an {ip, port} endpoint: ${JSON.stringify(endpoint)}`);
    }
  }
}

type NamesByAddress = Map<string, string[]>;

function dnsNamesByAddress(capture: ClassifierCapture): NamesByAddress {
  const names: NamesByAddress = new Map();
  for (const answer of capture.dns ?? []) {
    for (const address of answer.addresses) {
      const key = address.toLowerCase();
      const list = names.get(key) ?? [];
      const name = normalizeName(answer.name);
      if (!list.includes(name)) list.push(name);
      names.set(key, list);
    }
  }
  return names;
}

/** SNI first (what the app asked this very connection for), then DNS-derived names. */
function flowNames(flow: ClassifierFlow, dns: NamesByAddress): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    const n = normalizeName(name);
    if (n !== '' && !names.includes(n)) names.push(n);
  };
  if (flow.sni !== undefined) add(flow.sni);
  for (const name of flow.serverNames ?? []) add(name);
  for (const name of dns.get(flow.server.ip.toLowerCase()) ?? []) add(name);
  return names;
}

interface BaselineIndex {
  endpoints: Set<string>;
  names: Set<string>;
}

/** Baseline flows are matched on the server side only: protocol + address + port, or protocol + name + port. */
function baselineIndex(baseline: ClassifierCapture | null): BaselineIndex | null {
  if (baseline === null) return null;
  const dns = dnsNamesByAddress(baseline);
  const index: BaselineIndex = { endpoints: new Set(), names: new Set() };
  baseline.flows.forEach((flow, i) => {
    checkFlow(flow, `baseline.flows[${i}]`);
    index.endpoints.add(endpointKey(flow.protocol, flow.server.ip, flow.server.port));
    for (const name of flowNames(flow, dns)) index.names.add(endpointKey(flow.protocol, name, flow.server.port));
  });
  return index;
}

function endpointKey(protocol: string, host: string, port: number): string {
  return `${protocol} ${host.toLowerCase()} ${port}`;
}

function ruleEvidence(flow: ClassifierFlow, names: string[], rules: CompiledRules, baseline: BaselineIndex | null): FlowEvidence {
  const port = matchPort(rules.blacklistPorts, flow.protocol, flow.server.port);
  const blackHost = matchHost(rules.blacklistHosts, names);
  const blackCidr = matchCidr(rules.blacklistCidrs, flow.server.ip);
  let baselineMatch: FlowEvidence['baseline'] = null;
  if (baseline) {
    const endpoint = baseline.endpoints.has(endpointKey(flow.protocol, flow.server.ip, flow.server.port));
    const name = names.find((n) => baseline.names.has(endpointKey(flow.protocol, n, flow.server.port))) ?? null;
    if (endpoint || name !== null) baselineMatch = { endpoint, name };
  }
  const whiteHost = matchHost(rules.whitelistHosts, names);
  const whiteCidr = matchCidr(rules.whitelistCidrs, flow.server.ip);
  return {
    localScope: localScopeBlock(flow.server.ip),
    blacklist: port || blackHost || blackCidr ? { port, host: blackHost, cidr: blackCidr } : null,
    baseline: baselineMatch,
    whitelist: whiteHost || whiteCidr ? { host: whiteHost, cidr: whiteCidr } : null,
    correlatedMessages: [],
    carriedMessages: [],
  };
}

function noiseReason(evidence: FlowEvidence): ClassificationReason | null {
  if (evidence.localScope !== null) return 'local-scope-server';
  if (evidence.blacklist?.port) return 'blacklist-port';
  if (evidence.blacklist?.host) return 'blacklist-host';
  if (evidence.blacklist?.cidr) return 'blacklist-cidr';
  if (evidence.baseline?.endpoint) return 'baseline-endpoint';
  if (evidence.baseline?.name) return 'baseline-name';
  return null;
}

function correlationReason(evidence: FlowEvidence, minCarried: number): ClassificationReason {
  const carried = evidence.carriedMessages.length;
  if (evidence.whitelist !== null) return carried > 0 ? 'whitelist-message-correlated' : 'whitelist-no-message-correlation';
  if (carried >= minCarried) return 'message-correlation-only';
  return carried > 0 ? 'weak-message-correlation' : 'no-rule-matched';
}

interface Candidate {
  index: number;
  evidence: FlowEvidence;
}

function compareCandidates(a: Candidate, b: Candidate, hitA: WindowHits, hitB: WindowHits): number {
  const listed = Number(b.evidence.whitelist !== null) - Number(a.evidence.whitelist !== null);
  return listed || hitB.packets - hitA.packets || hitA.nearestMs - hitB.nearestMs || a.index - b.index;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Server endpoints of messaging and app-background flows, one per (protocol, address, port). */
function serviceEndpoints(flows: ClassifiedFlow[]): ServiceEndpoint[] {
  const byKey = new Map<string, ServiceEndpoint & { sniName: string | null }>();
  for (const flow of flows) {
    if (flow.class !== 'messaging' && flow.class !== 'app-background') continue;
    const key = endpointKey(flow.protocol, flow.server.ip, flow.server.port);
    let endpoint = byKey.get(key);
    if (!endpoint) {
      endpoint = { ip: flow.server.ip, port: flow.server.port, protocol: flow.protocol, name: null, names: [], class: flow.class, flows: [], messages: [], sniName: null };
      byKey.set(key, endpoint);
    }
    if (flow.class === 'messaging') endpoint.class = 'messaging';
    endpoint.flows.push(flow.index);
    if (endpoint.sniName === null && flow.sni !== null) endpoint.sniName = flow.sni;
    for (const name of flow.names) if (!endpoint.names.includes(name)) endpoint.names.push(name);
    for (const m of flow.evidence.carriedMessages) if (!endpoint.messages.includes(m)) endpoint.messages.push(m);
  }
  return [...byKey.values()]
    .map(({ sniName, ...endpoint }) => ({ ...endpoint, name: sniName ?? endpoint.names[0] ?? null, messages: endpoint.messages.sort((a, b) => a - b) }))
    .sort((a, b) => Number(a.class !== 'messaging') - Number(b.class !== 'messaging') || a.flows[0] - b.flows[0]);
}

function countClasses(flows: ClassifiedFlow[]): Record<FlowClass, number> {
  const counts = Object.fromEntries(FLOW_CLASSES.map((c) => [c, 0])) as Record<FlowClass, number>;
  for (const flow of flows) counts[flow.class]++;
  return counts;
}
