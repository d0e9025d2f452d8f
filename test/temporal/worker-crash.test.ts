/**
 * Durability: SIGKILL the worker process in the middle of a campaign, start a new one, and the
 * campaign completes with every measurement run exactly once (counted per workflow run in the
 * SQLite file the mock activities write).
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import { campaignWorkflow } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { openMockDb } from '../support/mock-worker';
import { makePlan } from '../support/plan-fixtures';
import { spawnWorkerProcess, writeWorkflowBundle } from '../support/workers';

const NAMESPACE = 'crash';
const children: ChildProcess[] = [];
const live = useTestServer({
  namespaces: [NAMESPACE],
  teardown: () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  },
});

function startWorkerProcess(configFile: string): Promise<ChildProcess> {
  return spawnWorkerProcess(path.join(__dirname, '..', 'support', 'mock-worker.ts'), configFile, { label: 'mock worker', children });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

it('completes the campaign with every measurement exactly once after the worker is SIGKILLed', async () => {
  const campaign = 'crash-run';
  const plan = makePlan({
    campaign,
    apps: ['threema', 'signal'],
    nodes: [
      { id: 'pl-waw', country: 'PL' },
      { id: 'es-mad', country: 'ES' },
      { id: 'ch-zrh', country: 'CH' },
    ],
    testbeds: ['tb1', 'tb2'],
  });
  const { server, client } = live();
  const dir = server.tmpDir;
  const dbFile = path.join(dir, 'mock.sqlite');
  const configFile = path.join(dir, 'worker.json');
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      address: server.address,
      namespace: NAMESPACE,
      bundleFile: await writeWorkflowBundle(path.join(dir, 'workflows.js')),
      planFile: path.join(dir, 'plan.json'),
      dbFile,
      testbeds: ['tb1', 'tb2'],
      stepDelayMs: 60,
    }),
  );
  const db = openMockDb(dbFile);
  try {
    const first = await startWorkerProcess(configFile);
    const handle = await client.workflow.start(campaignWorkflow, {
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowId: `campaign/${campaign}`,
      args: [{ config: 'test:crash', options: { timerScale: 0.01, timeoutScale: 0.1 } }],
    });

    // Kill once some measurements are done and others are not.
    const completed = (): number => (db.prepare('SELECT COUNT(*) AS n FROM completions').get() as { n: number }).n;
    while (completed() < 3) await new Promise((r) => setTimeout(r, 50));
    first.kill('SIGKILL');
    await waitForExit(first);
    const atKill = completed();
    expect(atKill).toBeLessThan(plan.measurements.length);

    const second = await startWorkerProcess(configFile);
    const summary = await handle.result();
    expect(summary).toMatchObject({ campaign, total: 12, ok: 12, failed: 0 });

    const rows = db.prepare('SELECT measurement_id AS id, COUNT(*) AS n, MIN(status) AS status FROM completions GROUP BY measurement_id ORDER BY measurement_id').all() as Array<{ id: string; n: number; status: string }>;
    expect(rows.map((r) => r.id)).toEqual(plan.measurements.map((m) => m.measurementId).sort());
    expect(rows.filter((r) => r.n !== 1 || r.status !== 'ok')).toEqual([]);
    // Both processes did part of the work.
    const pids = db.prepare('SELECT DISTINCT pid FROM completions').all() as Array<{ pid: number }>;
    expect(pids.map((p) => p.pid).sort()).toEqual([first.pid, second.pid].sort());
    // Nothing ran in the killed process after the kill.
    const afterKill = db.prepare('SELECT COUNT(*) AS n FROM completions WHERE pid = ?').get(first.pid) as { n: number };
    expect(afterKill.n).toBe(atKill);

    second.kill('SIGTERM');
    await waitForExit(second);
  } finally {
    db.close();
  }
});
