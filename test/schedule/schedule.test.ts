/**
 * `matador schedule` against a real Temporal dev server: create a weekly campaign schedule,
 * list shows it (interval, overlap SKIP), trigger starts a campaign workflow named by its
 * scheduled time, which runs to completion on mock-activity workers, delete removes it.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { CampaignSummary } from '../../lib/temporal/types';
import type { ScheduleRow } from '../../cli/commands/schedule';
import { startTestServer, type TestServer } from '../support/dev-server';
import { createMockActivities } from '../support/mock-activities';
import { makePlan } from '../support/plans';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { matadorAgainst, type CliRun } from '../support/matador-cli';

const NAMESPACE = 'sched';
const DEMO = 'configs/campaigns/demo.yaml';

let server: TestServer;
let native: NativeConnection;
let connection: Connection;
let client: Client;
let workers: RunningWorkers;

function matador(args: string[]): Promise<CliRun> {
  return matadorAgainst({ address: server.address, namespace: NAMESPACE }, args);
}

async function list(): Promise<ScheduleRow[]> {
  const r = await matador(['schedule', 'list', '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as ScheduleRow[];
}

beforeAll(async () => {
  server = await startTestServer({ namespaces: [NAMESPACE] });
  native = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: NAMESPACE });
  // The demo campaign's id is "demo"; the mock plan activities serve a small plan for it.
  const plan = makePlan({ campaign: 'demo', apps: ['threema'], nodes: [{ id: 'de-ber', country: 'DE' }, { id: 'jp-tyo', country: 'JP' }], testbeds: ['tb1'] });
  const activities = createMockActivities({ plan, record: () => undefined });
  workers = await startWorkers({ connection: native, namespace: NAMESPACE, activities, testbeds: ['tb1'] });
});

afterAll(async () => {
  await workers?.stop();
  await connection?.close();
  await native?.close();
  await server?.stop();
});

it('creates, lists, triggers and deletes a weekly campaign schedule', async () => {
  const created = await matador(['schedule', 'create', DEMO, '--every', '7d', '--id', 'demo-weekly', '--timer-scale', '0']);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(/^Created schedule demo-weekly: campaign demo every 7d, overlap SKIP\n {2}runs are workflows campaign\/demo-<scheduled time>; next: \d{4}-\d\d-\d\dT/);

  const rows = await list();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ scheduleId: 'demo-weekly', campaign: 'demo', config: DEMO, every: ['7d'], overlap: 'SKIP', paused: false, workflowId: 'campaign/demo', recentRuns: [] });
  const text = await matador(['schedule', 'list']);
  expect(text.stdout.split('\n')[0]).toBe(`demo-weekly: campaign demo (${DEMO}) every 7d, overlap SKIP, active`);

  const triggered = await matador(['schedule', 'trigger', 'demo-weekly']);
  expect(triggered.code).toBe(0);
  expect(triggered.stdout).toBe('Triggered schedule demo-weekly; its run appears in "matador schedule list" and "matador campaign list"\n');
  // The trigger is taken asynchronously by the schedule: wait until it shows as a recent run.
  let recent: ScheduleRow['recentRuns'] = [];
  for (let i = 0; i < 100 && recent.length === 0; i++) {
    recent = (await client.schedule.getHandle('demo-weekly').describe()).info.recentActions.map((a) => ({
      workflowId: a.action.workflow.workflowId,
      scheduledAt: a.scheduledAt.toISOString(),
    }));
    if (recent.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  expect(recent).toHaveLength(1);
  const runId = recent[0].workflowId;
  expect(runId).toMatch(/^campaign\/demo-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const summary = (await client.workflow.getHandle(runId).result()) as CampaignSummary;
  expect(summary).toMatchObject({ campaign: 'demo', total: 3, ok: 3, failed: 0 });
  const desc = await client.workflow.getHandle(runId).describe();
  expect(desc.type).toBe('campaignWorkflow');
  expect(desc.searchAttributes.TemporalScheduledById).toEqual(['demo-weekly']);
  expect((await list())[0].recentRuns.map((r) => r.workflowId)).toEqual([runId]);

  const paused = await matador(['schedule', 'create', DEMO, '--every', '1d', '--id', 'demo-daily', '--paused']);
  expect(paused.stdout).toContain('Created schedule demo-daily: campaign demo every 1d, overlap SKIP, paused');
  expect((await list()).map((r) => [r.scheduleId, r.every, r.paused])).toEqual([
    ['demo-daily', ['1d'], true],
    ['demo-weekly', ['7d'], false],
  ]);

  const dup = await matador(['schedule', 'create', DEMO, '--every', '1d', '--id', 'demo-daily']);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toBe('matador: schedule demo-daily exists already; "matador schedule delete demo-daily" first or pick another --id\n');

  for (const id of ['demo-weekly', 'demo-daily']) {
    const deleted = await matador(['schedule', 'delete', id]);
    expect(deleted.stdout).toBe(`Deleted schedule ${id}\n`);
  }
  // Schedule listing is eventually consistent: wait until both are gone.
  let left = await list();
  for (let i = 0; i < 100 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    left = await list();
  }
  expect(left).toEqual([]);
  const gone = await matador(['schedule', 'trigger', 'demo-weekly']);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toBe('matador: no schedule "demo-weekly" on this server; "matador schedule list" shows them\n');
});

it('refuses bad arguments in one line', async () => {
  const badEvery = await matador(['schedule', 'create', DEMO, '--every', 'weekly']);
  expect(badEvery.code).toBe(1);
  expect(badEvery.stderr).toBe('matador: --every: expected a number and a unit s, m, h, d or w (e.g. 7d, 12h), got "weekly"\n');
  const badId = await matador(['schedule', 'create', DEMO, '--every', '7d', '--id', 'a b']);
  expect(badId.stderr.trim().split('\n')).toHaveLength(1);
  expect(badId.stderr).toMatch(/^matador: schedule id "a b": use letters/);
  const badFile = await matador(['schedule', 'create', 'configs/campaigns/none.yaml', '--every', '7d']);
  expect(badFile.code).toBe(1);
  expect(badFile.stderr.trim().split('\n')).toHaveLength(1);
  expect(badFile.stderr).toContain('none.yaml');
});
