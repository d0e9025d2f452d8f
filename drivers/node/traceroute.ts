/**
 * Traceroutes on a vantage node over SSH, with two selectable backends:
 *   scamper:    scamper -O json -p PPS -c 'trace -P tcp|udp-paris|icmp-paris -d PORT -m .. -q .. -w ..' -i TARGET
 *   traceroute: traceroute -n -T|-U|-I -p PORT -m .. -q .. -w .. TARGET
 * and, with `mda` (scamper only), every load-balanced branch by Paris MDA:
 *   scamper -O json -c 'tracelb -P tcp-sport|udp-sport|icmp-echo -d PORT -c 95 -q 2 -w 2 -W 15 -Q 1000' -i TARGET
 *   tcp-sport/udp-sport vary the SOURCE port from flow to flow, so every probe still goes to the
 *   service's own destination port (udp-dport would not); ICMP flows differ by checksum.
 *   95 % confidence (scamper's default; 99 % needs about 1.5x the probes per hop) that no further
 *   branch exists at each hop; -W 15 (150 ms, the smallest scamper accepts: smaller values make it
 *   print no trace at all) between probes; -Q 1000 caps the probes of one trace (at 150 ms, 150 s),
 *   so a very wide load balancer ends the trace instead of the timeout.
 * Returns the raw output (kept for the record) and the Trace parsed by lib/traceroute; when the
 * output cannot be parsed, `trace` is null and `parseError` says why (the raw output remains).
 */
import type { ParsedTrace } from '../../lib/traceroute';
import { Protocol, Side } from '../../lib/types';
import { DriverConfigError, DriverResult, fail } from '../ssh/failures';
import { toolMissing } from '../ssh/host-profile';
import { runPrivileged } from '../ssh/privilege';
import { SshSession, SshTarget, withSsh } from '../ssh/session';
import { tail } from '../ssh/steps';
import * as v from '../ssh/validate';
import { parseTraceOutput } from './trace-parse';

export const TRACEROUTE_BACKENDS = ['scamper', 'traceroute'] as const;
/** scamper's probe rate (packets per second) for one trace, its own default. */
export const DEFAULT_SCAMPER_PPS = 20;
export type TracerouteBackend = (typeof TRACEROUTE_BACKENDS)[number];

export interface TracerouteRequest {
  target: string; // IP or DNS name
  protocol: Protocol;
  /** Destination port for tcp/udp (the service's port, or a random high port for node-to-node). */
  port?: number | null;
  backend: TracerouteBackend;
  /** Which side of the measurement the node is (goes into the Trace). Default 'A'. */
  side?: Side;
  maxHops?: number; // default 30
  queries?: number; // probes per hop, default 2
  waitSeconds?: number; // per probe, default 2
  /** scamper probe rate (packets per second), default 20. */
  pps?: number;
  /** Whole run, default 180 s (300 s with `mda`). */
  timeoutMs?: number;
  /** Paris MDA (scamper tracelb): every load-balanced branch; needs backend scamper. */
  mda?: boolean;
}

/** tracelb's probe method per protocol: the flow identifier varies, the destination port not. */
export const MDA_METHODS: Readonly<Record<Protocol, string>> = { tcp: 'tcp-sport', udp: 'udp-sport', icmp: 'icmp-echo' };
/** MDA sends several times the probes of one path and waits 150 ms between them (see above). */
export const MDA_TIMEOUT_MS = 300_000;

export interface TracerouteRun {
  tool: TracerouteBackend;
  /** argv executed on the node (for the record; contains only validated values). */
  command: string[];
  raw: string;
  stderr: string;
  /** Parsed by lib/traceroute; null when the output could not be parsed (see parseError). */
  trace: ParsedTrace | null;
  parseError: string | null;
}

