/**
 * Several-hosts benchmark (issue 13): the same campaign subset on the several-hosts layout of
 * test/multihost (central host = root namespace, one network namespace + data folder per testbed
 * host, testbed/hosts/session.ts), against each frontend given, and per run:
 *   - makespan: the campaign workflow's start to close (server times);
 *   - measurements ok / failed;
 *   - history sizes: the largest event (encoded bytes: what one payload costs) and the largest
 *     whole history over the campaign's workflows (every run, continue-as-new included).
 * Needs: nothing running (it brings up the world "small" in its own folder and takes it down);
 * run under the heavy-test lock: flock /tmp/matador-heavy.lock npx tsx bench/multihost/run.ts
 *   [--campaign bench/multihost/six-measurements.yaml] [--id mh-six] [--frontends dev,cluster-tls]
 * (frontends: dev = the CLI's dev server, cluster / cluster-tls = `matador cluster`, testbed/hosts/frontend.ts)
 * Writes bench/out/multihost-<time>.json and prints one line per frontend.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { projectRoot } from '../../lib/project-paths';
import { campaignWorkflowId } from '../../temporal/conventions';
import { FRONTEND_KINDS, type FrontendKind } from '../../testbed/hosts/frontend';
import { startHostsSession } from '../../testbed/hosts/session';
import { arg } from '../args';

interface HistoryFigures {
  workflows: number;
  largestEventBytes: number;
  largestEventWorkflow: string;
  largestHistoryBytes: number;
  largestHistoryWorkflow: string;
}

/** Every execution of the campaign (the campaign's runs and its measurements' and children's). */
async function historyFigures(client: Client, campaign: string): Promise<HistoryFigures> {
  const out: HistoryFigures = { workflows: 0, largestEventBytes: 0, largestEventWorkflow: '', largestHistoryBytes: 0, largestHistoryWorkflow: '' };
  const seen = new Set<string>();
  const queries = [`WorkflowId = "${campaignWorkflowId(campaign)}"`, `MatadorCampaign = "${campaign}"`, `WorkflowId STARTS_WITH "${campaign}/"`];
  for (const query of queries) {
    for await (const wf of client.workflow.list({ query })) {
      const key = `${wf.workflowId} ${wf.runId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const bytes = temporal.api.history.v1.History.encode(history).finish().length;
      const largest = Math.max(0, ...(history.events ?? []).map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length));
      out.workflows++;
      if (bytes > out.largestHistoryBytes) Object.assign(out, { largestHistoryBytes: bytes, largestHistoryWorkflow: key });
      if (largest > out.largestEventBytes) Object.assign(out, { largestEventBytes: largest, largestEventWorkflow: key });
    }
  }
  return out;
}

async function runOnce(frontend: string, configFile: string, campaign: string): Promise<Record<string, unknown>> {
  if (!(FRONTEND_KINDS as readonly string[]).includes(frontend)) throw new Error(`--frontends: "${frontend}" is not a frontend (known: ${FRONTEND_KINDS.join(', ')})`);
  const session = await startHostsSession({ world: 'small', testbeds: ['tb1', 'tb2'], frontend: frontend as FrontendKind });
  try {
    const { summary } = await session.startCampaign(campaign, configFile);
    const result = await summary;
    const d = await session.client.workflow.getHandle(campaignWorkflowId(campaign)).describe();
    const makespanSeconds = d.closeTime ? (d.closeTime.getTime() - d.startTime.getTime()) / 1000 : null;
    return { frontend, campaign, makespanSeconds, total: result.total, ok: result.ok, failed: result.failed, history: await historyFigures(session.client, campaign) };
  } finally {
    await session.stop();
  }
}

async function main(): Promise<void> {
  const configFile = path.resolve(projectRoot, arg('--campaign', 'bench/multihost/six-measurements.yaml'));
  const campaign = arg('--id', 'mh-six');
  const frontends = arg('--frontends', 'dev,cluster-tls').split(',');
  const runs: Record<string, unknown>[] = [];
  for (const f of frontends) {
    const r = await runOnce(f, configFile, campaign);
    runs.push(r);
    const h = r.history as HistoryFigures;
    process.stdout.write(
      `${f}: makespan ${r.makespanSeconds} s, ${r.ok}/${r.total} ok, ${r.failed} failed; largest event ${(h.largestEventBytes / 1024).toFixed(1)} KiB (${h.largestEventWorkflow}), largest history ${(h.largestHistoryBytes / 1024).toFixed(1)} KiB (${h.largestHistoryWorkflow}) over ${h.workflows} executions\n`,
    );
  }
  const outDir = path.join(projectRoot, 'bench', 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `multihost-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ configFile, campaign, runs }, null, 2)}\n`);
  process.stdout.write(`written ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/multihost: ${(err as Error).message}\n`);
  process.exit(1);
});
