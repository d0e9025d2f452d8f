/**
 * Capture -> flows (DESIGN 4.4): one core, `FlowExtractor`, fed chunk by chunk; a streaming
 * form over any (async) iterable of chunks — e.g. fs.createReadStream — and a whole-file form
 * over one Buffer, both using that core. Besides the contract fields it reports DNS answers
 * (name -> addresses), the TLS SNI and DNS names of each flow's server, and counts of what was
 * not attributed (other link types, truncated, fragmented, non-TCP/UDP packets).
 */
import type { CaptureFormat, Flow } from '../types';
import { CaptureReader, type RawPacket } from './capture-reader';
import { Decoded, PacketDecoder } from './decode';
import { DnsTable, type DnsName, parseDnsMessage } from './dns';
import { FragmentTracker } from './fragments';
import { AddressText, type FlowState, FlowTable } from './flow-table';
import { formatIPv4, formatIPv6 } from '../net/ip';
import { StreamPrefix } from './stream-prefix';
import { formatTimestamp } from './timestamp';
import { findSni, MAX_CLIENT_HELLO } from './tls-sni';

export { CaptureFormatError } from './capture-reader';

export interface FlowExtractionOptions {
  /** Read DNS answers and TLS ClientHello SNI (default true). */
  names?: boolean;
  /** Keep the epoch-ms time of every packet of each flow (`packetTimes`, both directions, in
   *  capture order): lib/classify correlates long-lived connections with message times through
   *  them. Off by default (memory grows with the packet count). */
  packetTimes?: boolean;
}

/** A flow; `sni` and `serverNames` are the optional name extras (declared in lib/types.ts);
 *  `packetTimes` only with the `packetTimes` option. */
export type NamedFlow = Flow & { packetTimes?: number[] };

export interface CaptureStats {
  /** Packet records in the file. */
  records: number;
  /** Packets attributed to a flow (a reassembled datagram counts once). */
  inFlows: number;
  /** Records cut short by the snap length (captured < original length). */
  truncated: number;
  /** Records whose headers ended before the TCP/UDP ports, or were malformed there (a UDP
   *  length below 8): counted, not attributed — as Wireshark files no conversation for them. */
  shortHeaders: number;
  /** IP fragments seen, and datagrams Wireshark-style reassembly completed. */
  fragments: number;
  reassembled: number;
  /** IP packets that are not TCP/UDP, and non-IP frames (ARP, LLDP, ...). */
  otherProtocols: number;
  /** Records per link type number (pcapng files can mix several). */
  linkTypes: Record<string, number>;
  /** Records of link types the reader does not decode, by link type number. */
  skippedLinkTypes: Record<string, number>;
  /** Records naming an interface the pcapng section never described. */
  orphanRecords: number;
}

export interface FlowsResult {
  format: CaptureFormat;
  packets: number;
  flows: NamedFlow[];
  dns: DnsName[];
  stats: CaptureStats;
  /** Set when the file ends inside a record (everything before it was read). */
  cutShort?: string;
}

const DNS_TCP_CAP = 256 * 1024;

export class FlowExtractor {
  private readonly reader: CaptureReader;
  private readonly decoder = new PacketDecoder();
  private readonly table = new FlowTable();
  private readonly fragments = new FragmentTracker();
  private readonly dns = new DnsTable();
  private readonly names: boolean;
  /** Per flow index, epoch ms of its packets (only with options.packetTimes). */
  private readonly packetTimes: number[][] | null;
  private readonly stats: CaptureStats = {
    records: 0,
    inFlows: 0,
    truncated: 0,
    shortHeaders: 0,
    fragments: 0,
    reassembled: 0,
    otherProtocols: 0,
    linkTypes: {},
    skippedLinkTypes: {},
    orphanRecords: 0,
  };
  private lastLinkType = -1;
  private lastLinkCount = 0;

  constructor(options: FlowExtractionOptions = {}) {
    this.names = options.names ?? true;
    this.packetTimes = options.packetTimes ? [] : null;
    this.reader = new CaptureReader((packet) => this.onPacket(packet));
  }

  /** Feed the next chunk of the file (throws CaptureFormatError for an unreadable file). */
  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /** The file has ended: the result. */
  finish(): FlowsResult {
    this.reader.end();
    const byAddress = this.names ? this.namesByAddress() : new Map<string, string[]>();
    const times = this.packetTimes;
    const addresses = new AddressText();
    const flows = this.table.flows.map((f) => {
      const flow = toFlow(f, addresses, byAddress);
      if (times) flow.packetTimes = times[f.index] ?? [];
      return flow;
    });
    this.flushLinkTypeCount();
    this.stats.records = this.reader.records;
    this.stats.orphanRecords = this.reader.orphanRecords;
    this.stats.reassembled = this.fragments.reassembled;
    const result: FlowsResult = {
      format: this.reader.format as CaptureFormat,
      packets: this.reader.records,
      flows,
      dns: this.names ? this.dns.list() : [],
      stats: this.stats,
    };
    if (this.reader.cutShort) result.cutShort = this.reader.cutShort;
    return result;
  }

