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
import { temporalBinary } from '../../lib/project-paths';
import { freePort, startDevServer, type DevServer } from '../../ops/dev-server';
import { CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import { captureMatador } from '../../ops/processes';
import { knownWorlds } from '../world';
import { hostsRoot, layOutHosts, leftoverHostsRoots, releaseEach, sweepHosts, type HostWorker, type Hosts } from './hosts';

/** The world's folder inside a hosts root: `matador testbed up` writes its state there. */
const worldDirOf = (root: string): string => path.join(root, 'world-lab');

const worldCli = (args: string[], worldDir: string) => captureMatador(['testbed', ...args], { env: { ...process.env, MATADOR_DATA_DIR: worldDir }, timeoutMs: 180_000 });

export interface HostsSession {
  root: string;
  hosts: Hosts;
  client: Client;
  /** The running worker of the central host ('central') and of each testbed host (its id). */
  workers: Map<string, HostWorker>;
  resultsFile: string;
  /** Starts the campaign of `configFile` and returns its result (and whether it is done yet). */
  startCampaign(campaign: string, configFile: string, options?: RunOptions): Promise<{ summary: Promise<CampaignSummary>; done: () => boolean; startedAt: number }>;
  stop(): Promise<void>;
}

/** A crashed earlier run: its world goes down (from its own folder), then everything of ours. */
export async function sweepEarlierSessions(): Promise<void> {
  for (const r of leftoverHostsRoots()) if (fs.existsSync(path.join(worldDirOf(r), 'world'))) await worldCli(['down'], worldDirOf(r));
  await sweepHosts();
}

export async function startHostsSession(o: { world: string; testbeds: string[]; namespace: string }): Promise<HostsSession> {
  await sweepEarlierSessions();
  const others = knownWorlds();
  if (others.length > 0) throw new Error(`an emulated world is up (${others.join(', ')}): the several-hosts run needs the machine's namespaces; run "matador testbed down" first`);
  const root = hostsRoot();
  let hosts: Hosts | undefined;
  let server: DevServer | undefined;
  let connection: Connection | undefined;
  const workers = new Map<string, HostWorker>();
  const stop = (): Promise<void> =>
    releaseEach([
      () => connection?.close(),
      () => hosts?.teardown(),
      () => server?.stop(),
      () => worldCli(['down'], worldDirOf(root)),
      () => fs.rmSync(root, { recursive: true, force: true }),
    ]);
  try {
    const up = await worldCli(['up', o.world, '--testbeds', String(o.testbeds.length), '--quiet'], worldDirOf(root));
    if (up.code !== 0) throw new Error(`matador testbed up ${o.world} failed: ${up.stderr}`);
    hosts = await layOutHosts({ root, worldDir: worldDirOf(root), world: o.world, testbeds: o.testbeds });
    const port = await freePort();
    server = await startDevServer({ binary: temporalBinary, port, uiPort: await freePort(), headless: true, namespaces: [o.namespace], output: { logFile: path.join(root, 'logs', 'temporal.log') }, logLevel: 'error' });
    // The testbed hosts reach it at CENTRAL_ADDRESS:port over their veth (./network.ts).
    await hosts.publish({ port, namespace: o.namespace });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: o.namespace });
    workers.set('central', await hosts.startWorker('central'));
    for (const t of o.testbeds) workers.set(t, await hosts.startWorker('testbed', t));
    const h = hosts;
    return {
      root,
      hosts: h,
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
