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
import { formatIPv4, formatIPv6 } from '../net/ip';
import type { StreamPrefix } from './stream-prefix';
import { compareStamps } from './timestamp';

export interface FlowState {
  index: number;
  protocol: 'tcp' | 'udp';
  v6: boolean;
  /** Client and server addresses as the decoder gives them (four 32-bit words; IPv4 in word 3). */
  c0: number;
  c1: number;
  c2: number;
  c3: number;
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  clientPort: number;
  serverPort: number;
  /** The next older flow whose 4-tuple has the same hash. */
  chain: FlowState | null;
  packets: number;
  bytes: number;
  firstSec: number;
  firstNsec: number;
  firstDigits: number;
  lastSec: number;
  lastNsec: number;
  lastDigits: number;
  /** TCP base sequence numbers, client->server (0) and server->client (1); -1 until set. */
  base0: number;
  base1: number;
  /** Payload inspection state, owned by the extractor. */
  sni: string | null;
  tls: StreamPrefix | null;
  tlsDone: boolean;
  dnsStream: StreamPrefix | null;
}

export class FlowTable {
  /** Every flow in order of its first packet (the stream index order of Wireshark). */
  readonly flows: FlowState[] = [];
  /** Flows by a hash of the unordered 4-tuple (a number: no string per packet), chained newest
   *  first, so a reused tuple finds its newest flow. */
  private readonly byHash = new Map<number, FlowState>();
  private lastFlow: FlowState | null = null;
  /** Set by track(): did the packet travel client -> server? */
  fromClient = true;

