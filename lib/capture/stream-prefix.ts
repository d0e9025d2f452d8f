/**
 * The first bytes of one direction of a TCP connection, in sequence order, up to a cap:
 * enough to read a ClientHello or DNS-over-TCP messages without keeping whole streams.
 * Retransmitted bytes are ignored; a gap (lost or reordered segment) ends the collection,
 * since what follows cannot be placed without buffering out-of-order data.
 */
export class StreamPrefix {
  private chunks: Buffer[] = [];
  private joined: Buffer | null = null;
  private nextSeq = 0;
  private started = false;
  length = 0;
  /** No more bytes will be taken (gap or cap reached). */
  closed = false;

  constructor(private readonly cap: number) {}

  /** Add a segment's captured payload; true when new bytes were appended. */
  add(seq: number, data: Buffer, offset: number, length: number): boolean {
    if (this.closed || length === 0) return false;
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
    }
    const skip = (this.nextSeq - seq) | 0; // bytes already held (wrap-safe 32-bit difference)
    if (skip < 0) {
      this.closed = true; // a gap
      return false;
    }
    if (skip >= length) return false; // a pure retransmission
    const take = Math.min(length - skip, this.cap - this.length);
    if (take <= 0) {
      this.closed = true;
      return false;
    }
    this.chunks.push(Buffer.from(data.subarray(offset + skip, offset + skip + take))); // copy: data is borrowed
    this.length += take;
    this.nextSeq = (this.nextSeq + take) >>> 0;
    this.joined = null;
    if (this.length >= this.cap) this.closed = true;
    return true;
  }

  bytes(): Buffer {
    if (!this.joined) {
      this.joined = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
      this.chunks = [this.joined];
    }
    return this.joined;
  }

  /** Drop the first `count` bytes (consumed messages). */
  consume(count: number): void {
    const rest = this.bytes().subarray(count);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.joined = rest.length > 0 ? rest : null;
    this.length = rest.length;
  }

  release(): void {
    this.chunks = [];
    this.joined = null;
    this.length = 0;
    this.closed = true;
  }
}
