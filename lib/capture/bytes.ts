/**
 * Unsigned big- and little-endian reads for the per-packet path. Buffer's readUInt* methods
 * check their argument on every call, and in the first thousands of packets — before the
 * optimizing compiler has inlined them — those calls cost more than the reads. Callers check
 * the bounds themselves (as they did before calling Buffer's methods).
 */
export function be16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function be32(b: Uint8Array, at: number): number {
  return b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

/** Four bytes as a signed 32-bit number: always a small integer to V8 (no heap number per
 *  read), for values only compared and hashed, such as addresses. */
export function be32signed(b: Uint8Array, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

export function le16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

export function le32(b: Uint8Array, at: number): number {
  return b[at + 3] * 0x1000000 + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);
}
