/** Plans and campaign starts shared by the chaos tests. */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { CENTRAL_TASK_QUEUE, MEASUREMENT_WORKFLOW_TYPE } from '../../temporal/conventions';
import type { RunOptions } from '../../lib/measurement/payloads';
import { campaignWorkflow } from '../../workflows';
import { makePlan } from '../support/plan-fixtures';
import type { ExpandedPlan } from '../../activities/plan-loader';

const NODES = [
  { id: 'de-ber', country: 'DE' },
  { id: 'es-mad', country: 'ES' },
  { id: 'jp-tyo', country: 'JP' },
  { id: 'sg-sin', country: 'SG' },
  { id: 'us-bos', country: 'US' },
  { id: 'br-sao', country: 'BR' },
];

/** n nodes -> n(n+1)/2 pairs per app: 4 nodes x 2 apps = 20, 6 nodes x 5 apps = 105. */
export function chaosPlan(campaign: string, o: { nodes: number; apps: string[]; testbeds: string[] }): ExpandedPlan {
  return makePlan({ campaign, apps: o.apps, nodes: NODES.slice(0, o.nodes), testbeds: o.testbeds });
}

/** Compressed timers (1/1000: a 1 s wait is a 1 ms server timer) and timeouts (floor 2 s), so a
 *  killed worker's activity is retried after seconds, not minutes. */
export const CHAOS_OPTIONS: RunOptions = { timerScale: 0.001, timeoutScale: 0.02, maxAttempts: 3 };

export async function startCampaign(address: string, namespace: string, campaign: string): Promise<{ connection: Connection; client: Client; handle: WorkflowHandle<typeof campaignWorkflow> }> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const handle = await client.workflow.start(campaignWorkflow, {
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowId: `campaign/${campaign}`,
    args: [{ config: `test:${campaign}`, options: CHAOS_OPTIONS }],
  });
  return { connection, client, handle };
}

/** Executions (runs) per measurement workflow id of a campaign, once visibility has them all. */
export async function executionsPerMeasurement(client: Client, campaign: string, expectedRuns: number): Promise<Map<string, number>> {
  let counts = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    counts = new Map();
    for await (const wf of client.workflow.list({ query: `WorkflowType = "${MEASUREMENT_WORKFLOW_TYPE}" AND MatadorCampaign = "${campaign}" AND ExecutionStatus != "Running"` })) {
      counts.set(wf.workflowId, (counts.get(wf.workflowId) ?? 0) + 1);
    }
    if ([...counts.values()].reduce((a, b) => a + b, 0) >= expectedRuns) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return counts;
}
