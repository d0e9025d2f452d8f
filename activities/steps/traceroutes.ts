/**
 * traceroutes (paper section 3.2), both vantage nodes concurrently, over one SSH connection each:
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
import { MDA_TIMEOUT_MS, tracerouteOnSession, type TracerouteBackend } from '../../drivers/node';
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

async function runSide(env: StepEnv, e: SideEndpoints, jobs: Job[], dir: string, backend: TracerouteBackend): Promise<Array<{ job: Job; trace: Trace; artefact: ArtefactRef | null }>> {
  const conn = await connectSsh(e.node.ssh);
  if (!conn.ok) return jobs.map((job) => ({ job, trace: emptyTrace(e.side, job, backend, conn), artefact: null }));
  try {
    const out: Array<{ job: Job; trace: Trace; artefact: ArtefactRef | null }> = new Array(jobs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const i = next++;
        const job = jobs[i];
        const tool = job.backend ?? backend;
        const request = {
          target: job.target, protocol: job.protocol, port: job.port, backend: tool, side: e.side,
          ...(job.mda ? { mda: true, timeoutMs: MDA_TIMEOUT_MS } : { timeoutMs: SINGLE_PATH_TIMEOUT_MS }),
        };
        let r = await tracerouteOnSession(conn.session, request);
        // One more try for a trace the tool itself lost (no readable output, its own timeout):
        // the other traces of the step are kept, so only this one is measured again.
        if (!r.ok && r.failure === 'traceroute_failed') r = await tracerouteOnSession(conn.session, request);
        if (!r.ok) {
          out[i] = { job, trace: emptyTrace(e.side, job, tool, r), artefact: null };
          continue;
        }
        const file = path.join(dir, `traceroute-${e.side}-${job.path}${job.mda ? '-mda' : ''}-${job.protocol}-${job.target}-${job.port}.${tool === 'scamper' ? 'json' : 'txt'}`);
        fs.writeFileSync(file, r.run.raw);
        const artefact = { kind: 'traceroute-raw', path: relToData(env, file) };
        const trace: Trace = r.run.trace
          ? { ...r.run.trace, target: job.target, port: job.port, targetName: job.name ?? r.run.trace.targetName ?? null, failure: null, detail: null }
          : emptyTrace(e.side, job, tool, { failure: 'traceroute_failed', detail: `unparsable ${tool} output: ${r.run.parseError}` });
        out[i] = { job, trace, artefact };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PER_NODE, jobs.length) }, worker));
    return out;
  } finally {
    conn.session.close();
  }
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
