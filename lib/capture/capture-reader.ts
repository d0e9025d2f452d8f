/**
 * Streaming reader for classic pcap and pcapng captures: a push parser that takes the file in
 * chunks of any size and calls back once per packet record.
 *
 * Why our own TypeScript reader rather than a native libpcap binding or pcap-ng-parser:
 *  - no native build: `npm install` works on every machine the platform runs on, no compiler;
 *  - bounded memory: between chunks at most one record (capped at MAX_RECORD_BYTES) is held,
 *    copied, whatever the file size — never a whole-file buffer, and never the caller's chunk
 *    (so the caller may read the next chunk into the same memory);
 *  - one core: the streaming form (chunks from fs.createReadStream) and the whole-file form
 *    (one Buffer) both go through `push`, so they cannot drift apart.
 *
 * Formats: pcap in both byte orders with microsecond (a1b2c3d4) or nanosecond (a1b23c4d) stamps,
 * the "modified" pcap of some old Linux tools (a1b2cd34); pcapng with any number of sections
 * (each with its own byte order) and interfaces (each with its own link type, snap length,
 * if_tsresol and if_tsoffset), Enhanced, Simple and obsolete Packet blocks.
 */
import { be16, be32, le16, le32 } from './bytes';
import { fractionDigits, splitBinaryUnits, splitDecimalUnits } from './timestamp';

/** A file that is not a capture, or whose structure is broken beyond one cut-short record. */
export class CaptureFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

/** One packet record. The object and `data` are reused/borrowed: valid only during the callback. */
export interface RawPacket {
  linkType: number;
  interfaceId: number;
  sec: number;
  nsec: number;
  /** Fraction digits the stamp resolves (6 for microseconds, 9 for nanoseconds). */
  digits: number;
  capturedLength: number;
  originalLength: number;
  data: Buffer;
  offset: number;
}

export type PacketCallback = (packet: RawPacket) => void;

/** Largest record accepted; anything bigger is a corrupt length field, not a packet. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 1;
const PCAPNG_OPB = 2;
const PCAPNG_SPB = 3;
const PCAPNG_EPB = 6;

/** Classic pcap magic numbers as read little-endian: byte order, stamp unit, record header size. */
const PCAP_MAGICS = new Map<number, { le: boolean; nanos: boolean; header: number }>([
  [0xa1b2c3d4, { le: true, nanos: false, header: 16 }],
  [0xd4c3b2a1, { le: false, nanos: false, header: 16 }],
  [0xa1b23c4d, { le: true, nanos: true, header: 16 }],
  [0x4d3cb2a1, { le: false, nanos: true, header: 16 }],
  // "modified" pcap (Alexey Kuznetzov's patches): 8 more bytes per record header
  [0xa1b2cd34, { le: true, nanos: false, header: 24 }],
  [0x34cdb2a1, { le: false, nanos: false, header: 24 }],
]);

interface Interface {
  linkType: number;
  snapLength: number;
  decimals: number; // -1 when the resolution is binary
  bits: number;
  digits: number;
  offsetSeconds: number;
}

export class CaptureReader {
  format: 'pcap' | 'pcapng' | null = null;
  /** Packet records seen (delivered + skipped for an unknown interface). */
  records = 0;
  /** Records that named an interface the section never described. */
  orphanRecords = 0;
  /** Set by end() when the file stops inside a record. */
  cutShort: string | null = null;
  /** Bytes consumed so far (file offset of the next record). */
  position = 0;

  private pendingChunks: Buffer[] = [];
  private pendingLength = 0;
  private needed = 0;
  private littleEndian = true;
  private pcapLinkType = 0;
  private pcapDigits = 6;
  private pcapNanos = false;
  private pcapRecordHeader = 16;
  private interfaces: Interface[] = [];
  private readonly packet: RawPacket = {
    linkType: 0,
    interfaceId: 0,
    sec: 0,
    nsec: 0,
    digits: 6,
    capturedLength: 0,
    originalLength: 0,
    data: Buffer.alloc(0),
    offset: 0,
  };
  private readonly stamp = { sec: 0, nsec: 0 };

  constructor(private readonly onPacket: PacketCallback) {}

