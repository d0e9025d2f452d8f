/**
 * testbedCheckWorkflow (workflows/testbed-check.ts) on a real dev server with mock check
 * activities: each testbed's subjects are checked one by one on the testbed's own queue, the
 * rows arrive in subject order, the progress query shows them while the check runs, and a
 * testbed whose step fails (here: world_not_up) gets one ✘ row saying so instead of failing the
 * check of the others.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import type { CheckProgress, CheckRow, CheckSubject, CheckTestbedRequest, TestbedCheckResult } from '../../lib/check/rows';
import { subjectLabel } from '../../lib/check/rows';
import { CENTRAL_TASK_QUEUE, CHECK_PROGRESS_QUERY } from '../../temporal/conventions';
import { testbedCheckWorkflow } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';
import { matadorAgainst } from '../support/matador-cli';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';

jest.setTimeout(120_000);

const NAMESPACE = 'testbed-check-wf';
const live = useTestServer({ namespaces: [NAMESPACE] });

const SUBJECTS: CheckSubject[] = [{ kind: 'phone', side: 'A' }, { kind: 'router', side: 'B' }, { kind: 'tunnel', side: 'A', node: 'pl-waw' }];
const rowOf = (testbed: string, s: CheckSubject, ok: boolean): CheckRow => ({
  testbed, side: 'side' in s ? s.side : null, kind: s.kind, target: `target-${subjectLabel(s)}`, check: subjectLabel(s), ok, detail: ok ? 'fine' : 'broken', fix: ok ? null : 'mend it',
});

it('checks each testbed subject by subject on its queue, shows rows by query, and turns a failed step into a ✘ row', async () => {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const base = createMockActivities({ plan: makePlan({ campaign: 'c', apps: ['threema'], nodes: [{ id: 'pl-waw', country: 'PL' }], testbeds: ['tb1', 'tb2'] }), record: () => undefined });
  const activities = {
    ...base,
    checkTestbed: async (req: CheckTestbedRequest) => {
      calls.push(`${req.testbed} ${req.subject ? subjectLabel(req.subject) : 'list'}`);
      if (req.testbed === 'tb2') throw ApplicationFailure.nonRetryable('world small is not up', 'world_not_up');
      if (!req.subject) return { subjects: SUBJECTS, rows: [] };
      if (req.subject.kind === 'tunnel') await gate; // the last subject waits: rows so far are queryable
      return { subjects: SUBJECTS, rows: [rowOf(req.testbed, req.subject, req.subject.kind !== 'router')] };
    },
  };
  const workers = await startWorkers({ connection: live().native, namespace: NAMESPACE, activities, testbeds: ['tb1', 'tb2'] });
  try {
    const client = new Client({ connection: live().connection, namespace: NAMESPACE });
    const handle = await client.workflow.start(testbedCheckWorkflow, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: 'testbed-check/c/now', args: [{ config: 'c.yaml', testbeds: ['tb1', 'tb2'] }] });
    let progress: CheckProgress = { testbeds: [] };
    for (let i = 0; i < 200 && (progress.testbeds[0]?.rows.length ?? 0) < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      progress = await handle.query<CheckProgress>(CHECK_PROGRESS_QUERY);
    }
    expect(progress.testbeds[0].rows.map((r) => r.check)).toEqual(['phone A', 'router B']);
    release();
    const result: TestbedCheckResult[] = await handle.result();
    expect(result[0]).toEqual({ testbed: 'tb1', rows: SUBJECTS.map((s) => rowOf('tb1', s, s.kind !== 'router')) });
    expect(result[1].rows).toEqual([
      { testbed: 'tb2', side: null, kind: 'testbed', target: 'testbed-tb2', check: 'testbed readable', ok: false, detail: 'world_not_up: world small is not up', fix: 'bring the emulated world up ("matador testbed up")' },
    ]);
    expect(calls.filter((c) => c.startsWith('tb1'))).toEqual(['tb1 list', 'tb1 phone A', 'tb1 router B', 'tb1 tunnel A -> pl-waw']);
    expect(calls.filter((c) => c.startsWith('tb2'))).toEqual(['tb2 list']); // non-retryable: asked once
  } finally {
    release();
    await workers.stop();
  }
});

it('gives up in one line, naming the fix, when no central worker runs the check', async () => {
  const demo = path.join(projectRoot, 'configs', 'campaigns', 'demo.yaml');
  const r = await matadorAgainst({ address: live().server.address, namespace: NAMESPACE }, ['testbed', 'check', '--campaign', demo, '--worker-wait', '2']);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toMatch(/^matador: no central worker ran the testbed check \(workflow testbed-check\/demo\/\S+\) within 2 s: start "matador worker --role central" for task queue matador-central$/);
  const client = new Client({ connection: live().connection, namespace: NAMESPACE });
  let statuses: string[] = [];
  for (let i = 0; i < 50 && statuses.join() !== 'TERMINATED'; i++) { // visibility is eventually consistent
    if (i > 0) await new Promise((res) => setTimeout(res, 100));
    statuses = [];
    for await (const wf of client.workflow.list({ query: 'WorkflowId STARTS_WITH "testbed-check/demo/"' })) statuses.push(wf.status.name);
  }
  expect(statuses).toEqual(['TERMINATED']);
});