  private onPacket(packet: RawPacket): void {
    const stats = this.stats;
    if (packet.linkType !== this.lastLinkType) {
      this.flushLinkTypeCount();
      this.lastLinkType = packet.linkType;
    }
    this.lastLinkCount++;
    if (packet.capturedLength < packet.originalLength) stats.truncated++;
    const decoder = this.decoder;
    const outcome = decoder.decode(packet.linkType, packet.data, packet.offset, packet.capturedLength);
    if (outcome !== Decoded.L4) {
      if (outcome === Decoded.Fragment) {
        stats.fragments++;
        if (decoder.fragmentComplete) {
          if (!this.fragments.add(decoder)) return;
        } else {
          // Wireshark reassembles only fully captured fragments; of a cut-short one it dissects
          // the contents when it is the first fragment (no sequence analysis: header may lie).
          if (decoder.fragmentOffset !== 0 || !decoder.fragmentHasL4) return;
          decoder.tcpHeaderFits = false;
        }
      } else {
        if (outcome === Decoded.Short) stats.shortHeaders++;
        else if (outcome === Decoded.Other) stats.otherProtocols++;
        else stats.skippedLinkTypes[packet.linkType] = (stats.skippedLinkTypes[packet.linkType] ?? 0) + 1;
        return;
      }
    }
    stats.inFlows++;
    const flow = this.table.track(decoder, packet);
    if (this.packetTimes) (this.packetTimes[flow.index] ??= []).push(packet.sec * 1000 + Math.floor(packet.nsec / 1000) / 1000);
    if (this.names && decoder.payloadLength > 0) this.inspectPayload(flow, packet);
  }

  /** Link types change rarely between records: count runs, not every record in the object. */
  private flushLinkTypeCount(): void {
    if (this.lastLinkCount > 0) {
      const types = this.stats.linkTypes;
      types[this.lastLinkType] = (types[this.lastLinkType] ?? 0) + this.lastLinkCount;
    }
    this.lastLinkCount = 0;
  }

  /** DNS answers (UDP and TCP port 53) and the TLS ClientHello SNI. */
  private inspectPayload(flow: FlowState, packet: RawPacket): void {
    const d = this.decoder;
    const fromClient = this.table.fromClient;
    if (flow.protocol === 'udp') {
      if (d.srcPort === 53) this.addDnsFrom(d.data, d.payloadOffset, d.payloadLength, packet);
      return;
    }
    if (fromClient && !flow.tlsDone) this.inspectTls(flow);
    if (d.srcPort === 53) {
      if (!flow.dnsStream) flow.dnsStream = new StreamPrefix(DNS_TCP_CAP);
      if (flow.dnsStream.add(d.tcpSeq, d.data, d.payloadOffset, d.payloadLength)) this.drainDnsStream(flow.dnsStream, packet);
    }
  }

  private inspectTls(flow: FlowState): void {
    const d = this.decoder;
    if (!flow.tls) {
      // Only a connection whose first client bytes look like a TLS handshake is followed.
      if (d.data[d.payloadOffset] !== 22) {
        flow.tlsDone = true;
        return;
      }
      flow.tls = new StreamPrefix(MAX_CLIENT_HELLO + 1024);
    }
    if (!flow.tls.add(d.tcpSeq, d.data, d.payloadOffset, d.payloadLength)) {
      if (flow.tls.closed) this.endTls(flow);
      return;
    }
    const bytes = flow.tls.bytes();
    const result = findSni(bytes, 0, bytes.length);
    if (result.kind === 'need-more' && !flow.tls.closed) return;
    if (result.kind === 'sni') flow.sni = result.name;
    this.endTls(flow);
  }

  private endTls(flow: FlowState): void {
    flow.tls?.release();
    flow.tls = null;
    flow.tlsDone = true;
  }

  private drainDnsStream(stream: StreamPrefix, packet: RawPacket): void {
    for (;;) {
      const bytes = stream.bytes();
      if (bytes.length < 2) return;
      const length = bytes.readUInt16BE(0);
      if (bytes.length < 2 + length) return;
      this.addDnsFrom(bytes, 2, length, packet);
      stream.consume(2 + length);
    }
  }

  private addDnsFrom(data: Buffer, offset: number, length: number, packet: RawPacket): void {
    const message = parseDnsMessage(data, offset, length);
    if (!message || !message.response) return;
    const d = this.decoder;
    const server = d.ipVersion === 4 ? formatIPv4(d.data, d.srcOffset) : formatIPv6(d.data, d.srcOffset);
    this.dns.add(message, server, formatTimestamp(packet.sec, packet.nsec, packet.digits));
  }

  private namesByAddress(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const entry of this.dns.list()) {
      for (const address of entry.addresses) {
        const list = map.get(address) ?? [];
        if (!list.includes(entry.name)) list.push(entry.name);
        map.set(address, list);
      }
    }
    return map;
  }
}

function toFlow(f: FlowState, addresses: AddressText, namesByAddress: Map<string, string[]>): NamedFlow {
  const serverIp = addresses.of(f.v6, f.s0, f.s1, f.s2, f.s3);
  const flow: NamedFlow = {
    protocol: f.protocol,
    client: { ip: addresses.of(f.v6, f.c0, f.c1, f.c2, f.c3), port: f.clientPort },
    server: { ip: serverIp, port: f.serverPort },
    packets: f.packets,
    bytes: f.bytes,
    firstSeen: formatTimestamp(f.firstSec, f.firstNsec, f.firstDigits),
    lastSeen: formatTimestamp(f.lastSec, f.lastNsec, f.lastDigits),
  };
  if (f.sni) flow.sni = f.sni;
  const names = namesByAddress.get(serverIp);
  if (names) flow.serverNames = names;
  return flow;
}

/** Streaming form: read the chunks as they come (memory stays bounded by one record + chunk). */
export async function extractFlows(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: FlowExtractionOptions = {}): Promise<FlowsResult> {
  const extractor = new FlowExtractor(options);
  for await (const chunk of chunks) extractor.push(chunk);
  return extractor.finish();
}

/** Whole-file form: a capture already in memory (tests, small files). */
export function extractFlowsFromBuffer(capture: Uint8Array, options: FlowExtractionOptions = {}): FlowsResult {
  const extractor = new FlowExtractor(options);
  extractor.push(capture);
  return extractor.finish();
}
