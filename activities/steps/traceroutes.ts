/**
 * traceroutes (paper section 3.2), both vantage nodes concurrently, over one SSH connection each
 * (each node's single-path scamper traces in one scamper process, see runSide):
 *  - application path: from each node to every service endpoint with the service's own protocol
 *    and port (the addresses the capture saw; the node's NAT does not change them);
 *  - network path: between the two nodes with TCP to a random high port, both directions
 *    (a self-pair has one node: one trace, with traceroute — see jobsOf).
 * Backend scamper by default (env.tracerouteBackend). With the campaign's
 * `traceroutes.applicationPaths: mda` the application paths are traced with scamper tracelb
 * (Paris MDA, every load-balanced branch; scamper whatever the backend, since only it does MDA)
 * and each may take up to MDA_TIMEOUT_MS; network paths stay single-path. A trace that fails is
 * kept with its `failure` string and no hops; the raw tool output of every trace is an artefact.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MDA_TIMEOUT_MS, tracerouteOnSession, type TracerouteBackend, type TracerouteRequest, type TracerouteRun } from '../../drivers/node';
import { DEFAULT_SCAMPER_PPS } from '../../drivers/node/traceroute';
import { tracerouteBatchOnSession } from '../../drivers/node/trace-batch';
import type { DriverResult } from '../../drivers/ssh/failures';
import { connectSsh } from '../../drivers/ssh/session';
import type { Paths, TraceOptions, TracerouteTarget, StepContext } from '../../lib/measurement/payloads';
import type { Protocol, Side, Trace } from '../../lib/types';
import { attemptDir, relToData, type StepEnv } from './context';
import type { ArtefactRef } from '../../lib/types';
import { resolveTestbed, type SideEndpoints } from './testbed-endpoints';

const PARALLEL_PER_NODE = 4;

interface Job {
  path: 'network' | 'application';
  target: string;
  protocol: Protocol;
  port: number;
  name: string | null;
  /** Overrides the configured backend for this trace (see the self-pair note in traceroutes). */
  backend?: TracerouteBackend;
  /** Paris MDA (scamper tracelb): every load-balanced branch. */
  mda?: boolean;
}

/** Single-path traces get 120 s; an MDA trace sends several times the probes. */
const SINGLE_PATH_TIMEOUT_MS = 120_000;

/** A port in 33434..65000 that no service uses: the node-to-node trace ends at a closed port. */
export function randomHighPort(): number {
  return 33434 + crypto.randomInt(65000 - 33434);
}

/** A trace that could not be measured: the driver's failure code and detail, no hops. */
function emptyTrace(from: Side, job: Job, tool: TracerouteBackend, failed: { failure: string; detail: string }): Trace {
  const method = tool === 'scamper' ? { method: job.mda ? ('tracelb' as const) : ('trace' as const) } : {};
  return { from, target: job.target, protocol: job.protocol, port: job.port, hops: [], targetName: job.name, tool, ...method, failure: failed.failure, detail: failed.detail };
}

type SideResult = { job: Job; trace: Trace; artefact: ArtefactRef | null };

/**
 * One node's traces over one SSH connection. Its single-path scamper traces (two or more) run
 * first as one scamper process (drivers/node/trace-batch.ts), all at once within the probe budget
 * of PARALLEL_PER_NODE traces (scamper's rate each): the same probes, as fast as the slowest
 * trace instead of in rounds of PARALLEL_PER_NODE. The other traces (traceroute, MDA), and any
 * the batch did not bring back, then run PARALLEL_PER_NODE at a time as their own processes.
 */
