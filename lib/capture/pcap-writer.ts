/**
 * Building capture files and frames byte by byte: for tests (hand-built inputs for every link
 * type and header variant) and for the benchmark's synthetic capture. Checksums are left zero —
 * neither our reader nor tshark's conversation counting looks at them.
 */

export interface L4Spec {
  protocol: 'tcp' | 'udp';
  src: string; // IPv4 dotted or IPv6 (full or :: form)
  dst: string;
  srcPort: number;
  dstPort: number;
  /** TCP only. */
  flags?: number;
  seq?: number;
  ack?: number;
  payload?: Buffer;
  /** IPv4 options (multiple of 4 bytes) or IPv6 extension headers (see ipv6ExtensionHeaders). */
  ipv4Options?: Buffer;
  ipv6Extensions?: Array<{ type: number; body: Buffer }>;
}

export function parseAddress(text: string): Buffer {
  if (text.includes('.') && !text.includes(':')) return Buffer.from(text.split('.').map(Number));
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...new Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** TCP (20-byte header) or UDP header + payload. */
export function transportSegment(spec: L4Spec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  if (spec.protocol === 'udp') {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(spec.srcPort, 0);
    h.writeUInt16BE(spec.dstPort, 2);
    h.writeUInt16BE(8 + payload.length, 4);
    return Buffer.concat([h, payload]);
  }
  const h = Buffer.alloc(20);
  h.writeUInt16BE(spec.srcPort, 0);
  h.writeUInt16BE(spec.dstPort, 2);
  h.writeUInt32BE((spec.seq ?? 0) >>> 0, 4);
  h.writeUInt32BE((spec.ack ?? 0) >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = spec.flags ?? 0x10;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

/** An IPv4 or IPv6 packet carrying the segment (version from the address form). */
export function ipPacket(spec: L4Spec): Buffer {
  const segment = transportSegment(spec);
  const protocol = spec.protocol === 'tcp' ? 6 : 17;
  const src = parseAddress(spec.src);
  const dst = parseAddress(spec.dst);
  if (src.length === 4) {
    const options = spec.ipv4Options ?? Buffer.alloc(0);
    const h = Buffer.alloc(20 + options.length);
    h[0] = 0x40 | ((20 + options.length) / 4);
    h.writeUInt16BE(h.length + segment.length, 2);
    h.writeUInt16BE(0x4000, 6); // DF
    h[8] = 64;
    h[9] = protocol;
    src.copy(h, 12);
    dst.copy(h, 16);
    options.copy(h, 20);
    return Buffer.concat([h, segment]);
  }
  const extensions = spec.ipv6Extensions ?? [];
  const parts: Buffer[] = [];
  for (let i = 0; i < extensions.length; i++) {
    const next = i + 1 < extensions.length ? extensions[i + 1].type : protocol;
    const ext = Buffer.from(extensions[i].body);
    ext[0] = next;
    parts.push(ext);
  }
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  const payloadLength = parts.reduce((n, p) => n + p.length, 0) + segment.length;
  h.writeUInt16BE(payloadLength, 4);
  h[6] = extensions.length > 0 ? extensions[0].type : protocol;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, ...parts, segment]);
}

/** Ethernet frame with optional VLAN tags (each [tpid, vlan id]). */
export function ethernetFrame(ipPacketBytes: Buffer, vlans: Array<[number, number]> = []): Buffer {
  const version = ipPacketBytes[0] >> 4;
  const header = Buffer.alloc(12 + vlans.length * 4 + 2);
  Buffer.from('020000000002020000000001', 'hex').copy(header, 0);
  let at = 12;
  for (const [tpid, id] of vlans) {
    header.writeUInt16BE(tpid, at);
    header.writeUInt16BE(id & 0x0fff, at + 2);
    at += 4;
  }
  header.writeUInt16BE(version === 6 ? 0x86dd : 0x0800, at);
  return Buffer.concat([header, ipPacketBytes]);
}

export interface RecordSpec {
  sec: number;
  /** Microseconds for µs files, nanoseconds for ns files / pcapng tsresol 9. */
  fraction: number;
  data: Buffer;
  /** Original length when the record is cut short by a snap length. */
  originalLength?: number;
  interfaceId?: number;
}

/** A classic pcap file. */
export function pcapFile(linkType: number, records: RecordSpec[], options: { bigEndian?: boolean; nanos?: boolean } = {}): Buffer {
  const le = !options.bigEndian;
  const header = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const u16 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  u32(header, options.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, 262144, 16);
  u32(header, linkType, 20);
  const parts: Buffer[] = [header];
  for (const r of records) {
    const h = Buffer.alloc(16);
    u32(h, r.sec, 0);
    u32(h, r.fraction, 4);
    u32(h, r.data.length, 8);
    u32(h, r.originalLength ?? r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

export interface PcapngInterfaceSpec {
  linkType: number;
  /** if_tsresol byte (6 = µs default, 9 = ns, 0x80|n = 2^-n). */
  tsresol?: number;
}

/** A one-section pcapng file with Enhanced Packet Blocks; `fraction` counts the interface's
 *  10^-tsresol units (decimal resolutions only). */
export function pcapngFile(interfaces: PcapngInterfaceSpec[], records: RecordSpec[], options: { bigEndian?: boolean } = {}): Buffer {
  const le = !options.bigEndian;
  const u32 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const u16 = (b: Buffer, v: number, at: number): number => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const block = (type: number, body: Buffer): Buffer => {
    const padded = Buffer.alloc((body.length + 3) & ~3);
    body.copy(padded);
    const b = Buffer.alloc(12 + padded.length);
    u32(b, type, 0);
    u32(b, b.length, 4);
    padded.copy(b, 8);
    u32(b, b.length, b.length - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  u32(shb, 0x1a2b3c4d, 0);
  u16(shb, 1, 4);
  u16(shb, 0, 6);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  const parts: Buffer[] = [block(0x0a0d0d0a, shb)];
  for (const iface of interfaces) {
    const options: Buffer[] = [];
    if (iface.tsresol !== undefined) {
      const o = Buffer.alloc(8);
      u16(o, 9, 0);
      u16(o, 1, 2);
      o[4] = iface.tsresol;
      options.push(o, Buffer.alloc(4)); // opt_endofopt
    }
    const body = Buffer.alloc(8);
    u16(body, iface.linkType, 0);
    u32(body, 262144, 4);
    parts.push(block(1, Buffer.concat([body, ...options])));
  }
  for (const r of records) {
    const iface = interfaces[r.interfaceId ?? 0];
    const resolution = iface?.tsresol ?? 6;
    const units = BigInt(r.sec) * 10n ** BigInt(resolution & 0x7f) + BigInt(r.fraction);
    const body = Buffer.alloc(20);
    u32(body, r.interfaceId ?? 0, 0);
    u32(body, Number(units >> 32n), 4);
    u32(body, Number(units & 0xffffffffn), 8);
    u32(body, r.data.length, 12);
    u32(body, r.originalLength ?? r.data.length, 16);
    parts.push(block(6, Buffer.concat([body, r.data])));
  }
  return Buffer.concat(parts);
}
