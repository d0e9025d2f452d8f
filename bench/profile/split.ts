/** The profile benches' driver operations and how a step's wall time is split among them (pure). */
import * as path from 'path';

export type OpKind = 'window' | 'adb' | 'ssh' | 'traceroute' | 'phone' | 'polling';

export interface Op {
  label: string;
  kind: OpKind;
  /** performance.now() at start and end */
  start: number;
  end: number;
}

export type OpSink = (op: Op) => void;

/** Categories of the exclusive split, the first that is active wins a moment of wall time. */
export const SPLIT_ORDER = ['window', 'traceroute', 'adb', 'ssh', 'polling'] as const;
export type SplitKind = (typeof SPLIT_ORDER)[number];

/**
 * Splits the interval [start, end] among the ops' kinds so the parts add up to its length: each
 * moment goes to the first kind of SPLIT_ORDER with an op running then (a traceroute is an SSH
 * run too; concurrent round trips count once), 'other' when none runs (CPU work in the worker,
 * waits not on a device). Returns milliseconds.
 */
export function splitWall(start: number, end: number, ops: readonly Op[]): Record<SplitKind | 'other', number> {
  const out = { window: 0, traceroute: 0, adb: 0, ssh: 0, polling: 0, other: 0 };
  const rank = (k: OpKind): number => SPLIT_ORDER.indexOf(k as SplitKind);
  const relevant = ops.filter((o) => rank(o.kind) >= 0 && o.end > start && o.start < end);
  const cuts = [...new Set([start, end, ...relevant.flatMap((o) => [o.start, o.end]).filter((t) => t > start && t < end)])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i];
    const b = cuts[i + 1];
    let best = -1;
    for (const o of relevant) if (o.start <= a && o.end >= b && (best < 0 || rank(o.kind) < best)) best = rank(o.kind);
    out[best < 0 ? 'other' : SPLIT_ORDER[best]] += b - a;
  }
  return out;
}

/** A traceroute run: scamper or traceroute as the program, also behind `sudo -n --` (drivers/ssh/privilege.ts). */
export function isTracerouteArgv(argv: readonly string[]): boolean {
  const program = argv[0] === 'sudo' ? argv[argv.indexOf('--') + 1] : argv[0];
  return /^(scamper|traceroute6?)$/.test(path.posix.basename(program ?? ''));
}

/**
 * The capture windows among a step's ops: from each capture's start (its tcpdump running) to its
 * stop, the i-th start to finish with the i-th stop to begin (the two sides capture at once).
 * Inside configurePhones that is the no-app baseline, a wait of `baselineSeconds` the config
 * declares, like a timer: no work, and what it lasts is part of what is measured.
 */
export function captureWindows(ops: readonly Op[]): Op[] {
  const starts = ops.filter((o) => o.label === 'ssh script capture-start').sort((a, b) => a.end - b.end);
  const stops = ops.filter((o) => o.label === 'ssh script capture-stop').sort((a, b) => a.start - b.start);
  const out: Op[] = [];
  for (let i = 0; i < Math.min(starts.length, stops.length); i++) {
    if (stops[i].start > starts[i].end) out.push({ label: 'capture window', kind: 'window', start: starts[i].end, end: stops[i].start });
  }
  return out;
}
