/**
 * `balance: work-stealing` on a real Temporal dev server with mock activities: a campaign whose
 * plan gives one testbed nearly all the work. The idle testbeds take over the end of its queue,
 * across a continue-as-new, and every measurement still runs exactly once.
 */
import { Client } from '@temporalio/client';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import type { CampaignProgress, CampaignSummary, StepContext } from '../../lib/measurement/payloads';
import { campaignWorkflow, progressQuery } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities, overlapsPerTestbed, type MockEvent } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';

const NAMESPACE = 'work-stealing';
const live = useTestServer({ namespaces: [NAMESPACE] });

const NODES = ['pl-waw', 'es-mad', 'ch-zrh', 'fr-par'].map((id) => ({ id, country: id.slice(0, 2).toUpperCase() }));
const TESTBEDS = ['tb1', 'tb2', 'tb3'];
const APPS = ['threema', 'whatsapp'];

interface Teardown {
  testbed: string;
  measurementId: string;
  keepTunnels: boolean;
}

describe('a campaign with balance: work-stealing whose plan gives tb1 nearly everything', () => {
  const campaign = 'stealing';
  // 4 nodes -> 10 pairs x 2 apps = 20 measurements: tb1 has 16 (8 pairs), tb2 and tb3 one pair each
  const made = makePlan({ campaign, apps: APPS, nodes: NODES, testbeds: TESTBEDS });
  const planned = made.measurements.map((m, i) => ({ ...m, testbed: i < 16 ? 'tb1' : i < 18 ? 'tb2' : 'tb3' }));
  const plan = { ...made, measurements: planned, balance: { unit: APPS.length } };
  const plannedOn = new Map(planned.map((m) => [m.measurementId, m.testbed]));
  const pairOf = (id: string) => id.split('/').slice(2).join('/');
  const events: MockEvent[] = [];
  const teardowns: Teardown[] = [];
  const persisted: string[] = [];
  let summary: CampaignSummary;
  let progress: CampaignProgress;

  beforeAll(async () => {
    const mocks = createMockActivities({
      plan,
      record: (e) => events.push(e),
      saveRecord: (measurementId) => persisted.push(measurementId),
      stepDelayMs: 20,
    });
    const teardown = async (input: { ctx: StepContext }) => {
      teardowns.push({ testbed: input.ctx.testbed, measurementId: input.ctx.measurementId, keepTunnels: input.ctx.keepTunnels === true });
      return mocks.teardown(input);
    };
    const workers = await startWorkers({ connection: live().native, namespace: NAMESPACE, activities: { ...mocks, teardown }, testbeds: TESTBEDS });
    const client = new Client({ connection: live().connection, namespace: NAMESPACE });
    try {
      const handle = await client.workflow.start(campaignWorkflow, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId: `campaign/${campaign}`,
        // small pages and a continue-as-new every 7 measurements: taken-over ranges travel in the carried state
        args: [{ config: `test:${campaign}`, options: { timerScale: 0, timeoutScale: 0.1 }, pageSize: 3, continueAsNewAfter: 7 }],
      });
      summary = await handle.result();
      progress = await handle.query(progressQuery);
    } finally {
      await workers.stop();
    }
  });

  it('runs every measurement exactly once, across continue-as-new runs', () => {
    expect(summary).toMatchObject({ campaign, total: 20, ok: 20, failed: 0 });
    expect(summary.runs).toBeGreaterThanOrEqual(3);
    expect([...persisted].sort()).toEqual(planned.map((m) => m.measurementId).sort());
  });

  it('has tb2 and tb3 run measurements of tb1\'s queue, each on its own queue one at a time', () => {
    expect(overlapsPerTestbed(events)).toEqual([]);
    const ranOn = new Map(events.filter((e) => e.step === 'provisionTunnels' && e.kind === 'start').map((e) => [e.measurementId, e.testbed]));
    const takenOver = [...ranOn].filter(([id, testbed]) => plannedOn.get(id) === 'tb1' && testbed !== 'tb1');
    expect(new Set(takenOver.map(([, testbed]) => testbed))).toEqual(new Set(['tb2', 'tb3']));
    // tb1 alone would run 16 of 20; sharing, nobody runs more than 10
    const perTestbed = TESTBEDS.map((tb) => [...ranOn.values()].filter((t) => t === tb).length);
    expect(Math.max(...perTestbed)).toBeLessThanOrEqual(10);
    // the record says which testbed ran it
    expect(events.filter((e) => e.step === 'persistRecord').every((e) => e.testbed === ranOn.get(e.measurementId))).toBe(true);
  });

  it('keeps tunnels up only for a next measurement of the same node pair on the same testbed', () => {
    for (const tb of TESTBEDS) {
      const order = teardowns.filter((t) => t.testbed === tb);
      order.forEach((t, i) => {
        if (!t.keepTunnels) return;
        const next = order[i + 1];
        expect({ kept: t.measurementId, next: next && pairOf(next.measurementId) }).toEqual({ kept: t.measurementId, next: pairOf(t.measurementId) });
      });
    }
    // and whole pairs moved: most kept tunnels were used (a split pair costs one set-up)
    expect(teardowns.filter((t) => t.keepTunnels).length).toBeGreaterThanOrEqual(7);
  });

  it('reports the shared work in its progress: totals add up, every testbed done', () => {
    expect(progress.workStealing).toBe(true);
    expect(progress.testbeds.reduce((n, t) => n + t.total, 0)).toBe(20);
    expect(progress.testbeds.every((t) => t.next === t.total && t.running === null)).toBe(true);
    expect(progress.testbeds.find((t) => t.id === 'tb1')!.total).toBeLessThan(16);
  });
});
