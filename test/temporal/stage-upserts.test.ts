/**
 * MatadorStage is upserted once per stage, not once per step (workflows/measurement.ts
 * FEWER_UPSERTS_PATCH): a real dev server, mock activities. The ten sendMessage steps are one
 * stage; the measurement's own search attributes are upserted only when its starter did not
 * set them. What Web UI filters see stays the same: every attribute, the stage while it runs,
 * `done` at the end.
 */
import { Client } from '@temporalio/client';
import type { MeasurementInput } from '../../lib/measurement/payloads';
import { CENTRAL_TASK_QUEUE, measurementSearchAttributes, SA } from '../../temporal/conventions';
import { measurementWorkflow } from '../../workflows';
import { FEWER_UPSERTS_PATCH } from '../../workflows/measurement';
import { useTestServer } from '../support/dev-server';
import { createMockActivities } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';

const NS = 'stage-upserts';
const live = useTestServer({ namespaces: [NS] });

const STAGES = ['provisionTunnels', 'configurePhones', 'startCapture', 'sendMessage', 'stopCapture', 'fetchCapture', 'classifyFlows', 'traceroutes', 'geolocate', 'teardown', 'shipArtefacts', 'persistRecord', 'done'];

/**
 * Each upsert event's attribute names and (decoded) values, in history order, without the SDK's
 * own upserts of TemporalChangeVersion (one when a run first meets a patch), whose patch names
 * are checked here.
 */
async function upserts(client: Client, workflowId: string): Promise<Array<Record<string, string>>> {
  const all = await allUpserts(client, workflowId);
  for (const u of all.filter((x) => 'TemporalChangeVersion' in x)) {
    expect(Object.keys(u)).toEqual(['TemporalChangeVersion']);
    expect(String(u.TemporalChangeVersion)).toMatch(/^matador-/);
  }
  return all.filter((x) => !('TemporalChangeVersion' in x));
}

async function allUpserts(client: Client, workflowId: string): Promise<Array<Record<string, string>>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)
    .map((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
      return Object.fromEntries(Object.entries(fields).map(([k, p]) => [k, JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as string]));
    });
}

describe('MatadorStage upserts', () => {
  const plan = makePlan({ campaign: 'stages', apps: ['threema'], nodes: [{ id: 'pl-waw', country: 'PL' }, { id: 'es-mad', country: 'ES' }], testbeds: ['tb1'], messages: 10 });
  const spec = plan.measurements.find((m) => m.nodeA.id !== m.nodeB.id) ?? plan.measurements[0];
  const input: MeasurementInput = { ...spec, config: { path: 'test:stages', digest: 'x' }, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 } };
  let client: Client;
  let workers: Awaited<ReturnType<typeof startWorkers>>;

  beforeAll(async () => {
    workers = await startWorkers({ connection: live().native, namespace: NS, activities: createMockActivities({ plan, record: () => undefined }), testbeds: ['tb1'] });
    client = new Client({ connection: live().connection, namespace: NS });
  }, 60_000);
  afterAll(async () => {
    await workers?.stop();
  });

  it('started as a campaign starts it (attributes set): one upsert per stage, sendMessage once for ten messages', async () => {
    const workflowId = `${spec.measurementId}/named`;
    await client.workflow.execute(measurementWorkflow, {
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowId,
      args: [input],
      typedSearchAttributes: [...measurementSearchAttributes(spec), { key: SA.stage, value: 'queued' }],
    });
    const seen = await upserts(client, workflowId);
    expect(seen.map((u) => Object.keys(u))).toEqual(STAGES.map(() => ['MatadorStage']));
    expect(seen.map((u) => u.MatadorStage)).toEqual(STAGES);
    // the run took the patched path (the SDK records the patch it met as TemporalChangeVersion)
    expect((await allUpserts(client, workflowId)).some((u) => JSON.stringify(u.TemporalChangeVersion ?? '').includes(FEWER_UPSERTS_PATCH))).toBe(true);
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(SA.stage)).toBe('done');
    expect(described.typedSearchAttributes.get(SA.campaign)).toBe(spec.campaign);
  }, 60_000);

  it('started without attributes: it names itself first, then the same stages', async () => {
    const workflowId = `${spec.measurementId}/bare`;
    await client.workflow.execute(measurementWorkflow, { taskQueue: CENTRAL_TASK_QUEUE, workflowId, args: [input] });
    const seen = await upserts(client, workflowId);
    expect(seen[0]).toEqual(Object.fromEntries(measurementSearchAttributes(spec).map((a) => [a.key.name, a.value])));
    expect(seen.slice(1).map((u) => u.MatadorStage)).toEqual(STAGES);
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(SA.testbed)).toBe(spec.testbed);
    expect(described.typedSearchAttributes.get(SA.stage)).toBe('done');
  }, 60_000);
});
