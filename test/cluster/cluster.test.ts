/**
 * `matador cluster` with the real binaries (Temporal server 1.29.1, PostgreSQL 15, the Web UI
 * server when built): up -> status -> a workflow with a Matador search attribute written and
 * found again through SQL visibility (SDK and `temporal workflow list --query`) -> up again
 * (already running) -> down (no process left, every port free) -> up keeps the data -> down.
 * Heavy: run under the shared lock (flock /tmp/matador-heavy.lock npx jest test/cluster/cluster.test.ts).
 */
import * as fs from 'fs';
import { isPortFree } from '../../ops/dev-server';
import { isProcessAlive } from '../../ops/pid';
import { clusterPorts } from '../../ops/cluster/declaration';
import { readClusterState } from '../../ops/cluster/paths';
import { temporalBinary } from '../../lib/project-paths';
import { withClient } from '../../cli/temporal-client';
import { SA } from '../../temporal/conventions';
import { startTestCluster, type TestCluster } from '../support/cluster';
import { matador, runCmd } from '../support/matador-cli';

let cluster: TestCluster;
const campaign = `cluster-test-${process.pid}`;
const workflowId = `cluster-probe/${campaign}`;

beforeAll(async () => {
  cluster = await startTestCluster();
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

async function untilListed(query: string): Promise<string[]> {
  for (;;) {
    const ids = await withClient(cluster.target(), async (client) => {
      const found: string[] = [];
      for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
      return found;
    });
    if (ids.length > 0) return ids;
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('status names each process, the addresses and the data folder', async () => {
  const r = await matador(['cluster', 'status', ...cluster.cliArgs]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Temporal cluster: running');
  expect(r.stdout).toContain(`gRPC:       ${cluster.address} (plain, no TLS)`);
  expect(r.stdout).toMatch(/PostgreSQL:\s+pid \d+/);
  expect(r.stdout).toMatch(/Web UI server:\s+(pid \d+|not available)/);
  expect(r.stdout).toContain(`data:       ${cluster.dir}`);
});

test('a workflow with a Matador search attribute is stored and found by a visibility query', async () => {
  await withClient(cluster.target(), async (client) => {
    // No worker polls this queue: the workflow stays open, which is all visibility needs.
    await client.workflow.start('clusterProbe', { taskQueue: 'cluster-probe', workflowId, typedSearchAttributes: [{ key: SA.campaign, value: campaign }] });
  });
  expect(await untilListed(`MatadorCampaign="${campaign}"`)).toEqual([workflowId]);
  const cli = await runCmd([temporalBinary, 'workflow', 'list', '--address', cluster.address, '--query', `MatadorCampaign="${campaign}"`, '-o', 'json']);
  expect(cli.code).toBe(0);
  expect((JSON.parse(cli.stdout) as Array<{ execution: { workflowId: string } }>).map((w) => w.execution.workflowId)).toEqual([workflowId]);
  await withClient(cluster.target(), (client) => client.workflow.getHandle(workflowId).terminate('cluster test'));
});

test('PostgreSQL stopped and started again under a running server: the server serves again', async () => {
  await cluster.stopPostgres();
  await cluster.startPostgres();
  expect(await untilListed(`MatadorCampaign="${campaign}"`)).toEqual([workflowId]);
});

test('up again finds it running and leaves it alone', async () => {
  const before = readClusterState(cluster.dir)!;
  const r = await matador(['cluster', 'up', ...cluster.cliArgs, '--port', String(cluster.port), '--ui-port', String(cluster.uiPort), '--pg-port', String(cluster.pgPort)]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`already running (server pid ${before.serverPid}`);
  expect(readClusterState(cluster.dir)!.serverPid).toBe(before.serverPid);
});

test('down leaves nothing running and every port free; up again keeps the data', async () => {
  const state = readClusterState(cluster.dir)!;
  const down = await matador(['cluster', 'down', ...cluster.cliArgs]);
  expect(down.code).toBe(0);
  expect(down.stdout).toContain(`Temporal server (pid ${state.serverPid})`);
  for (const pid of [state.serverPid, state.pgPid, ...(state.uiPid ? [state.uiPid] : [])]) expect(isProcessAlive(pid)).toBe(false);
  for (const port of Object.values(clusterPorts(cluster.port))) expect(await isPortFree(port, cluster.ip)).toBe(true);
  expect(await isPortFree(cluster.pgPort)).toBe(true);
  expect(await isPortFree(cluster.uiPort, cluster.ip)).toBe(true);
  const status = await matador(['cluster', 'status', ...cluster.cliArgs]);
  expect(status.code).toBe(3);
  expect(status.stdout).toContain('not running');
  expect(fs.existsSync(cluster.dir)).toBe(true); // data kept without --purge

  const up = await matador(['cluster', 'up', ...cluster.cliArgs, '--port', String(cluster.port), '--ui-port', String(cluster.uiPort), '--pg-port', String(cluster.pgPort)]);
  expect(up.code).toBe(0);
  expect(up.stdout).toContain('Temporal cluster running');
  expect(await untilListed(`MatadorCampaign="${campaign}" AND ExecutionStatus="Terminated"`)).toEqual([workflowId]);
});
