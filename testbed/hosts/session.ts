/**
 * One several-hosts session (test/multihost, bench/multihost): the emulated world up from its own
 * folder, the hosts laid out (./hosts.ts), a Temporal frontend on the central host, the central
 * worker and one worker per testbed host, a client. stop() releases all of it, also after a
 * failure half-way; sweepEarlierSessions() clears what a crashed run left.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import type { CampaignSummary, RunOptions } from '../../lib/measurement/payloads';
import { clusterDown } from '../../ops/cluster/cluster';
import { defaultClusterBinaries } from '../../ops/cluster/paths';
import { loadTlsConfig } from '../../ops/temporal-tls';
import { CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import { captureMatador } from '../../ops/processes';
import { knownWorlds } from '../world';
import { startFrontend, type FrontendKind, type HostsFrontend } from './frontend';
import { sh } from './network';
import { rootAdbServerListening } from './testbed-host';
import { hostsRoot, layOutHosts, leftoverHostsRoots, releaseEach, sweepHosts, type HostWorker, type Hosts } from './hosts';

/** The world's folder inside a hosts root: `matador testbed up` writes its state there. */
const worldDirOf = (root: string): string => path.join(root, 'world-lab');

const worldCli = (args: string[], worldDir: string) => captureMatador(['testbed', ...args], { env: { ...process.env, MATADOR_DATA_DIR: worldDir }, timeoutMs: 180_000 });

export interface HostsSession {
  root: string;
  hosts: Hosts;
  frontend: HostsFrontend;
  client: Client;
  /** The running worker of the central host ('central') and of each testbed host (its id). */
  workers: Map<string, HostWorker>;
  resultsFile: string;
  /** Starts the campaign of `configFile` and returns its result (and whether it is done yet). */
  startCampaign(campaign: string, configFile: string, options?: RunOptions): Promise<{ summary: Promise<CampaignSummary>; done: () => boolean; startedAt: number }>;
  stop(): Promise<void>;
}

/** A crashed earlier run: its cluster and world go down (from their own folders), then everything of ours. */
export async function sweepEarlierSessions(): Promise<void> {
  for (const r of leftoverHostsRoots()) {
    const cluster = path.join(r, 'central', 'cluster');
    if (fs.existsSync(cluster)) await clusterDown(cluster, defaultClusterBinaries().pgBinDir, { purge: true });
    if (fs.existsSync(path.join(worldDirOf(r), 'world'))) await worldCli(['down'], worldDirOf(r));
  }
  await sweepHosts();
}

/** `frontend`: the dev server, or the cluster (PostgreSQL) with or without TLS (./frontend.ts). */
export async function startHostsSession(o: { world: string; testbeds: string[]; frontend: FrontendKind }): Promise<HostsSession> {
  await sweepEarlierSessions();
  const others = knownWorlds();
  if (others.length > 0) throw new Error(`an emulated world is up (${others.join(', ')}): the several-hosts run needs the machine's namespaces; run "matador testbed down" first`);
  // `matador testbed up` connects the phones to the root namespace's adb server, starting it
  // when none runs: a server this session caused is stopped with the world.
  const adbRanBefore = await rootAdbServerListening();
  const root = hostsRoot();
  let hosts: Hosts | undefined;
  let frontend: HostsFrontend | undefined;
  let connection: Connection | undefined;
  const workers = new Map<string, HostWorker>();
  const stop = (): Promise<void> =>
    releaseEach([
      () => connection?.close(),
      () => hosts?.teardown(),
      () => frontend?.stop(),
      () => worldCli(['down'], worldDirOf(root)),
      async () => {
        if (!adbRanBefore && (await rootAdbServerListening())) await sh(['adb', 'kill-server'], { allowFail: true });
      },
      () => fs.rmSync(root, { recursive: true, force: true }),
    ]);
  try {
    const up = await worldCli(['up', o.world, '--testbeds', String(o.testbeds.length), '--quiet'], worldDirOf(root));
    if (up.code !== 0) throw new Error(`matador testbed up ${o.world} failed: ${up.stderr}`);
    hosts = await layOutHosts({ root, worldDir: worldDirOf(root), world: o.world, testbeds: o.testbeds });
    frontend = await startFrontend(o.frontend, { centralDir: hosts.centralDir, logsDir: path.join(root, 'logs') });
    hosts.useFrontend(frontend);
    const tls = frontend.tls ? loadTlsConfig(frontend.tls) : undefined;
    connection = await Connection.connect({ address: frontend.centralAddress, tls });
    const client = new Client({ connection, namespace: frontend.namespace });
    workers.set('central', await hosts.startWorker('central'));
    for (const t of o.testbeds) workers.set(t, await hosts.startWorker('testbed', t));
    const h = hosts;
    return {
      root,
      hosts: h,
      frontend,
      client,
      workers,
      resultsFile: path.join(h.centralDir, 'results.sqlite'),
      async startCampaign(campaign, configFile, options) {
        const startedAt = Date.now();
        const handle = await client.workflow.start('campaignWorkflow', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: campaignWorkflowId(campaign), args: [{ config: configFile, ...(options ? { options } : {}) }] });
        let finished = false;
        const summary = (handle.result() as Promise<CampaignSummary>).finally(() => (finished = true));
        return { summary, done: () => finished, startedAt };
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
