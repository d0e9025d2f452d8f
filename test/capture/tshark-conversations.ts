/**
 * The reference: Wireshark's own tcp.stream / udp.stream conversations of a capture, via tshark,
 * in the same shape as our flows (endpoints, packets, bytes per stream), to compare as text.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import type { Flow } from '../../lib/types';

const run = promisify(execFile);

export interface Conversation {
  protocol: 'tcp' | 'udp';
  client: string; // ip|port of the side that sent first
  server: string;
  packets: number;
  bytes: number;
}

/** tshark's conversations. ICMP error packets are left out: tshark dissects the TCP/UDP header
 *  quoted inside them, which is not traffic of the connection. A frame counts for its innermost
 *  TCP/UDP conversation (occurrence=l), so tunnelled packets show their inner endpoints. */
export async function tsharkConversations(file: string): Promise<Conversation[]> {
  const fields = ['frame.len', 'tcp.stream', 'udp.stream', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'frame.protocols'];
  const notIcmpError = 'not icmp.type in {3, 4, 5, 11, 12} and not icmpv6.type in {1, 2, 3, 4}';
  const args = ['-n', '-r', file, '-Y', `(tcp or udp) and ${notIcmpError}`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-E', 'separator=\t'];
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run('tshark', args, { maxBuffer: 512 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } });
  const streams = new Map<string, Conversation>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [len, tcpStreams, udpStreams, ip4src, ip4dst, ip6src, ip6dst, tsport, tdport, usport, udport, protocols] = line.split('\t');
    // A frame counts for its innermost TCP/UDP layer, with the addresses of the IP layer right
    // before it (tunnels: 6in4, GRE, VXLAN over IPv6, ...).
    const layers = protocols.split(':');
    const l4 = Math.max(layers.lastIndexOf('tcp'), layers.lastIndexOf('udp'));
    const tcp = layers[l4] === 'tcp';
    const before = layers.slice(0, l4);
    const inner6 = before.lastIndexOf('ipv6') > before.lastIndexOf('ip');
    const nth = before.filter((l) => l === (inner6 ? 'ipv6' : 'ip')).length - 1;
    const pick = (values: string, index: number): string => values.split(',')[index] ?? '';
    const last = (values: string): string => values.split(',').pop() ?? '';
    const src = pick(inner6 ? ip6src : ip4src, nth);
    const dst = pick(inner6 ? ip6dst : ip4dst, nth);
    const stream = last(tcp ? tcpStreams : udpStreams);
    if (stream === '') continue; // the layer was cut off before Wireshark filed it under a stream
    const key = `${tcp ? 't' : 'u'}${stream}`;
    const [sport, dport] = tcp ? [last(tsport), last(tdport)] : [last(usport), last(udport)];
    let conv = streams.get(key);
    if (!conv) {
      conv = {
        protocol: tcp ? 'tcp' : 'udp',
        client: `${src}|${sport}`,
        server: `${dst}|${dport}`,
        packets: 0,
        bytes: 0,
      };
      streams.set(key, conv);
    }
    conv.packets++;
    conv.bytes += Number(len);
  }
  return [...streams.values()];
}

/** Our flows in the same shape. */
export function asConversations(flows: Flow[]): Conversation[] {
  return flows.map((f) => ({
    protocol: f.protocol,
    client: `${f.client.ip}|${f.client.port}`,
    server: `${f.server.ip}|${f.server.port}`,
    packets: f.packets,
    bytes: f.bytes,
  }));
}

/** Sorted one-line texts, so a failed comparison shows the differing conversations. */
export function conversationLines(conversations: Conversation[]): string[] {
  return conversations.map((c) => `${c.protocol} ${c.client} -> ${c.server} packets=${c.packets} bytes=${c.bytes}`).sort();
}
