/**
 * History stays small (issue 11 part 4): a measurement whose captures hold 10,000 flows per side
 * and a whole campaign (with continue-as-new) against a real Temporal dev server, mock
 * activities except the classification payload path: classifyFlows stores the synthetic
 * classification as the real step does (storeSideClassifications) and persistRecord resolves the
 * references as the real one does (resolveClassificationRefs). Prints the history sizes measured.
 * HISTORY_CAMPAIGN_NODES=28 (x 4 apps = 1,624 measurements) measures a paper-sized campaign;
 * HISTORY_CAMPAIGN_TESTBEDS=n runs n lanes (default 3); HISTORY_CAMPAIGN_CAN_AFTER=none leaves continue-as-new to the campaign's history bounds (CAMPAIGN_HISTORY_LIMITS), as in production.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { resolveClassificationRefs } from '../../activities/record-refs';
import { storeSideClassifications } from '../../activities/steps/classify';
import type { MeasurementInput, MeasurementRecord, SideClassification } from '../../lib/measurement/payloads';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import { campaignWorkflow, measurementWorkflow } from '../../workflows';
import { MAX_LISTED_FAILURES } from '../../workflows/campaign';
import { useTestServer } from '../support/dev-server';
import { createMockActivities, type FailureRule } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';

const NS = { measurement: 'hist-measurement', campaign: 'hist-campaign' };
const live = useTestServer({ namespaces: Object.values(NS) });
const FLOWS_PER_SIDE = 10_000;
/** A measurement's whole history, whatever its flow count, stays under this (bytes). */
const MEASUREMENT_HISTORY_BOUND = 256 * 1024;
/** No single event (a payload) of it gets near Temporal's 2 MB payload limit. */
const EVENT_BOUND = 64 * 1024;

function syntheticSide(side: 'A' | 'B', n: number): SideClassification {
  const flows = Array.from({ length: n }, (_, i) => ({
    key: `tcp 10.0.${side === 'A' ? 1 : 2}.2:${10000 + (i % 50000)} 198.18.${(i >> 8) & 255}.${i & 255}:443`,
    class: i % 3 === 0 ? 'noise' : 'unknown',
    reason: 'synthetic',
    names: [`host-${i}.example.net`],
    packets: 10,
    bytes: 1500,
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:01.000Z',
    carriedMessages: [],
  }));
  return { side, capture: `capture-${side}.pcap`, packets: n * 10, baseline: null, counts: { messaging: 0, 'app-background': 0, noise: Math.ceil(n / 3), unknown: n - Math.ceil(n / 3) }, flows, endpoints: [], unknownServers: [], messages: [] };
}

interface HistorySize {
  bytes: number;
  events: number;
  largestEvent: number;
  continuedAs: string | null;
}

async function historySize(client: Client, workflowId: string, runId?: string): Promise<HistorySize> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const largestEvent = Math.max(...events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length));
  const last = events.at(-1);
  return {
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    events: events.length,
    largestEvent,
    continuedAs: last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? null,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

describe('a measurement of 2 x 10,000 flows', () => {
  let dataDir: string;
  let stored: MeasurementRecord | undefined;
  let size: HistorySize;
  let fullJson: number;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hist-'));
    const plan = makePlan({ campaign: 'hist', apps: ['threema'], nodes: [{ id: 'pl-waw', country: 'PL' }, { id: 'es-mad', country: 'ES' }], testbeds: ['tb1'], messages: 4 });
    const sides = [syntheticSide('A', FLOWS_PER_SIDE), syntheticSide('B', FLOWS_PER_SIDE)];
    fullJson = JSON.stringify(sides).length;
    const mock = createMockActivities({ plan, record: () => undefined, shipping: { testbedDir: dataDir, centralDir: dataDir } });
    const activities = {
      ...mock,
      classifyFlows: async ({ ctx }: Parameters<typeof mock.classifyFlows>[0]) => storeSideClassifications({ dataDir }, ctx, { endpoints: [], sides }),
      persistRecord: async ({ record }: Parameters<typeof mock.persistRecord>[0]) => {
        stored = resolveClassificationRefs(record, dataDir);
        return { stored: `mock:${record.measurementId}` };
      },
    };
    const workers = await startWorkers({ connection: live().native, namespace: NS.measurement, activities, testbeds: ['tb1'] });
    const client = new Client({ connection: live().connection, namespace: NS.measurement });
    try {
      const spec = plan.measurements.find((m) => m.nodeA.id !== m.nodeB.id) ?? plan.measurements[0];
      const input: MeasurementInput = { ...spec, config: { path: 'test:hist', digest: 'x' }, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 } };
      await client.workflow.execute(measurementWorkflow, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: spec.measurementId, args: [input] });
      size = await historySize(client, spec.measurementId);
    } finally {
      await workers.stop();
    }
  }, 120_000);

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the flows out of history: the history stays under a bound independent of the flow count', () => {
    console.log(`measurement history with 2 x ${FLOWS_PER_SIDE} flows: ${kb(size.bytes)} in ${size.events} events, largest event ${kb(size.largestEvent)} (the flows as JSON: ${kb(fullJson)}, which used to travel twice)`);
    expect(size.bytes).toBeLessThan(MEASUREMENT_HISTORY_BOUND);
    expect(size.largestEvent).toBeLessThan(EVENT_BOUND);
    expect(fullJson).toBeGreaterThan(MEASUREMENT_HISTORY_BOUND); // the bound would catch flows in history
  });

  it('stores the record with every flow (persistRecord reads them back)', () => {
    const flows = stored?.flows as SideClassification[];
    expect(flows.map((s) => [s.side, s.flows.length])).toEqual([['A', FLOWS_PER_SIDE], ['B', FLOWS_PER_SIDE]]);
    expect(flows[0].flows[0]).toMatchObject({ class: 'noise', names: ['host-0.example.net'] });
  });
});

