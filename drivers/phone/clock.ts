/**
 * How a phone tells time, and how far its clock is from the controller's.
 *
 * One probe prints the clock three ways in one shell command (CLOCK_PROBE): `date +%s%N`
 * (nanoseconds with GNU/toybox date, Android >= 7), mksh's `$EPOCHREALTIME` (microseconds; the
 * /system/bin/sh of Android 4.4-6 is mksh R4x/R50, which has it) and, implicitly, whole seconds:
 * Android 5's toolbox `date` formats with bionic strftime, which has no %N and prints the
 * conversion character itself (`1449000000N`), so the seconds are still there. The finest
 * reading that parses wins and its precision is recorded.
 *
 * The offset is measured NTP-style over the adb round trip: the controller's time just before
 * and after the probe brackets the phone's reading, so phone - midpoint is the offset within
 * ±(round trip / 2 + the reading's precision). The sample with the shortest round trip wins.
 */

/** Marks the probe's lines inside a longer command's output. */
export const CLOCK_MARK = '@@matador-clock@@';
/** Probe: the mark, `date +%s%N`, `$EPOCHREALTIME` — three lines, no command substitution. */
export const CLOCK_PROBE = `echo ${CLOCK_MARK}; date +%s%N; echo "$EPOCHREALTIME"`;

export type ClockPrecision = 'ns' | 'us' | 's';
export const PRECISION_MS: Record<ClockPrecision, number> = { ns: 0.000001, us: 0.001, s: 1000 };

export interface ClockReading {
  /** Phone clock, ms since the epoch (fractional). */
  ms: number;
  precision: ClockPrecision;
}

/** The reading in the two lines after a CLOCK_MARK line; null when none of them parses. */
export function parseClockLines(dateLine: string, epochRealtime: string): ClockReading | null {
  const d = dateLine.trim();
  const e = epochRealtime.trim();
  if (/^\d{19}$/.test(d)) return { ms: Number(d.slice(0, 13)) + Number(d.slice(13)) / 1e6, precision: 'ns' };
  const us = /^(\d{9,11})\.(\d{6})$/.exec(e);
  if (us) return { ms: Number(us[1]) * 1000 + Number(us[2]) / 1000, precision: 'us' };
  // bionic strftime without %N: the seconds, then "N" (or "%N" from other C libraries)
  const s = /^(\d{9,11})%?N?$/.exec(d);
  if (s) return { ms: Number(s[1]) * 1000, precision: 's' };
  return null;
}

/**
 * Every probe in a command's output, in order, with the text between them: a command
 * `PROBE; X; PROBE` gives readings [before, after] and bodies ['', X's output, ''].
 */
export function splitClocked(output: string): { readings: Array<ClockReading | null>; bodies: string[] } {
  const parts = output.split(`${CLOCK_MARK}\n`);
  const readings: Array<ClockReading | null> = [];
  const bodies: string[] = [parts[0]];
  for (const part of parts.slice(1)) {
    const lines = part.split('\n');
    readings.push(parseClockLines(lines[0] ?? '', lines[1] ?? ''));
    bodies.push(lines.slice(2).join('\n'));
  }
  return { readings, bodies };
}

export interface ClockSample {
  /** Controller clock (ms) just before and just after the probe's round trip. */
  sentMs: number;
  returnedMs: number;
  phone: ClockReading;
}

export interface ClockOffset {
  /** Phone clock minus controller clock, ms (positive: the phone is ahead). */
  offsetMs: number;
  /** The offset is within ±uncertaintyMs (half the best round trip plus the reading's precision). */
  uncertaintyMs: number;
  precision: ClockPrecision;
  /** Round trip of the sample used, ms. */
  roundTripMs: number;
  samples: number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Best-of-n NTP-style offset; null without samples. A seconds-only clock reads the floor of
 *  the second, so its reading is taken at the middle of that second. */
export function estimateOffset(samples: readonly ClockSample[]): ClockOffset | null {
  if (samples.length === 0) return null;
  const best = [...samples].sort((a, b) => a.returnedMs - a.sentMs - (b.returnedMs - b.sentMs))[0];
  const rtt = best.returnedMs - best.sentMs;
  const phoneMs = best.phone.precision === 's' ? best.phone.ms + 500 : best.phone.ms;
  const precisionMs = best.phone.precision === 's' ? 500 : PRECISION_MS[best.phone.precision];
  return {
    offsetMs: round3(phoneMs - (best.sentMs + best.returnedMs) / 2),
    uncertaintyMs: round3(rtt / 2 + precisionMs),
    precision: best.phone.precision,
    roundTripMs: round3(rtt),
    samples: samples.length,
  };
}

/** A phone time on the controller's clock, as ISO 8601 (ms). */
export function toControllerIso(phoneMs: number, offset: Pick<ClockOffset, 'offsetMs'>): string {
  return new Date(Math.round(phoneMs - offset.offsetMs)).toISOString();
}

/** Default bound on |offset| before a measurement refuses the phone: message times are
 *  correlated with captured flows within the app's window (5 s in the shipped apps); a skew of
 *  2 s, even corrected, signals a phone without automatic time whose clock may also drift
 *  during a measurement, so it is refused rather than trusted. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 2000;
