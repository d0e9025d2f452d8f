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
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  /** IPv6 address keys (see PacketDecoder.srcKey) or IPv4 addresses as numbers. */
  clientKey: string;
  serverKey: string;
  clientNum: number;
  serverNum: number;
  /** Table key: hash (IPv4) or string (IPv6) of the unordered 4-tuple; next IPv4 flow with the same hash. */
  hash: number;
  key: string;
  chain: FlowState | null;
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
  /** IPv4 flows by a hash of the unordered 4-tuple (no string per packet), chained. */
  private readonly byHash = new Map<number, FlowState>();
  /** IPv6 flows by a string of the unordered 4-tuple. */
  private readonly byKey = new Map<string, FlowState>();
  private lastFlow: FlowState | null = null;
  private lookupHash = 0;
  private lookupKey = '';
  /** Set by track(): did the packet travel client -> server? */
  fromClient = true;

  /** Attribute the decoded TCP/UDP packet to its flow (creating it when needed). */
  track(decoder: PacketDecoder, packet: RawPacket): FlowState {
    const tcp = decoder.protocol === 6;
    const sport = decoder.srcPort;
    const dport = decoder.dstPort;
    const v4 = decoder.ipVersion === 4;
    let flow = v4 ? this.findV4(tcp, decoder.src4, decoder.dst4, sport, dport) : this.findV6(tcp, decoder.srcKey, decoder.dstKey, sport, dport);
    let fromClient = true;
    if (flow) {
      fromClient = (v4 ? flow.clientNum === decoder.src4 : flow.clientKey === decoder.srcKey) && flow.clientPort === sport;
      if (tcp && (decoder.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
        const dir = fromClient ? 0 : 1;
        if (flow.baseSet[dir] && decoder.tcpSeq !== flow.baseSeq[dir]) flow = undefined; // port reused
      }
    }
    if (!flow) {
      flow = this.create(decoder, packet, tcp);
      if (v4) {
        flow.chain = this.byHash.get(this.lookupHash) ?? null; // newest first: a reused tuple finds the new flow
        this.byHash.set(this.lookupHash, flow);
      } else {
        this.byKey.set(this.lookupKey, flow);
      }
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

  private findV4(tcp: boolean, src: number, dst: number, sport: number, dport: number): FlowState | undefined {
    const protocol = tcp ? 'tcp' : 'udp';
    const last = this.lastFlow;
    // Consecutive packets of one flow (bursts) skip the hash lookup.
    if (last && last.protocol === protocol && last.clientKey === '' && sameTuple4(last, src, dst, sport, dport)) {
      this.lookupHash = last.hash;
      return last;
    }
    const hash = hashTuple4(tcp, src, dst, sport, dport);
    this.lookupHash = hash;
    for (let f = this.byHash.get(hash); f; f = f.chain ?? undefined) {
      if (f.protocol === protocol && sameTuple4(f, src, dst, sport, dport)) return f;
    }
    return undefined;
  }

  private findV6(tcp: boolean, src: string, dst: string, sport: number, dport: number): FlowState | undefined {
    const protocol = tcp ? 'tcp' : 'udp';
    const last = this.lastFlow;
    if (last && last.protocol === protocol && last.clientKey !== '' && sameTuple6(last, src, dst, sport, dport)) {
      this.lookupKey = last.key;
      return last;
    }
    const srcFirst = src < dst || (src === dst && sport <= dport);
    this.lookupKey = srcFirst ? `${protocol}${src}${sport}|${dst}${dport}` : `${protocol}${dst}${dport}|${src}${sport}`;
    return this.byKey.get(this.lookupKey);
  }

  private create(decoder: PacketDecoder, packet: RawPacket, tcp: boolean): FlowState {
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
      clientNum: decoder.src4,
      serverNum: decoder.dst4,
      hash: this.lookupHash,
      key: decoder.ipVersion === 4 ? '' : this.lookupKey,
      chain: null,
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

function sameTuple4(f: FlowState, src: number, dst: number, sport: number, dport: number): boolean {
  return (
    (f.clientNum === src && f.clientPort === sport && f.serverNum === dst && f.serverPort === dport) ||
    (f.clientNum === dst && f.clientPort === dport && f.serverNum === src && f.serverPort === sport)
  );
}

function sameTuple6(f: FlowState, src: string, dst: string, sport: number, dport: number): boolean {
  return (
    (f.clientKey === src && f.clientPort === sport && f.serverKey === dst && f.serverPort === dport) ||
    (f.clientKey === dst && f.clientPort === dport && f.serverKey === src && f.serverPort === sport)
  );
}

/** Hash of the unordered IPv4 4-tuple and protocol (both directions give the same value). */
function hashTuple4(tcp: boolean, src: number, dst: number, sport: number, dport: number): number {
  const srcFirst = src < dst || (src === dst && sport <= dport);
  const a = srcFirst ? src : dst;
  const b = srcFirst ? dst : src;
  const ports = srcFirst ? sport * 65536 + dport : dport * 65536 + sport;
  return (Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ ports ^ (tcp ? 0x5bd1e995 : 0)) | 0;
}
