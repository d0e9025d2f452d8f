/**
 * scamper `tracelb` (Paris MDA, `scamper -O json -c 'tracelb ...'`) -> one contract Trace whose
 * hops hold, per TTL, EVERY interface the multipath detection algorithm found at that distance:
 * the first in `ip`, the others in `otherIps`/`otherInterfaces` with their own RTTs (hops.ts).
 *
 * The JSON (scamper_tracelb_json.c, read against real output of scamper 20211212 in
 * test/fixtures/traceroute/real-scamper-tracelb-*) is a graph, not a hop list:
 *
 *   {"type":"tracelb", "method":"udp-sport", "dst":"198.18.60.26", "sport":49656, "dport":53,
 *    "firsthop":1, "confidence":95, "probec":19, "nodec":3, "linkc":2,
 *    "nodes":[{"addr":"198.18.60.2", "q_ttl":1, "linkc":1,
 *              "links":[[{"addr":"198.18.60.6", "probes":[...]}, {"addr":"198.18.60.10", "probes":[...]}],
 *                       [{"addr":"198.18.60.14", "probes":[...]}]]}, ...]}
 *
 *  - only nodes with outgoing links are printed (the destination is never a node of its own);
 *  - a node with several links prints ONE hop: `[[{to1}, {to2}, ...]]`; a node with one link
 *    prints the link's hops in order: the hops in between (where scamper saw several addresses
 *    without a node of their own, or `{"addr":"*"}` when nothing answered) and last the link's end;
 *  - each `{addr, probes}` lists the probes answered by that address; `probes[].ttl` is the probe's
 *    TTL (the hop distance we key on) and `probes[].replies[]` hold `rtt`, `icmp_type`/`icmp_code`
 *    or `tcp_flags`.
 * The TTL of an address comes from its probes. A node's own address carries no probes (its
 * replies are printed where it is a link's end, except the first node's): it is placed one TTL
 * before its links' probes, without times. A `*` is placed by its position in the link.
 * tracelb has no stop_reason: `stopReason` is null and the destination counts as reached when it
 * answered any probe.
 */
import { ipFamily } from '../net/ip';
import type { Hop, Protocol, Side } from '../types';
import { buildHop, icmpMark, normalizeAddress, type ParsedTrace, type ProbeReply } from './hops';
import { integer, isObject, rttOf, traceHead, type Fail, type JsonObject } from './scamper-fields';

/** tracelb probe methods (scamper tracelb -P) and the protocol of their probes. Which header
 *  field varies per flow: udp-dport the destination port, udp-sport/tcp-sport/tcp-ack-sport the
 *  source port (the destination port stays the one given with -d), icmp-echo the checksum. */
export const SCAMPER_TRACELB_METHODS: Readonly<Record<string, Protocol>> = {
  'udp-dport': 'udp',
  'udp-sport': 'udp',
  'tcp-sport': 'tcp',
  'tcp-ack-sport': 'tcp',
  'icmp-echo': 'icmp',
};

interface Entry {
  addr: string | null; // null: "*"
  probes: Array<{ ttl: number; replies: ProbeReply[] }>;
}

