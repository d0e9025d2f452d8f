/**
 * Conversations as Wireshark's tcp.stream / udp.stream number them:
 *  - UDP: one flow per unordered 4-tuple for the whole capture;
 *  - TCP: one flow per 4-tuple, except that a SYN without ACK whose sequence number differs from
 *    the base sequence number already known for its direction starts a new flow (a reused
 *    port: the earlier connection ended — FIN both ways or RST — and a new one began). This is
 *    packet-tcp.c's rule, base sequence numbers included: the first segment of a direction sets
 *    it (its seq for a SYN, seq-1 otherwise), the first ACK from the other side sets the other
 *    direction's (ack-1), and only segments whose IP length covers the TCP header count.
 * The client is the side that sent the flow's first packet.
 */
import type { RawPacket } from './capture-reader';
import { type PacketDecoder, TCP_ACK, TCP_SYN } from './decode';
import { formatIPv4, formatIPv6 } from './ip-format';
import type { StreamPrefix } from './stream-prefix';
import { compareStamps } from './timestamp';

export interface FlowState {
  index: number;
  protocol: 'tcp' | 'udp';
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  /** Address keys (see PacketDecoder.srcKey) of client and server, and the table key. */
  clientKey: string;
  serverKey: string;
  key: string;
  packets: number;
  bytes: number;
  firstSec: number;
  firstNsec: number;
  firstDigits: number;
  lastSec: number;
  lastNsec: number;
  lastDigits: number;
  /** TCP base sequence numbers: [0] client->server, [1] server->client. */
  baseSeq: [number, number];
  baseSet: [boolean, boolean];
  /** Payload inspection state, owned by the extractor. */
  sni: string | null;
  tls: StreamPrefix | null;
  tlsDone: boolean;
  dnsStream: StreamPrefix | null;
}

export class FlowTable {
  /** Every flow in order of its first packet (the stream index order of Wireshark). */
  readonly flows: FlowState[] = [];
  private readonly current = new Map<string, FlowState>();
  private lastFlow: FlowState | null = null;
  /** Set by track(): did the packet travel client -> server? */
  fromClient = true;

  /** Attribute the decoded TCP/UDP packet to its flow (creating it when needed). */
  track(decoder: PacketDecoder, packet: RawPacket): FlowState {
    const tcp = decoder.protocol === 6;
    const src = decoder.srcKey;
    const dst = decoder.dstKey;
    const sport = decoder.srcPort;
    const dport = decoder.dstPort;
    let key: string;
    let flow: FlowState | undefined;
    const last = this.lastFlow;
    if (last && last.protocol === (tcp ? 'tcp' : 'udp') && ((last.clientKey === src && last.clientPort === sport && last.serverKey === dst && last.serverPort === dport) || (last.clientKey === dst && last.clientPort === dport && last.serverKey === src && last.serverPort === sport))) {
      // Consecutive packets of one flow (bursts) skip building the key and the map lookup.
      flow = last;
      key = last.key;
    } else {
      const srcFirst = src < dst || (src === dst && sport <= dport);
      key = srcFirst ? `${tcp ? 't' : 'u'}${src}${sport}|${dst}${dport}` : `${tcp ? 't' : 'u'}${dst}${dport}|${src}${sport}`;
      flow = this.current.get(key);
    }
    let fromClient = true;
    if (flow) {
      fromClient = flow.clientKey === src && flow.clientPort === sport;
      if (tcp && (decoder.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
        const dir = fromClient ? 0 : 1;
        if (flow.baseSet[dir] && decoder.tcpSeq !== flow.baseSeq[dir]) flow = undefined; // port reused
      }
    }
    if (!flow) {
      flow = this.create(decoder, packet, tcp, key);
      this.current.set(key, flow);
      fromClient = true;
    }
    this.lastFlow = flow;
    this.fromClient = fromClient;
    flow.packets++;
    flow.bytes += packet.originalLength;
    if (compareStamps(packet.sec, packet.nsec, flow.firstSec, flow.firstNsec) < 0) {
      flow.firstSec = packet.sec;
      flow.firstNsec = packet.nsec;
      flow.firstDigits = packet.digits;
    }
    if (compareStamps(packet.sec, packet.nsec, flow.lastSec, flow.lastNsec) >= 0) {
      flow.lastSec = packet.sec;
      flow.lastNsec = packet.nsec;
      flow.lastDigits = packet.digits;
    }
    if (tcp && decoder.tcpHeaderFits) {
      const fwd = fromClient ? 0 : 1;
      const rev = 1 - fwd;
      if (!flow.baseSet[fwd]) {
        flow.baseSeq[fwd] = decoder.tcpFlags & TCP_SYN ? decoder.tcpSeq : (decoder.tcpSeq - 1) >>> 0;
        flow.baseSet[fwd] = true;
      }
      if (!flow.baseSet[rev] && decoder.tcpFlags & TCP_ACK) {
        flow.baseSeq[rev] = (decoder.tcpAck - 1) >>> 0;
        flow.baseSet[rev] = true;
      }
    }
    return flow;
  }

  private create(decoder: PacketDecoder, packet: RawPacket, tcp: boolean, key: string): FlowState {
    const format = decoder.ipVersion === 4 ? formatIPv4 : formatIPv6;
    const flow: FlowState = {
      index: this.flows.length,
      protocol: tcp ? 'tcp' : 'udp',
      clientIp: format(decoder.data, decoder.srcOffset),
      clientPort: decoder.srcPort,
      serverIp: format(decoder.data, decoder.dstOffset),
      serverPort: decoder.dstPort,
      clientKey: decoder.srcKey,
      serverKey: decoder.dstKey,
      key,
      packets: 0,
      bytes: 0,
      firstSec: packet.sec,
      firstNsec: packet.nsec,
      firstDigits: packet.digits,
      lastSec: packet.sec,
      lastNsec: packet.nsec,
      lastDigits: packet.digits,
      baseSeq: [0, 0],
      baseSet: [false, false],
      sni: null,
      tls: null,
      tlsDone: !tcp,
      dnsStream: null,
    };
    this.flows.push(flow);
    return flow;
  }
}