  /** Feed the next bytes of the file. Throws CaptureFormatError when the file is not readable.
   *  `chunk` is not kept after push returns: the caller may reuse its memory for the next read. */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    // A unit (header, record, block) begun in an earlier chunk is completed from just the bytes
    // it lacks: joining whole chunks would copy every byte of the file once more.
    while (this.pendingLength > 0) {
      const take = Math.min(this.needed - this.pendingLength, buf.length - pos);
      if (take > 0) {
        this.pendingChunks.push(Buffer.from(buf.subarray(pos, pos + take))); // copy: chunk is borrowed
        this.pendingLength += take;
        pos += take;
      }
      if (this.pendingLength < this.needed) return; // keep collecting; no quadratic re-concatenation
      const unit = Buffer.concat(this.pendingChunks, this.pendingLength);
      const used = this.consume(unit, 0);
      this.pendingChunks = used < unit.length ? [unit.subarray(used)] : [];
      this.pendingLength = unit.length - used;
    }
    const used = this.consume(buf, pos);
    if (used < buf.length) {
      this.pendingChunks = [Buffer.from(buf.subarray(used))]; // copy: chunk is borrowed
      this.pendingLength = buf.length - used;
    }
  }

  /** Step through every whole unit of buf from pos; the offset of the first incomplete one. */
  private consume(buf: Buffer, pos: number): number {
    for (;;) {
      if (this.format === 'pcap') return this.readPcapRecords(buf, pos); // after its header: records only
      const step = this.step(buf, pos);
      if (step <= 0) {
        this.needed = -step;
        return pos;
      }
      pos += step;
      this.position += step;
    }
  }

  /** The file has ended. Throws when it held no capture at all; records a cut-short tail. */
  end(): void {
    if (this.format === null) {
      if (this.position + this.pendingLength === 0) throw new CaptureFormatError('empty file, not a capture');
      throw new CaptureFormatError(`too short to be a capture (${this.pendingLength} bytes)`);
    }
    if (this.position === 0) throw new CaptureFormatError(`too short to be a capture: file header incomplete (${this.pendingLength} bytes)`);
    if (this.pendingLength > 0) {
      this.cutShort = `file ends inside a record at offset ${this.position} (${this.pendingLength} of ${this.needed} bytes present)`;
    }
  }

  /** Consume one unit (file header or pcapng block) at `pos`: bytes used, or minus the bytes needed. */
  private step(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    if (this.format === null) return this.readFileHeader(buf, pos, avail);
    return this.readPcapngBlock(buf, pos, avail);
  }

  private readFileHeader(buf: Buffer, pos: number, avail: number): number {
    if (avail < 4) return -4;
    const magic = buf.readUInt32LE(pos);
    if (magic === PCAPNG_SHB) {
      this.format = 'pcapng';
      return this.readPcapngBlock(buf, pos, avail);
    }
    const kind = PCAP_MAGICS.get(magic);
    if (!kind) throw new CaptureFormatError(`not a pcap or pcapng file (starts with 0x${buf.toString('hex', pos, pos + 4)})`);
    if (avail < 24) return -24;
    this.littleEndian = kind.le;
    const major = this.u16(buf, pos + 4);
    if (major !== 2) throw new CaptureFormatError(`unsupported pcap version ${major}.${this.u16(buf, pos + 6)}`);
    this.pcapNanos = kind.nanos;
    this.pcapDigits = kind.nanos ? 9 : 6;
    this.pcapRecordHeader = kind.header;
    // The upper 16 bits of the link-type field carry FCS information, not the type.
    this.pcapLinkType = this.u32(buf, pos + 20) & 0xffff;
    this.format = 'pcap';
    return 24;
  }

  /** Classic pcap records back to back from `pos`, in one loop: every packet of a pcap file
   *  passes here, so nothing is looked up or dispatched per record that is fixed per file.
   *  Returns the offset of the first record not wholly in buf (its size in this.needed). */
  private readPcapRecords(buf: Buffer, pos: number): number {
    const headerLength = this.pcapRecordHeader;
    const le = this.littleEndian;
    const fractionScale = this.pcapNanos ? 1 : 1000;
    const p = this.packet;
    p.linkType = this.pcapLinkType;
    p.interfaceId = 0;
    p.digits = this.pcapDigits;
    p.data = buf;
    for (;;) {
      const avail = buf.length - pos;
      if (avail < headerLength) {
        this.needed = headerLength;
        return pos;
      }
      const capturedLength = le ? le32(buf, pos + 8) : be32(buf, pos + 8);
      if (capturedLength > MAX_RECORD_BYTES) {
        throw new CaptureFormatError(`corrupt pcap record at offset ${this.position}: captured length ${capturedLength} exceeds ${MAX_RECORD_BYTES}`);
      }
      const total = headerLength + capturedLength;
      if (avail < total) {
        this.needed = total;
        return pos;
      }
      p.sec = le ? le32(buf, pos) : be32(buf, pos);
      p.nsec = (le ? le32(buf, pos + 4) : be32(buf, pos + 4)) * fractionScale;
      p.capturedLength = capturedLength;
      p.originalLength = le ? le32(buf, pos + 12) : be32(buf, pos + 12);
      p.offset = pos + headerLength;
      this.records++;
      this.onPacket(p);
      pos += total;
      this.position += total;
    }
  }

  private readPcapngBlock(buf: Buffer, pos: number, avail: number): number {
    if (avail < 12) return -12;
    const type = this.u32(buf, pos);
    if (type === PCAPNG_SHB) {
      const bom = buf.readUInt32LE(pos + 8);
      if (bom === 0x1a2b3c4d) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else throw new CaptureFormatError(`corrupt pcapng section header at offset ${this.position}: byte-order magic 0x${bom.toString(16)}`);
    }
    const length = this.u32(buf, pos + 4);
    if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
      throw new CaptureFormatError(`corrupt pcapng block at offset ${this.position}: block length ${length}`);
    }
    if (avail < length) return -length;
    if (this.u32(buf, pos + length - 4) !== length) {
      throw new CaptureFormatError(`corrupt pcapng block at offset ${this.position}: trailing length differs from ${length}`);
    }
    switch (type) {
      case PCAPNG_SHB:
        this.interfaces = [];
        break;
      case PCAPNG_IDB:
        this.readInterface(buf, pos, length);
        break;
      case PCAPNG_EPB:
      case PCAPNG_OPB:
        this.readPacketBlock(buf, pos, length, type);
        break;
      case PCAPNG_SPB:
        this.readSimplePacket(buf, pos, length);
        break;
      default:
        break; // name resolution, statistics, custom blocks: nothing for flows
    }
    return length;
  }

  private readInterface(buf: Buffer, pos: number, length: number): void {
    if (length < 20) throw new CaptureFormatError(`corrupt pcapng interface block at offset ${this.position}: length ${length}`);
    const iface: Interface = {
      linkType: this.u16(buf, pos + 8),
      snapLength: this.u32(buf, pos + 12),
      decimals: 6,
      bits: 0,
      digits: 6,
      offsetSeconds: 0,
    };
    let opt = pos + 16;
    const end = pos + length - 4;
    while (opt + 4 <= end) {
      const code = this.u16(buf, opt);
      const optLength = this.u16(buf, opt + 2);
      if (code === 0 || opt + 4 + optLength > end) break;
      if (code === 9 && optLength >= 1) {
        const resolution = buf[opt + 4];
        if (resolution & 0x80) {
          iface.decimals = -1;
          iface.bits = resolution & 0x7f;
          iface.digits = fractionDigits({ bits: iface.bits });
        } else {
          iface.decimals = resolution;
          iface.digits = fractionDigits({ decimals: resolution });
        }
      } else if (code === 14 && optLength >= 8) {
        const hi = this.u32(buf, opt + 4 + (this.littleEndian ? 4 : 0)) | 0; // signed
        const lo = this.u32(buf, opt + 4 + (this.littleEndian ? 0 : 4));
        iface.offsetSeconds = hi * 4294967296 + lo;
      }
      opt += 4 + ((optLength + 3) & ~3);
    }
    this.interfaces.push(iface);
  }

  private readPacketBlock(buf: Buffer, pos: number, length: number, type: number): void {
    if (length < 32) throw new CaptureFormatError(`corrupt pcapng packet block at offset ${this.position}: length ${length}`);
    const interfaceId = type === PCAPNG_EPB ? this.u32(buf, pos + 8) : this.u16(buf, pos + 8);
    const capturedLength = this.u32(buf, pos + 20);
    if (capturedLength > length - 32) {
      throw new CaptureFormatError(`corrupt pcapng packet block at offset ${this.position}: captured length ${capturedLength} exceeds the block`);
    }
    this.records++;
    const iface = this.interfaces[interfaceId];
    if (!iface) {
      this.orphanRecords++;
      return;
    }
    const p = this.packet;
    this.setStamp(iface, this.u32(buf, pos + 12), this.u32(buf, pos + 16));
    p.interfaceId = interfaceId;
    p.capturedLength = capturedLength;
    p.originalLength = this.u32(buf, pos + 24);
    p.data = buf;
    p.offset = pos + 28;
    this.onPacket(p);
  }

  private readSimplePacket(buf: Buffer, pos: number, length: number): void {
    if (length < 16) throw new CaptureFormatError(`corrupt pcapng simple packet block at offset ${this.position}: length ${length}`);
    this.records++;
    const iface = this.interfaces[0];
    if (!iface) {
      this.orphanRecords++;
      return;
    }
    const originalLength = this.u32(buf, pos + 8);
    let capturedLength = Math.min(originalLength, length - 16);
    if (iface.snapLength > 0) capturedLength = Math.min(capturedLength, iface.snapLength);
    const p = this.packet;
    p.linkType = iface.linkType;
    p.interfaceId = 0;
    p.sec = 0; // simple packet blocks carry no time stamp
    p.nsec = 0;
    p.digits = iface.digits;
    p.capturedLength = capturedLength;
    p.originalLength = originalLength;
    p.data = buf;
    p.offset = pos + 12;
    this.onPacket(p);
  }

  private setStamp(iface: Interface, hi: number, lo: number): void {
    const s = this.stamp;
    if (iface.decimals >= 0) splitDecimalUnits(hi, lo, iface.decimals, s);
    else splitBinaryUnits(hi, lo, iface.bits, s);
    const p = this.packet;
    p.linkType = iface.linkType;
    p.sec = s.sec + iface.offsetSeconds;
    p.nsec = s.nsec;
    p.digits = iface.digits;
  }

  private u16(buf: Buffer, at: number): number {
    return this.littleEndian ? le16(buf, at) : be16(buf, at);
  }

  private u32(buf: Buffer, at: number): number {
    return this.littleEndian ? le32(buf, at) : be32(buf, at);
  }
}
