/**
 * Packet timestamps as (whole seconds, nanoseconds) pairs of plain numbers — no bigint per
 * packet — and their ISO 8601 text with as many fraction digits as the capture resolves.
 */

/** Convert a 64-bit count of 10^-`decimals` second units, given as two 32-bit halves, into
 *  seconds and nanoseconds. Long division in 16-bit limbs keeps every step exact in a double. */
export function splitDecimalUnits(hi: number, lo: number, decimals: number, out: { sec: number; nsec: number }): void {
  if (decimals > 9) {
    const units = (BigInt(hi) << 32n) | BigInt(lo);
    const div = 10n ** BigInt(decimals);
    out.sec = Number(units / div);
    out.nsec = Number(((units % div) * 1_000_000_000n) / div);
    return;
  }
  const d = DECIMAL_DIVISORS[decimals];
  if (hi < 0x200000) {
    // Below 2^53 the whole count is exact as a double.
    const units = hi * 4294967296 + lo;
    const sec = Math.floor(units / d);
    out.sec = sec;
    out.nsec = (units - sec * d) * (1_000_000_000 / d);
    return;
  }
  let rem = 0;
  let sec = 0;
  const limbs = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
  for (const limb of limbs) {
    const cur = rem * 65536 + limb;
    const q = Math.floor(cur / d);
    rem = cur - q * d;
    sec = sec * 65536 + q;
  }
  out.sec = sec;
  out.nsec = rem * (1_000_000_000 / d);
}

const DECIMAL_DIVISORS = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/** Convert a 64-bit count of 2^-`bits` second units (pcapng if_tsresol with the high bit set). */
export function splitBinaryUnits(hi: number, lo: number, bits: number, out: { sec: number; nsec: number }): void {
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const b = BigInt(bits);
  out.sec = Number(units >> b);
  out.nsec = Number(((units & ((1n << b) - 1n)) * 1_000_000_000n) >> b);
}

/** Fraction digits worth printing for a resolution of 10^-decimals or 2^-bits seconds. */
export function fractionDigits(resolution: { decimals?: number; bits?: number }): number {
  if (resolution.decimals !== undefined) return Math.min(9, Math.max(0, resolution.decimals));
  return Math.min(9, Math.ceil((resolution.bits ?? 0) * Math.log10(2)));
}

/** ISO 8601 in UTC, e.g. 2026-11-27T04:12:09.123456Z for digits = 6. Seconds outside the range
 *  of Date (only corrupt pcapng can hold those) print as "@<seconds>.<fraction>" rather than throw. */
export function formatTimestamp(sec: number, nsec: number, digits: number): string {
  const fraction = digits > 0 ? `.${String(nsec).padStart(9, '0').slice(0, digits)}` : '';
  if (sec !== cachedSecond) {
    const date = new Date(sec * 1000);
    cachedPrefix = Number.isFinite(date.getTime()) ? date.toISOString().slice(0, 19) : null;
    cachedSecond = sec;
  }
  return cachedPrefix === null ? `@${sec}${fraction}` : `${cachedPrefix}${fraction}Z`;
}

// Flows of one capture mostly share seconds: Date formatting once per distinct second.
let cachedSecond = NaN;
let cachedPrefix: string | null = null;

/** Compare two (sec, nsec) stamps: negative when a is earlier. */
export function compareStamps(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return aSec !== bSec ? aSec - bSec : aNsec - bNsec;
}