describe('a campaign across continue-as-new', () => {
  const nodeCount = Number(process.env.HISTORY_CAMPAIGN_NODES ?? 8);
  const apps = ['a1', 'a2', 'a3', 'a4'];
  const testbeds = Array.from({ length: Number(process.env.HISTORY_CAMPAIGN_TESTBEDS ?? 3) }, (_, i) => `tb${i + 1}`);
  const canEnv = process.env.HISTORY_CAMPAIGN_CAN_AFTER ?? '50';
  const continueAsNewAfter = canEnv === 'none' ? undefined : Number(canEnv);
  const runs: HistorySize[] = [];
  let total = 0;
  let summary: Awaited<ReturnType<typeof campaignWorkflow>>;

  beforeAll(async () => {
    const nodes = Array.from({ length: nodeCount }, (_, i) => ({ id: `n${String(i).padStart(2, '0')}`, country: 'PL' }));
    const plan = makePlan({ campaign: 'hist-campaign', apps, nodes, testbeds, messages: 4 });
    total = plan.measurements.length;
    // every measurement of one app fails: more failures than the campaign state lists
    const failures: FailureRule[] = plan.measurements.filter((m) => m.app === 'a4').map((m) => ({ measurementId: m.measurementId, step: 'traceroutes', type: 'ssh_command_failed', nonRetryable: true }));
    const activities = createMockActivities({ plan, record: () => undefined, failures });
    const workers = await startWorkers({ connection: live().native, namespace: NS.campaign, activities, testbeds });
    const client = new Client({ connection: live().connection, namespace: NS.campaign });
    try {
      const workflowId = 'campaign/hist-campaign';
      const handle = await client.workflow.start(campaignWorkflow, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId,
        args: [{ config: 'test:hist-campaign', options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 }, pageSize: 20, continueAsNewAfter }],
      });
      summary = await handle.result();
      let runId: string | undefined = handle.firstExecutionRunId;
      while (runId) {
        const s = await historySize(client, workflowId, runId);
        runs.push(s);
        runId = s.continuedAs ?? undefined;
      }
    } finally {
      await workers.stop();
    }
  }, 1_800_000);

  it('keeps each run small and the carried failure list bounded', () => {
    const largest = Math.max(...runs.map((r) => r.bytes));
    console.log(`campaign of ${total} measurements: ${runs.length} runs (continue-as-new after ${continueAsNewAfter ?? 'the history bounds'}), largest run history ${kb(largest)}, largest event ${kb(Math.max(...runs.map((r) => r.largestEvent)))}; per run: ${runs.map((r) => `${kb(r.bytes)}/${r.events} ev`).join(', ')}`);
    expect(summary.ok + summary.failed).toBe(total);
    expect(summary.failures.length).toBeLessThanOrEqual(MAX_LISTED_FAILURES);
    expect(summary.failures.length + (summary.failuresLeftOut ?? 0)).toBe(summary.failed);
    expect(Math.max(...runs.map((r) => r.largestEvent))).toBeLessThan(EVENT_BOUND);
  });
});