async function runSide(env: StepEnv, e: SideEndpoints, jobs: Job[], dir: string, backend: TracerouteBackend): Promise<SideResult[]> {
  const conn = await connectSsh(e.node.ssh);
  if (!conn.ok) return jobs.map((job) => ({ job, trace: emptyTrace(e.side, job, backend, conn), artefact: null }));
  try {
    const out: SideResult[] = new Array(jobs.length);
    const request = (job: Job): TracerouteRequest => ({
      target: job.target, protocol: job.protocol, port: job.port, backend: job.backend ?? backend, side: e.side,
      ...(job.mda ? { mda: true, timeoutMs: MDA_TIMEOUT_MS } : { timeoutMs: SINGLE_PATH_TIMEOUT_MS }),
    });
    const keep = (i: number, r: DriverResult<{ run: TracerouteRun }>): void => {
      out[i] = recordTrace(env, e.side, jobs[i], jobs[i].backend ?? backend, r, dir);
    };
    // Traces the batch measured once already get no second try of their own below.
    const batched = jobs.flatMap((job, i) => ((job.backend ?? backend) === 'scamper' && !job.mda ? [i] : []));
    const tried = new Set<number>();
    if (batched.length >= 2) {
      const b = await tracerouteBatchOnSession(conn.session, batched.map((i) => request(jobs[i])), { pps: DEFAULT_SCAMPER_PPS * Math.min(PARALLEL_PER_NODE, batched.length), timeoutMs: SINGLE_PATH_TIMEOUT_MS });
      batched.forEach((i, n) => {
        const run = b.ok ? b.runs[n] : null;
        if (run) keep(i, { ok: true, run });
        else if (b.ok || b.failure === 'traceroute_failed') tried.add(i);
      });
    }
    const rest = jobs.flatMap((_, i) => (out[i] ? [] : [i]));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rest.length) {
        const i = rest[next++];
        const req = request(jobs[i]);
        let r = await tracerouteOnSession(conn.session, req);
        // One more try for a trace the tool itself lost (no readable output, its own timeout):
        // the other traces of the step are kept, so only this one is measured again.
        if (!r.ok && r.failure === 'traceroute_failed' && !tried.has(i)) r = await tracerouteOnSession(conn.session, req);
        keep(i, r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PER_NODE, rest.length) }, worker));
    return out;
  } finally {
    conn.session.close();
  }
}

/** A trace's record: its raw output kept as an artefact, the parsed trace (or why there is none). */
function recordTrace(env: StepEnv, side: Side, job: Job, tool: TracerouteBackend, r: DriverResult<{ run: TracerouteRun }>, dir: string): SideResult {
  if (!r.ok) return { job, trace: emptyTrace(side, job, tool, r), artefact: null };
  const file = path.join(dir, `traceroute-${side}-${job.path}${job.mda ? '-mda' : ''}-${job.protocol}-${job.target}-${job.port}.${tool === 'scamper' ? 'json' : 'txt'}`);
  fs.writeFileSync(file, r.run.raw);
  const artefact = { kind: 'traceroute-raw', path: relToData(env, file) };
  const trace: Trace = r.run.trace
    ? { ...r.run.trace, target: job.target, port: job.port, targetName: job.name ?? r.run.trace.targetName ?? null, failure: null, detail: null }
    : emptyTrace(side, job, tool, { failure: 'traceroute_failed', detail: `unparsable ${tool} output: ${r.run.parseError}` });
  return { job, trace, artefact };
}

export async function traceroutes(
  env: StepEnv,
  ctx: StepContext,
  endpoints: TracerouteTarget[],
  options?: TraceOptions,
): Promise<Paths & { artefacts: ArtefactRef[]; networkPort: number; backend: TracerouteBackend }> {
  const tb = resolveTestbed(env, ctx);
  const backend = env.tracerouteBackend ?? 'scamper';
  const dir = path.join(attemptDir(env, ctx).abs, 'traceroutes');
  fs.mkdirSync(dir, { recursive: true });
  const networkPort = randomHighPort();
  const selfPair = ctx.nodeA.id === ctx.nodeB.id;
  const mda = options?.applicationPaths === 'mda';
  const app: Job[] = endpoints.map((ep) => ({
    path: 'application', target: ep.ip, protocol: ep.protocol, port: ep.port, name: ep.name ?? null,
    ...(mda ? { mda: true, backend: 'scamper' as const } : {}),
  }));
  const jobsOf = (s: Side): Job[] => {
    const other = tb.sides[s === 'A' ? 'B' : 'A'].node;
    // A self-pair's network path is the node to itself: the reply comes over loopback, which
    // scamper (it sniffs the datalink) never sees, while traceroute's socket does.
    const network: Job[] =
      s === 'B' && selfPair ? [] : [{ path: 'network', target: other.address, protocol: 'tcp', port: networkPort, name: other.id, ...(selfPair ? { backend: 'traceroute' as const } : {}) }];
    return [...network, ...app];
  };
  const [a, b] = await Promise.all((['A', 'B'] as const).map((s) => runSide(env, tb.sides[s], jobsOf(s), dir, backend)));
  const all = [...a, ...b];
  return {
    networkPath: { traces: all.filter((x) => x.job.path === 'network').map((x) => x.trace) },
    applicationPath: { traces: all.filter((x) => x.job.path === 'application').map((x) => x.trace) },
    artefacts: all.flatMap((x) => (x.artefact ? [x.artefact] : [])),
    networkPort,
    backend,
  };
}
