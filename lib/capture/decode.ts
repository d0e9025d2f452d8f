/**
 * Packet decoding from the link layer down to TCP/UDP ports, into one reused result object
 * (no per-packet allocation: addresses are kept as 32-bit words, not strings).
 *
 * Link types: Ethernet (1), Linux cooked v1 (113) and v2 (276), raw IP (101, and 12/14 as some
 * systems write it; 228 IPv4, 229 IPv6), BSD null (0, host byte order) and loopback (108,
 * big-endian), PPP (9, 50), NFLOG (239), IP over InfiniBand (242). Inside: 802.1Q/802.1ad tags (stacked), 802.3+SNAP, MACsec
 * (unencrypted), PPPoE sessions, MPLS;
 * IPv4 with options, IPv6 with hop-by-hop/routing/fragment/destination/AH/mobility headers;
 * IP-in-IP, IPv6-in-IP, GRE, VXLAN and Geneve tunnels are followed to the inner packet, as
 * Wireshark does.
 */
import { be16, be32, be32signed, le16, le32 } from './bytes';

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  PPP_HDLC: 50,
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  IPOIB: 242,
  LINUX_SLL2: 276,
} as const;

/** What the decoder made of a packet. */
export const enum Decoded {
  /** TCP or UDP header decoded (fields valid). */
  L4 = 1,
  /** IP fragment: fragment fields valid; L4 fields valid only when `fragmentHasL4`. */
  Fragment = 2,
  /** IP, but not TCP/UDP (ICMP, ESP, ...), or not IP at all (ARP, LLDP, ...). */
  Other = 3,
  /** Link type the decoder does not read. */
  UnsupportedLink = 4,
  /** Captured bytes end before the headers needed (snap length), or a header is malformed. */
  Short = 5,
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

const MAX_NESTING = 6; // tunnels, VLAN tags and MPLS labels beyond this are not worth following

export class PacketDecoder {
  /** 6 (TCP) or 17 (UDP) when status is L4 (or a fragment carrying the L4 header). */
  protocol = 0;
  ipVersion = 4;
  /** Addresses as four big-endian signed 32-bit words each; an IPv4 address is word 3 (0-2 are 0). */
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** Where the addresses are, to format them once per new flow. */
  data: Buffer = Buffer.alloc(0);
  srcOffset = 0;
  dstOffset = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  /** The TCP segment per the IP length holds at least its full header (Wireshark analyses
   *  sequence numbers only then). */
  tcpHeaderFits = false;
  /** UDP length field between 8 and the IP payload length (else Wireshark stops at UDP). */
  udpLengthSane = false;
  /** Captured application payload (may be shorter than the packet's payload when cut short). */
  payloadOffset = 0;
  payloadLength = 0;
  /** Fragment fields (status Fragment). */
  fragmentKey = '';
  fragmentOffset = 0;
  fragmentMore = false;
  /** Bytes of this fragment's data per the IP header, and whether all of them were captured. */
  fragmentLength = 0;
  fragmentComplete = false;
  fragmentHasL4 = false;

  /** Decode the packet at data[offset, offset + length) of the given link type. */
  decode(linkType: number, data: Buffer, offset: number, length: number): Decoded {
    this.data = data;
    this.fragmentHasL4 = false;
    const end = offset + length;
    switch (linkType) {
      case LINKTYPE.ETHERNET:
        return this.ethernet(data, offset, end, 0);
      case LINKTYPE.LINUX_SLL:
        if (end - offset < 16) return Decoded.Short;
        return this.etherType(be16(data, offset + 14), data, offset + 16, end, 0);
      case LINKTYPE.LINUX_SLL2:
        if (end - offset < 20) return Decoded.Short;
        return this.etherType(be16(data, offset), data, offset + 20, end, 0);
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_12:
      case LINKTYPE.RAW_14:
        return this.ipByVersion(data, offset, end, 0);
      case LINKTYPE.IPV4:
        // Wireshark's IPv4 dissector hands version-6 packets on (files do mislabel these) ...
        return this.ipByVersion(data, offset, end, 0);
      case LINKTYPE.IPV6:
        // ... its IPv6 dissector does not.
        return this.ipv6(data, offset, end, 0);
      case LINKTYPE.NFLOG:
        return this.nflog(data, offset, end);
      case LINKTYPE.IPOIB:
        // 40 bytes of link addresses, then the 4-byte IPoIB header (EtherType, reserved)
        if (end - offset < 44) return Decoded.Short;
        return this.etherType(be16(data, offset + 40), data, offset + 44, end, 0);
      case LINKTYPE.PPP:
      case LINKTYPE.PPP_HDLC:
        return this.ppp(data, offset, end);
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP: {
        if (end - offset < 4) return Decoded.Short;
        // NULL holds the family in the capturing host's byte order; a value above 0xffff
        // means the file came from a host of the other order (what Wireshark checks too).
        let family = linkType === LINKTYPE.LOOP ? be32(data, offset) : le32(data, offset);
        if (family > 0xffff) family = be32(data, offset);
        if (family === 2) return this.ipv4(data, offset + 4, end, 0);
        if (family === 10 || family === 24 || family === 28 || family === 30) return this.ipv6(data, offset + 4, end, 0);
        return Decoded.Other;
      }
      default:
        return Decoded.UnsupportedLink;
    }
  }

  private ethernet(data: Buffer, offset: number, end: number, depth: number): Decoded {
    if (end - offset < 14) return Decoded.Short;
    return this.etherType(be16(data, offset + 12), data, offset + 14, end, depth);
  }

  private etherType(type: number, data: Buffer, offset: number, end: number, depth: number): Decoded {
    for (;;) {
      if (type === 0x0800) return this.ipv4(data, offset, end, depth);
      if (type === 0x86dd) return this.ipv6(data, offset, end, depth);
      if (depth > MAX_NESTING) return Decoded.Other;
      depth++;
      if (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
        // 802.1Q / 802.1ad tag: 2 bytes TCI, then the next type
        if (end - offset < 4) return Decoded.Short;
        type = be16(data, offset + 2);
        offset += 4;
      } else if (type <= 1500) {
        // 802.3 length field: only LLC/SNAP carries an EtherType on
        if (end - offset < 8) return Decoded.Short;
        if (data[offset] !== 0xaa || data[offset + 1] !== 0xaa || data[offset + 2] !== 0x03) return Decoded.Other;
        type = be16(data, offset + 6);
        offset += 8;
      } else if (type === 0x88e5) {
        // MACsec: TCI/AN, short length, packet number, optional SCI; encrypted payloads end here
        if (end - offset < 6) return Decoded.Short;
        const tci = data[offset];
        if (tci & 0x08) return Decoded.Other;
        offset += tci & 0x20 ? 14 : 6;
        if (end - offset < 2) return Decoded.Short;
        type = be16(data, offset);
        offset += 2;
      } else if (type === 0x8864) {
        // PPPoE session: 6-byte header, then a 2-byte PPP protocol
        if (end - offset < 8) return Decoded.Short;
        const ppp = be16(data, offset + 6);
        offset += 8;
        if (ppp === 0x0021) type = 0x0800;
        else if (ppp === 0x0057) type = 0x86dd;
        else return Decoded.Other;
      } else if (type === 0x8847 || type === 0x8848) {
        return this.mpls(data, offset, end, depth);
      } else {
        return Decoded.Other;
      }
    }
  }

  /** MPLS: labels until the bottom of the stack, then IP guessed from the version nibble. */
  private mpls(data: Buffer, offset: number, end: number, depth: number): Decoded {
    for (let labels = 0; labels < 16; labels++) {
      if (end - offset < 4) return Decoded.Short;
      const bottom = data[offset + 2] & 0x01;
      offset += 4;
      if (bottom) return this.ipByVersion(data, offset, end, depth);
    }
    return Decoded.Other;
  }

  /** Linux NFLOG: 4-byte header, then TLVs (little-endian length/type); type 9 is the packet. */
  private nflog(data: Buffer, offset: number, end: number): Decoded {
    let at = offset + 4;
    while (end - at >= 4) {
      const length = le16(data, at);
      const type = le16(data, at + 2);
      if (length < 4) return Decoded.Other;
      if (type === 9) return this.ipByVersion(data, at + 4, Math.min(end, at + length), 0);
      at += (length + 3) & ~3;
    }
    return Decoded.Short;
  }

  /** PPP, with or without the HDLC address/control bytes, 1- or 2-byte protocol field. */
  private ppp(data: Buffer, offset: number, end: number): Decoded {
    if (end - offset >= 2 && data[offset] === 0xff && data[offset + 1] === 0x03) offset += 2;
    if (end - offset < 1) return Decoded.Short;
    let protocol = data[offset];
    if (protocol & 1) {
      offset += 1; // compressed protocol field
    } else {
      if (end - offset < 2) return Decoded.Short;
      protocol = be16(data, offset);
      offset += 2;
    }
    if (protocol === 0x21) return this.ipv4(data, offset, end, 0);
    if (protocol === 0x57) return this.ipv6(data, offset, end, 0);
    if (protocol === 0x0281 || protocol === 0x0283) return this.mpls(data, offset, end, 0);
    return Decoded.Other;
  }

  private ipByVersion(data: Buffer, offset: number, end: number, depth: number): Decoded {
    if (end - offset < 1) return Decoded.Short;
    const version = data[offset] >> 4;
    if (version === 4) return this.ipv4(data, offset, end, depth);
    if (version === 6) return this.ipv6(data, offset, end, depth);
    return Decoded.Other;
  }

  private ipv4(data: Buffer, offset: number, end: number, depth: number): Decoded {
    const avail = end - offset;
    if (avail < 20) return Decoded.Short;
    const first = data[offset];
    if (first >> 4 !== 4) return Decoded.Other;
    const headerLength = (first & 0x0f) * 4;
    if (headerLength < 20) return Decoded.Other;
    if (avail < headerLength) return Decoded.Short;
    let totalLength = be16(data, offset + 2);
    if (totalLength === 0) totalLength = avail; // segmentation offload: the length is left 0
    if (totalLength < headerLength) return Decoded.Other;
    this.ipVersion = 4;
    this.srcOffset = offset + 12;
    this.dstOffset = offset + 16;
    this.src0 = this.src1 = this.src2 = 0;
    this.dst0 = this.dst1 = this.dst2 = 0;
    this.src3 = be32signed(data, offset + 12);
    this.dst3 = be32signed(data, offset + 16);
    const protocol = data[offset + 9];
    const payloadStart = offset + headerLength;
    const declaredEnd = offset + totalLength;
    const capturedEnd = Math.min(declaredEnd, end);
    const fragmentField = be16(data, offset + 6);
    if (fragmentField & 0x3fff) {
      this.fragmentKey = `4,${this.src3},${this.dst3},${be16(data, offset + 4)},${protocol}`;
      return this.fragment(protocol, (fragmentField & 0x1fff) * 8, (fragmentField & 0x2000) !== 0, data, payloadStart, declaredEnd, capturedEnd);
    }
    return this.transport(protocol, data, payloadStart, declaredEnd, capturedEnd, depth);
  }

  private ipv6(data: Buffer, offset: number, end: number, depth: number): Decoded {
    const avail = end - offset;
    if (avail < 40) return Decoded.Short;
    if (data[offset] >> 4 !== 6) return Decoded.Other;
    this.ipVersion = 6;
    this.srcOffset = offset + 8;
    this.dstOffset = offset + 24;
    this.src0 = be32signed(data, offset + 8);
    this.src1 = be32signed(data, offset + 12);
    this.src2 = be32signed(data, offset + 16);
    this.src3 = be32signed(data, offset + 20);
    this.dst0 = be32signed(data, offset + 24);
    this.dst1 = be32signed(data, offset + 28);
    this.dst2 = be32signed(data, offset + 32);
    this.dst3 = be32signed(data, offset + 36);
    const payloadLength = be16(data, offset + 4);
    let declaredEnd = offset + 40 + payloadLength;
    if (payloadLength === 0) {
      // A jumbogram (RFC 2675; BIG TCP uses them): the length is in a hop-by-hop Jumbo Payload
      // option. Without one, Wireshark does not dissect the payload, and neither do we.
      const jumbo = jumboLength(data, offset, end);
      if (jumbo < 0) return Decoded.Other;
      declaredEnd = offset + 40 + jumbo;
    }
    const capturedEnd = Math.min(declaredEnd, end);
    let next = data[offset + 6];
    let at = offset + 40;
    for (let headers = 0; headers < 16; headers++) {
      if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
        if (capturedEnd - at < 8) return Decoded.Short;
        const nextNext = data[at];
        at += (data[at + 1] + 1) * 8;
        next = nextNext;
      } else if (next === 51) {
        if (capturedEnd - at < 8) return Decoded.Short;
        const nextNext = data[at];
        at += (data[at + 1] + 2) * 4; // AH counts 4-byte words minus 2
        next = nextNext;
      } else if (next === 44) {
        if (capturedEnd - at < 8) return Decoded.Short;
        const field = be16(data, at + 2);
        const fragmentOffset = field & 0xfff8;
        const more = (field & 1) !== 0;
        const inner = data[at];
        const id = data.toString('latin1', at + 4, at + 8);
        at += 8;
        if (fragmentOffset === 0 && !more) {
          next = inner; // atomic fragment: a whole packet, dissected as such
          continue;
        }
        this.fragmentKey = `6${data.toString('latin1', offset + 8, offset + 40)}${id}`; // both addresses, raw
        return this.fragment(inner, fragmentOffset, more, data, at, declaredEnd, capturedEnd);
      } else {
        break;
      }
      if (at > declaredEnd) return Decoded.Other;
    }
    return this.transport(next, data, at, declaredEnd, capturedEnd, depth);
  }

  private fragment(protocol: number, fragmentOffset: number, more: boolean, data: Buffer, start: number, declaredEnd: number, capturedEnd: number): Decoded {
    this.fragmentOffset = fragmentOffset;
    this.fragmentMore = more;
    this.fragmentLength = Math.max(0, declaredEnd - start);
    this.fragmentComplete = capturedEnd >= declaredEnd;
    if (fragmentOffset === 0 && (protocol === 6 || protocol === 17)) {
      this.fragmentHasL4 = this.ports(protocol, data, start, capturedEnd, declaredEnd);
    }
    return Decoded.Fragment;
  }

  private transport(protocol: number, data: Buffer, start: number, declaredEnd: number, capturedEnd: number, depth: number): Decoded {
    if (protocol === 6 || protocol === 17) {
      if (!this.ports(protocol, data, start, capturedEnd, declaredEnd)) return Decoded.Short;
      if (protocol === 17 && depth < MAX_NESTING && this.udpLengthSane && isUdpTunnelPort(this.srcPort) !== isUdpTunnelPort(this.dstPort)) {
        return this.udpTunnel(data, capturedEnd, depth + 1);
      }
      return Decoded.L4;
    }
    if (depth >= MAX_NESTING) return Decoded.Other;
    if (protocol === 4) return this.ipv4(data, start, capturedEnd, depth + 1);
    if (protocol === 41) return this.ipv6(data, start, capturedEnd, depth + 1);
    if (protocol === 47) return this.gre(data, start, capturedEnd, depth + 1);
    return Decoded.Other;
  }

  /** VXLAN (4789), VXLAN-GPE (4790) and Geneve (6081), which Wireshark decodes by default: the
   *  packet belongs to the inner TCP/UDP flow when there is one, else to the outer UDP flow. */
  private udpTunnel(data: Buffer, end: number, depth: number): Decoded {
    const start = this.payloadOffset;
    const port = isUdpTunnelPort(this.srcPort) ? this.srcPort : this.dstPort;
    const outer = this.snapshot();
    let inner: Decoded = Decoded.Other;
    if (end - start >= 8) {
      if (port === 4789) {
        inner = this.ethernet(data, start + 8, end, depth);
      } else if (port === 4790) {
        const next = data[start + 3];
        if (next === 1) inner = this.ipv4(data, start + 8, end, depth);
        else if (next === 2) inner = this.ipv6(data, start + 8, end, depth);
        else if (next === 3) inner = this.ethernet(data, start + 8, end, depth);
      } else {
        const headerLength = 8 + (data[start] & 0x3f) * 4;
        const type = be16(data, start + 2);
        if (type === 0x6558) inner = this.ethernet(data, start + headerLength, end, depth);
        else if (type === 0x0800 || type === 0x86dd) inner = this.etherType(type, data, start + headerLength, end, depth);
      }
    }
    if (inner === Decoded.L4 || inner === Decoded.Fragment) return inner;
    this.restore(outer);
    this.protocol = 17;
    this.tcpFlags = 0;
    return Decoded.L4;
  }

  /** The outer packet's fields, kept while a tunnel's inner packet is tried. */
  private snapshot(): number[] {
    return [this.ipVersion, this.src0, this.src1, this.src2, this.src3, this.dst0, this.dst1, this.dst2, this.dst3, this.srcOffset, this.dstOffset, this.srcPort, this.dstPort, this.payloadOffset, this.payloadLength];
  }

  private restore(fields: number[]): void {
    [this.ipVersion, this.src0, this.src1, this.src2, this.src3, this.dst0, this.dst1, this.dst2, this.dst3, this.srcOffset, this.dstOffset, this.srcPort, this.dstPort, this.payloadOffset, this.payloadLength] = fields;
  }

  private gre(data: Buffer, offset: number, end: number, depth: number): Decoded {
    if (end - offset < 4) return Decoded.Short;
    const flags = be16(data, offset);
    if ((flags & 0x7) !== 0) return Decoded.Other; // version 1 (PPTP) carries PPP, not followed
    const type = be16(data, offset + 2);
    let at = offset + 4;
    if (flags & 0x8000) at += 4; // checksum + reserved
    if (flags & 0x2000) at += 4; // key
    if (flags & 0x1000) at += 4; // sequence number
    if (type === 0x6558) return this.ethernet(data, at, end, depth);
    if (type === 0x0800 || type === 0x86dd) return this.etherType(type, data, at, end, depth);
    return Decoded.Other;
  }

  /** Read TCP/UDP header fields; false when the captured bytes end before them. */
  private ports(protocol: number, data: Buffer, start: number, capturedEnd: number, declaredEnd: number): boolean {
    this.protocol = protocol;
    if (protocol === 6) {
      // Wireshark reads ports, sequence numbers, flags and window (16 bytes) before it files
      // the segment under a conversation; a shorter capture is not attributed.
      if (capturedEnd - start < 16) return false;
      // A header length below 20 is bogus, but Wireshark has filed the segment under its
      // conversation before it checks that: count it, look at no payload.
      const headerLength = (data[start + 12] >> 4) * 4;
      this.srcPort = be16(data, start);
      this.dstPort = be16(data, start + 2);
      this.tcpSeq = be32(data, start + 4);
      this.tcpAck = be32(data, start + 8);
      this.tcpFlags = data[start + 13];
      this.tcpHeaderFits = declaredEnd - start >= headerLength;
      this.payloadOffset = start + headerLength;
      this.payloadLength = headerLength < 20 ? 0 : Math.max(0, Math.min(capturedEnd, declaredEnd) - this.payloadOffset);
      return true;
    }
    if (capturedEnd - start < 8) return false; // Wireshark files a datagram only with its whole header
    this.srcPort = be16(data, start);
    this.dstPort = be16(data, start + 2);
    // A length field below 8 is bogus and Wireshark files no conversation (0 is fine only for
    // an IPv6 jumbogram); beyond the IP payload it files one but hands no payload on.
    const udpLength = be16(data, start + 4);
    if (udpLength < 8 && !(udpLength === 0 && this.ipVersion === 6)) return false;
    this.udpLengthSane = udpLength >= 8 && udpLength <= declaredEnd - start;
    this.tcpFlags = 0;
    this.payloadOffset = start + 8;
    this.payloadLength = Math.max(0, capturedEnd - this.payloadOffset);
    return true;
  }
}

/** Payload length from the Jumbo Payload option of a hop-by-hop header right after the IPv6
 *  header at `offset`; -1 when there is none. */
function jumboLength(data: Buffer, offset: number, end: number): number {
  if (data[offset + 6] !== 0 || end - offset < 48) return -1;
  const headerEnd = Math.min(end, offset + 40 + (data[offset + 41] + 1) * 8);
  let at = offset + 42;
  while (at < headerEnd) {
    const type = data[at];
    if (type === 0) {
      at++; // Pad1
      continue;
    }
    if (at + 2 > headerEnd) break;
    const length = data[at + 1];
    if (type === 0xc2 && length === 4 && at + 6 <= headerEnd) return be32(data, at + 2);
    at += 2 + length;
  }
  return -1;
}

function isUdpTunnelPort(port: number): boolean {
  return port === 4789 || port === 4790 || port === 6081;
}
