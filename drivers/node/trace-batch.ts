/**
 * Several single-path scamper traces of one node in ONE scamper process (one SSH exec): each
 * trace is the command `tracerouteArgv` gives it (same method, port, hops, queries, wait) passed
 * with `-I`, all probed at once (`-w 0`: no task window) within one probe budget `-p` for the
 * whole process. scamper runs many tasks in one process by design (and never probes one
 * destination from two tasks at once); the budget is what the traces would have had together.
 *
 * The output holds one `trace` object per line in the order they finish; each is matched to its
 * request by destination, protocol and port, and kept as raw output of its own (the run's
 * cycle-start line, the trace, the cycle-stop line: what a scamper run of that one trace prints).
 * A request whose trace is missing (or that matches none) is reported as null, for the caller
 * to trace alone.
 */
import { normalizeAddress } from '../../lib/traceroute/hops';
import { SCAMPER_METHODS } from '../../lib/traceroute/scamper-json';
import type { Protocol } from '../../lib/types';
import { DriverConfigError, DriverResult, fail } from '../ssh/failures';
import { toolMissing } from '../ssh/host-profile';
import { runPrivileged } from '../ssh/privilege';
import type { SshSession } from '../ssh/session';
import { tail } from '../ssh/steps';
import { tracerouteArgv, type TracerouteRequest, type TracerouteRun } from './traceroute';
import { parseTraceOutput } from './trace-parse';

/** The one scamper command for `reqs` (single-path scamper requests) at `pps` for all of them. */
export function scamperBatchArgv(reqs: readonly TracerouteRequest[], pps: number): string[] {
  if (reqs.length === 0) throw new DriverConfigError('traceroute batch: no traces');
  const commands = reqs.map((req) => {
    if (req.backend !== 'scamper' || req.mda) throw new DriverConfigError(`traceroute batch: only single-path scamper traces, not ${req.mda ? 'tracelb' : req.backend}`);
    // ['scamper', '-O', 'json', '-p', PPS, '-c', TRACE, '-i', TARGET]
    const argv = tracerouteArgv(req);
    return `${argv[6]} ${argv[8]}`;
  });
  return ['scamper', '-O', 'json', '-p', String(pps), '-w', '0', ...commands.flatMap((c) => ['-I', c])];
}

const key = (target: string, protocol: Protocol, port: number | null): string => `${normalizeAddress(target)} ${protocol} ${protocol === 'icmp' ? '' : (port ?? '')}`;

/** Each trace line of a batch's output with its raw form, in output order. */
export function splitBatchOutput(stdout: string): Array<{ key: string; raw: string }> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const typed = lines.map((line) => {
    try {
      const o = JSON.parse(line) as { type?: unknown; dst?: unknown; method?: unknown; dport?: unknown };
      return { line, o };
    } catch {
      return { line, o: null };
    }
  });
  const start = typed.find((t) => t.o?.type === 'cycle-start')?.line;
  const stop = typed.find((t) => t.o?.type === 'cycle-stop')?.line;
  return typed.flatMap(({ line, o }) => {
    if (o?.type !== 'trace' || typeof o.dst !== 'string' || typeof o.method !== 'string') return [];
    const protocol = SCAMPER_METHODS[o.method];
    if (!protocol) return [];
    return [{ key: key(o.dst, protocol, typeof o.dport === 'number' ? o.dport : null), raw: `${[start, line, stop].filter(Boolean).join('\n')}\n` }];
  });
}

/**
 * Runs the batch on an open session. `runs[i]` is request i's run, or null when the output has no
 * trace for it. The whole batch fails only as a run would (transport, tool missing, no output).
 */
export async function tracerouteBatchOnSession(session: SshSession, reqs: readonly TracerouteRequest[], o: { pps: number; timeoutMs: number }): Promise<DriverResult<{ runs: Array<TracerouteRun | null> }>> {
  let argv: string[];
  try {
    argv = scamperBatchArgv(reqs, o.pps);
  } catch (err) {
    if (err instanceof DriverConfigError) return fail('config_invalid', err.message);
    throw err;
  }
  const r = await runPrivileged(session, argv, { timeoutMs: o.timeoutMs });
  if (!r.ok) return r.failure === 'ssh_timeout' ? fail('traceroute_failed', `${r.detail} (scamper, ${reqs.length} traces)`) : r;
  if (r.code === 127) return toolMissing(session.label, 'scamper');
  if (r.code !== 0 || r.stdout.trim() === '') return fail('traceroute_failed', `${session.label}: scamper (${reqs.length} traces) exited ${r.code ?? r.signal}: ${tail(r.stderr) || 'no output'}`);
  const traces = splitBatchOutput(r.stdout);
  const used = new Set<number>();
  const runs = reqs.map((req): TracerouteRun | null => {
    const k = key(req.target, req.protocol, req.port ?? null);
    const i = traces.findIndex((t, n) => !used.has(n) && t.key === k);
    if (i < 0) return null;
    used.add(i);
    const raw = traces[i].raw;
    const { trace, parseError } = parseTraceOutput('scamper', raw, { from: req.side ?? 'A', target: req.target, protocol: req.protocol, port: req.protocol === 'icmp' ? null : (req.port ?? null) });
    return { tool: 'scamper', command: argv, raw, stderr: r.stderr, trace, parseError };
  });
  return { ok: true, runs };
}
