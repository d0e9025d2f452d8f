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
 *  quoted inside them, which is not traffic of the connection. The innermost IP layer is used
 *  (occurrence=l) so tunnelled packets show their inner addresses. */
export async function tsharkConversations(file: string): Promise<Conversation[]> {
  const fields = ['frame.len', 'tcp.stream', 'udp.stream', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport'];
  const args = ['-n', '-r', file, '-Y', '(tcp or udp) and not icmp and not icmpv6', '-T', 'fields', '-E', 'occurrence=l', '-E', 'separator=\t'];
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run('tshark', args, { maxBuffer: 512 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } });
  const streams = new Map<string, Conversation>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [len, tcpStream, udpStream, ip4src, ip4dst, ip6src, ip6dst, tsport, tdport, usport, udport] = line.split('\t');
    const tcp = tcpStream !== '';
    const key = tcp ? `t${tcpStream}` : `u${udpStream}`;
    // Addresses: IPv6 when present and IPv4 absent, or when it is the inner layer; tshark prints
    // both columns for 6in4 — the innermost is what the conversation uses.
    const src = ip6src && (!ip4src || line.indexOf(ip6src) > line.indexOf(ip4src)) ? ip6src : ip4src;
    const dst = ip6dst && (!ip4dst || src === ip6src) ? ip6dst : ip4dst;
    let conv = streams.get(key);
    if (!conv) {
      conv = {
        protocol: tcp ? 'tcp' : 'udp',
        client: `${src}|${tcp ? tsport : usport}`,
        server: `${dst}|${tcp ? tdport : udport}`,
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