  /** Attribute the decoded TCP/UDP packet to its flow (creating it when needed). */
  track(d: PacketDecoder, packet: RawPacket): FlowState {
    const tcp = d.protocol === 6;
    let flow = this.find(d, tcp);
    let fromClient = true;
    if (flow) {
      fromClient = flow.c3 === d.src3 && flow.clientPort === d.srcPort && flow.c0 === d.src0 && flow.c1 === d.src1 && flow.c2 === d.src2;
      // A SYN (no ACK) whose sequence number is not the direction's base: the port was reused.
      if (tcp && (d.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
        const base = fromClient ? flow.base0 : flow.base1;
        if (base >= 0 && d.tcpSeq !== base) flow = null;
      }
    }
    if (!flow) {
      flow = this.create(d, packet, tcp);
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
    if (tcp && d.tcpHeaderFits) setBaseSequences(flow, d, fromClient);
    return flow;
  }

  /** The newest flow of the packet's 4-tuple and protocol. */
  private find(d: PacketDecoder, tcp: boolean): FlowState | null {
    const protocol = tcp ? 'tcp' : 'udp';
    const v6 = d.ipVersion === 6;
    const last = this.lastFlow;
    // Consecutive packets of one flow (bursts) skip the hash lookup.
    if (last && last.protocol === protocol && last.v6 === v6 && sameTuple(last, d)) return last;
    for (let f = this.byHash.get(tupleHash(d, tcp)) ?? null; f; f = f.chain) {
      if (f.protocol === protocol && f.v6 === v6 && sameTuple(f, d)) return f;
    }
    return null;
  }

  private create(d: PacketDecoder, packet: RawPacket, tcp: boolean): FlowState {
    const hash = tupleHash(d, tcp);
    const flow: FlowState = {
      index: this.flows.length,
      protocol: tcp ? 'tcp' : 'udp',
      v6: d.ipVersion === 6,
      c0: d.src0,
      c1: d.src1,
      c2: d.src2,
      c3: d.src3,
      s0: d.dst0,
      s1: d.dst1,
      s2: d.dst2,
      s3: d.dst3,
      clientPort: d.srcPort,
      serverPort: d.dstPort,
      chain: this.byHash.get(hash) ?? null,
      packets: 0,
      bytes: 0,
      firstSec: packet.sec,
      firstNsec: packet.nsec,
      firstDigits: packet.digits,
      lastSec: packet.sec,
      lastNsec: packet.nsec,
      lastDigits: packet.digits,
      base0: -1,
      base1: -1,
      sni: null,
      tls: null,
      tlsDone: !tcp,
      dnsStream: null,
    };
    this.byHash.set(hash, flow);
    this.flows.push(flow);
    return flow;
  }
}

/** packet-tcp.c's base sequence numbers: the first segment of a direction sets its own (its
 *  seq for a SYN, seq-1 otherwise); the first ACK sets the other direction's (ack-1). */
function setBaseSequences(flow: FlowState, d: PacketDecoder, fromClient: boolean): void {
  const own = d.tcpFlags & TCP_SYN ? d.tcpSeq : (d.tcpSeq - 1) >>> 0;
  const other = d.tcpFlags & TCP_ACK ? (d.tcpAck - 1) >>> 0 : -1;
  if (fromClient) {
    if (flow.base0 < 0) flow.base0 = own;
    if (flow.base1 < 0) flow.base1 = other;
  } else {
    if (flow.base1 < 0) flow.base1 = own;
    if (flow.base0 < 0) flow.base0 = other;
  }
}

/** Does the packet belong to the flow's 4-tuple, in either direction? (Protocol and IP version
 *  are checked by the caller.) Word 3 and the ports differ most often: compared first. */
function sameTuple(f: FlowState, d: PacketDecoder): boolean {
  if (f.c3 === d.src3 && f.clientPort === d.srcPort && f.s3 === d.dst3 && f.serverPort === d.dstPort) {
    return f.c0 === d.src0 && f.c1 === d.src1 && f.c2 === d.src2 && f.s0 === d.dst0 && f.s1 === d.dst1 && f.s2 === d.dst2;
  }
  if (f.c3 === d.dst3 && f.clientPort === d.dstPort && f.s3 === d.src3 && f.serverPort === d.srcPort) {
    return f.c0 === d.dst0 && f.c1 === d.dst1 && f.c2 === d.dst2 && f.s0 === d.src0 && f.s1 === d.src1 && f.s2 === d.src2;
  }
  return false;
}

/** Hash of the unordered 4-tuple, protocol and IP version: the same for both directions (a sum
 *  of the two endpoints' hashes), kept in the small-integer range a Map hashes fastest. */
function tupleHash(d: PacketDecoder, tcp: boolean): number {
  const src = endpointHash(d.src0, d.src1, d.src2, d.src3, d.srcPort);
  const dst = endpointHash(d.dst0, d.dst1, d.dst2, d.dst3, d.dstPort);
  return ((src + dst) ^ (tcp ? 0x5bd1e995 : 0) ^ (d.ipVersion === 6 ? 0x2545f491 : 0)) & 0x3fffffff;
}

function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w3 ^ Math.imul(port, 0x9e3779b1), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w2, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16) ^ w0, 0x165667b1);
  return h ^ (h >>> 15);
}

/** Text of an address the decoder kept as words (formatted once per distinct address). */
export class AddressText {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();
  private readonly bytes = new Uint8Array(16);
  private readonly view = new DataView(this.bytes.buffer);

  of(v6: boolean, w0: number, w1: number, w2: number, w3: number): string {
    if (!v6) {
      let text = this.v4.get(w3);
      if (text === undefined) {
        this.view.setInt32(0, w3);
        text = formatIPv4(this.bytes, 0);
        this.v4.set(w3, text);
      }
      return text;
    }
    const key = `${w0},${w1},${w2},${w3}`;
    let text = this.v6.get(key);
    if (text === undefined) {
      this.view.setInt32(0, w0);
      this.view.setInt32(4, w1);
      this.view.setInt32(8, w2);
      this.view.setInt32(12, w3);
      text = formatIPv6(this.bytes, 0);
      this.v6.set(key, text);
    }
    return text;
  }
}
