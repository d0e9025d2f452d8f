/**
 * Tunnels kept between consecutive measurements of the same node pair: the campaign lane asks
 * for it (keepTunnelsForNext) only when the next measurement of its page has the same nodes,
 * and the measurement workflow passes keepTunnels to teardown only after a successful attempt.
 * Real Temporal dev server, mock activities (the teardown input is recorded as received).
 */
import { Client } from '@temporalio/client';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import type { CampaignSummary, MeasurementInput } from '../../lib/measurement/payloads';
import { campaignWorkflow } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities, type FailureRule, type MockEvent } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';

jest.setTimeout(120_000);

const NS = { reuse: 'tunnel-reuse', pages: 'tunnel-reuse-pages' };
const NODES = [
  { id: 'pl-waw', country: 'PL' },
  { id: 'es-mad', country: 'ES' },
];
const APPS = ['threema', 'whatsapp'];
const NO_WAITS = { timerScale: 0, timeoutScale: 0.1 };

const live = useTestServer({ namespaces: Object.values(NS) });

interface TeardownCall {
  measurementId: string;
  attempt: number;
  keepTunnels: boolean | undefined;
}

/** 2 node pairs (pl-waw/pl-waw, pl-waw/es-mad) x 2 apps on one testbed, in plan order. */
function twoPairsPlan(campaign: string): ReturnType<typeof makePlan> {
  const plan = makePlan({ campaign, apps: APPS, nodes: NODES, testbeds: ['tb1'] });
  return { ...plan, measurements: plan.measurements.filter((m) => m.nodeA.id === 'pl-waw') };
}

async function runCampaign(o: { namespace: string; campaign: string; pageSize?: number; failures?: FailureRule[] }): Promise<{ summary: CampaignSummary; teardowns: TeardownCall[]; inputs: Map<string, MeasurementInput>; order: string[] }> {
  const plan = twoPairsPlan(o.campaign);
  const events: MockEvent[] = [];
  const base = createMockActivities({ plan, record: (e) => events.push(e), failures: o.failures });
  const teardowns: TeardownCall[] = [];
  const activities = {
    ...base,
    teardown: async (input: Parameters<typeof base.teardown>[0]) => {
      teardowns.push({ measurementId: input.ctx.measurementId, attempt: input.ctx.attempt, keepTunnels: input.ctx.keepTunnels });
      return base.teardown(input);
    },
  };
  const workers = await startWorkers({ connection: live().native, namespace: o.namespace, activities, testbeds: ['tb1'] });
  const client = new Client({ connection: live().connection, namespace: o.namespace });
  try {
    const handle = await client.workflow.start(campaignWorkflow, {
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowId: `campaign/${o.campaign}`,
      args: [{ config: `test:${o.campaign}`, options: { ...NO_WAITS, maxAttempts: 2 }, pageSize: o.pageSize }],
    });
    const summary = await handle.result();
    // What the lane passed to each child: its first history event holds the input.
    const inputs = new Map<string, MeasurementInput>();
    for (const m of plan.measurements) {
      const history = await client.workflow.getHandle(m.measurementId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = started?.input?.payloads?.[0]?.data;
      if (!payload) throw new Error(`no input in the history of ${m.measurementId}`);
      inputs.set(m.measurementId, JSON.parse(Buffer.from(payload).toString('utf8')) as MeasurementInput);
    }
    return { summary, teardowns, inputs, order: plan.measurements.map((m) => m.measurementId) };
  } finally {
    await workers.stop();
  }
}

describe('a campaign of 2 node pairs x 2 apps on one testbed', () => {
  const campaign = 'reuse-run';
  const id = (app: string, pair: string): string => `${campaign}/${app}/${pair}`;
  // The first measurement of the second pair fails after capture start in its first attempt.
  const failingFirst = id('threema', 'pl-waw/es-mad');
  let result: Awaited<ReturnType<typeof runCampaign>>;

  beforeAll(async () => {
    result = await runCampaign({
      namespace: NS.reuse,
      campaign,
      failures: [{ measurementId: failingFirst, step: 'traceroutes', attempts: [1], nonRetryable: true, type: 'ssh_unreachable' }],
    });
  });

  it('runs every measurement, pair by pair', () => {
    expect(result.summary).toMatchObject({ total: 4, ok: 4, failed: 0 });
    expect(result.order).toEqual([id('threema', 'pl-waw/pl-waw'), id('whatsapp', 'pl-waw/pl-waw'), id('threema', 'pl-waw/es-mad'), id('whatsapp', 'pl-waw/es-mad')]);
  });

  it('asks to keep the tunnels only for the first measurement of each pair', () => {
    const asked = result.order.map((m) => [m, result.inputs.get(m)?.keepTunnelsForNext ?? null]);
    expect(asked).toEqual([
      [id('threema', 'pl-waw/pl-waw'), true],
      [id('whatsapp', 'pl-waw/pl-waw'), null],
      [id('threema', 'pl-waw/es-mad'), true],
      [id('whatsapp', 'pl-waw/es-mad'), null],
    ]);
  });

  it('tears down with keepTunnels only after the successful attempt of a first measurement; a failed attempt gets the full teardown', () => {
    expect(result.teardowns.map((t) => [t.measurementId, t.attempt, t.keepTunnels ?? null])).toEqual([
      [id('threema', 'pl-waw/pl-waw'), 1, true],
      [id('whatsapp', 'pl-waw/pl-waw'), 1, null],
      [failingFirst, 1, null],
      [failingFirst, 2, true],
      [id('whatsapp', 'pl-waw/es-mad'), 1, null],
    ]);
  });
});

describe('page ends', () => {
  it('never keeps the tunnels when the next measurement is not in the page at hand', async () => {
    const result = await runCampaign({ namespace: NS.pages, campaign: 'reuse-pages', pageSize: 1 });
    expect(result.summary).toMatchObject({ total: 4, ok: 4, failed: 0 });
    expect(result.teardowns.map((t) => t.keepTunnels ?? null)).toEqual([null, null, null, null]);
    expect(result.order.map((m) => result.inputs.get(m)?.keepTunnelsForNext ?? null)).toEqual([null, null, null, null]);
  });
});