export function tracerouteArgv(req: TracerouteRequest): string[] {
  const target = v.hostName(req.target, 'traceroute.target');
  const maxHops = v.integerInRange(req.maxHops ?? 30, 'traceroute.maxHops', 1, 255);
  const queries = v.integerInRange(req.queries ?? 2, 'traceroute.queries', 1, 10);
  const wait = v.integerInRange(req.waitSeconds ?? 2, 'traceroute.waitSeconds', 1, 20);
  if (!['tcp', 'udp', 'icmp'].includes(req.protocol)) throw new DriverConfigError(`traceroute.protocol: not tcp/udp/icmp: ${JSON.stringify(req.protocol)}`);
  const port = req.protocol === 'icmp' ? null : v.port(req.port, 'traceroute.port');
  if (req.mda) {
    if (req.backend !== 'scamper') throw new DriverConfigError(`traceroute.mda: Paris MDA needs backend scamper, not ${JSON.stringify(req.backend)}`);
    const tracelb = ['tracelb', '-P', MDA_METHODS[req.protocol], ...(port === null ? [] : ['-d', String(port)]), '-c', '95', '-q', '2', '-w', String(wait), '-W', '15', '-Q', '1000'].join(' ');
    return ['scamper', '-O', 'json', '-c', tracelb, '-i', target];
  }
  if (req.backend === 'scamper') {
    const pps = v.integerInRange(req.pps ?? DEFAULT_SCAMPER_PPS, 'traceroute.pps', 1, 10000);
    // udp-paris/icmp-paris keep the flow identifiers constant, so every probe follows the
    // same load-balanced path and the udp destination port stays the service's port.
    const method = req.protocol === 'tcp' ? 'tcp' : req.protocol === 'udp' ? 'udp-paris' : 'icmp-paris';
    const trace = ['trace', '-P', method, ...(port === null ? [] : ['-d', String(port)]), '-m', String(maxHops), '-q', String(queries), '-w', String(wait)].join(' ');
    return ['scamper', '-O', 'json', '-p', String(pps), '-c', trace, '-i', target];
  }
  if (req.backend === 'traceroute') {
    const method = req.protocol === 'tcp' ? '-T' : req.protocol === 'udp' ? '-U' : '-I';
    return ['traceroute', '-n', method, ...(port === null ? [] : ['-p', String(port)]), '-m', String(maxHops), '-q', String(queries), '-w', String(wait), target];
  }
  throw new DriverConfigError(`traceroute.backend: not one of ${TRACEROUTE_BACKENDS.join(', ')}: ${JSON.stringify(req.backend)}`);
}

/**
 * Does this trace need root? scamper opens raw sockets for every method: Debian's package is
 * setuid root (scamper drops to its privsep user once they are open), a build from source is
 * not, so it goes through sudo, which works for both. Linux traceroute needs root for -T (raw
 * TCP SYN) and -I (raw ICMP): "You do not have enough privileges to use this traceroute
 * method." as a user; -U sends ordinary UDP datagrams and reads the ICMP errors from the
 * socket's error queue, so an unprivileged login runs it as is, as on a real VPS.
 */
export function traceNeedsRoot(req: Pick<TracerouteRequest, 'backend' | 'protocol' | 'mda'>): boolean {
  return req.mda === true || req.backend === 'scamper' || req.protocol !== 'udp';
}

/** Run on an open session (several traceroutes can share one connection). */
export async function tracerouteOnSession(session: SshSession, req: TracerouteRequest): Promise<DriverResult<{ run: TracerouteRun }>> {
  let argv: string[];
  try {
    argv = tracerouteArgv(req);
  } catch (err) {
    if (err instanceof DriverConfigError) return fail('config_invalid', err.message);
    throw err;
  }
  const options = { timeoutMs: req.timeoutMs ?? (req.mda ? MDA_TIMEOUT_MS : 180_000) };
  const r = traceNeedsRoot(req) ? await runPrivileged(session, argv, options) : await session.run(argv, options);
  if (!r.ok) {
    return r.failure === 'ssh_timeout' ? fail('traceroute_failed', `${r.detail} (${req.backend}${req.mda ? ' tracelb' : ''} to ${req.target})`) : r;
  }
  if (r.code === 127) {
    // The shell's "command not found": name the package, so the node's admin knows what to do.
    return toolMissing(session.label, req.backend, req.mda ? 'Paris MDA traces need scamper tracelb' : undefined);
  }
  if (r.code !== 0 || r.stdout.trim() === '') {
    return fail('traceroute_failed', `${session.label}: ${req.backend} to ${req.target} exited ${r.code ?? r.signal}: ${tail(r.stderr) || 'no output'}`);
  }
  const meta = { from: req.side ?? 'A', target: req.target, protocol: req.protocol, port: req.protocol === 'icmp' ? null : (req.port ?? null) } as const;
  const { trace, parseError } = parseTraceOutput(req.backend, r.stdout, meta);
  return { ok: true, run: { tool: req.backend, command: argv, raw: r.stdout, stderr: r.stderr, trace, parseError } };
}

/** Connect, trace, close. */
export function traceroute(node: { ssh: SshTarget }, req: TracerouteRequest): Promise<DriverResult<{ run: TracerouteRun }>> {
  return withSsh(node.ssh, (session) => tracerouteOnSession(session, req));
}