export function convertTracelb(trace: JsonObject, from: Side, fail: Fail): ParsedTrace {
  const { target, family, protocol, port } = traceHead(trace, SCAMPER_TRACELB_METHODS, 'tracelb ', fail);
  const firstHop = trace.firsthop === undefined ? 1 : integer(trace, 'firsthop', fail, { min: 1, max: 255 });
  const rawNodes = trace.nodes === undefined ? [] : trace.nodes;
  if (!Array.isArray(rawNodes)) return fail('"nodes" is not an array');

  const nodes = rawNodes.map((node: unknown, n) => readNode(node, `nodes[${n}]`, family, fail));
  // Where each address was seen as a probe's responder: places a node whose links have no probes.
  const seenAt = new Map<string, number>();
  for (const node of nodes) for (const hop of node.hops) for (const entry of hop) for (const p of entry.probes) {
    if (entry.addr !== null && !seenAt.has(entry.addr)) seenAt.set(entry.addr, p.ttl);
  }
  const byTtl = new Map<number, ProbeReply[]>();
  const add = (ttl: number, reply: ProbeReply): void => {
    const list = byTtl.get(ttl) ?? [];
    byTtl.set(ttl, list);
    list.push(reply);
  };
  nodes.forEach((node, n) => {
    const firstProbeTtl = Math.min(...node.hops[0].flatMap((e) => e.probes.map((p) => p.ttl)));
    const distance = Number.isFinite(firstProbeTtl) ? firstProbeTtl - 1 : node.addr !== null ? seenAt.get(node.addr) : n === 0 ? firstHop : undefined;
    if (distance !== undefined && distance >= 1) add(distance, { ip: node.addr, rttMs: null, marks: [] });
    node.hops.forEach((hop, j) => {
      for (const entry of hop) {
        if (entry.probes.length === 0) {
          if (distance !== undefined) add(distance + 1 + j, { ip: entry.addr, rttMs: null, marks: [] });
          continue;
        }
        for (const p of entry.probes) for (const reply of p.replies) add(p.ttl, reply);
      }
    });
  });

  const lastTtl = Math.max(firstHop - 1, ...byTtl.keys());
  const hops: Hop[] = [];
  for (let ttl = firstHop; ttl <= lastTtl; ttl++) hops.push(buildHop(ttl, byTtl.get(ttl) ?? []));
  const destinationReached = [...byTtl.values()].some((replies) => replies.some((r) => r.ip === target && r.rttMs !== null));
  return { from, target, protocol: protocol as Protocol, port, hops, targetName: null, tool: 'scamper', method: 'tracelb', destinationReached, stopReason: null };
}

function readNode(node: unknown, where: string, family: 4 | 6, fail: Fail): { addr: string | null; hops: Entry[][] } {
  if (!isObject(node)) fail(`${where} is not an object`);
  const n = node as JsonObject;
  const links = n.links;
  if (!Array.isArray(links) || links.length === 0) fail(`${where}.links is not a non-empty array`);
  const hops = (links as unknown[]).map((hop, j) => {
    if (!Array.isArray(hop)) fail(`${where}.links[${j}] is not an array`);
    return (hop as unknown[]).map((entry, k) => readEntry(entry, `${where}.links[${j}][${k}]`, family, fail));
  });
  return { addr: address(n.addr, `${where}.addr`, fail), hops };
}

function readEntry(entry: unknown, where: string, family: 4 | 6, fail: Fail): Entry {
  if (!isObject(entry)) fail(`${where} is not an object`);
  const e = entry as JsonObject;
  const addr = address(e.addr, `${where}.addr`, fail);
  const probes = e.probes === undefined ? [] : e.probes;
  if (!Array.isArray(probes)) fail(`${where}.probes is not an array`);
  return {
    addr,
    probes: (probes as unknown[]).map((probe, p) => {
      const at = `${where}.probes[${p}]`;
      if (!isObject(probe)) fail(`${at} is not an object`);
      const ttl = integer(probe as JsonObject, 'ttl', fail, { min: 1, max: 255 }, at);
      const replies = (probe as JsonObject).replies === undefined ? [] : (probe as JsonObject).replies;
      if (!Array.isArray(replies)) fail(`${at}.replies is not an array`);
      return {
        ttl,
        replies: (replies as unknown[]).map((reply, r) => {
          if (!isObject(reply)) fail(`${at}.replies[${r}] is not an object`);
          const rtt = rttOf(reply as JsonObject, fail, `${at}.replies[${r}]`);
          const { icmp_type: type, icmp_code: code } = reply as JsonObject;
          const mark = typeof type === 'number' && typeof code === 'number' ? icmpMark(family, type, code) : null;
          return { ip: addr, rttMs: rtt, marks: mark === null ? [] : [mark] };
        }),
      };
    }),
  };
}

/** An interface address, or null for scamper's "*" (nothing answered there). */
function address(value: unknown, where: string, fail: Fail): string | null {
  if (value === '*') return null;
  if (typeof value !== 'string' || ipFamily(value) === 0) fail(`${where} is not an IP address or "*": ${JSON.stringify(value)}`);
  return normalizeAddress(value as string);
}
