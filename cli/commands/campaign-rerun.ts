/**
 * `matador campaign rerun-failed ID [--dry-run]`: run the failed measurements of a campaign
 * again, under the SAME workflow ids `<campaign>/<app>/<nodeA>/<nodeB>` (DESIGN 3) and with the
 * same input, taken from the failed execution's history. Like the campaign, one measurement at a
 * time per testbed: one lane per testbed, lanes in parallel, each lane awaits its measurement
 * before it starts the next. The results store then holds the re-run as the measurement's latest
 * attempt (a new workflow run = a new row).
 */
import type { Command } from 'commander';
import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, fromPayloadsAtIndex } from '@temporalio/common';
import { formatFailure, type FailureFields } from '../../lib/failures';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, MEASUREMENT_WORKFLOW_TYPE, measurementSearchAttributes, SA } from '../../temporal/conventions';
import { visibilityString } from '../../temporal/schedules';
import type { MeasurementInput, MeasurementResult } from '../../lib/measurement/payloads';
import { ResultsStore } from '../../store/results-store';
import { CliError } from '../errors';
import { addTemporalOptions, temporalTarget, withClient } from '../temporal-client';
import { escapeText } from '../../lib/text/escape';
import { measurementStartDetails, measurementStartSummary } from '../../lib/workflow-text/measurement';

/** Closed statuses that mean "did not end ok": these are re-run. */
const NOT_OK: readonly WorkflowExecutionStatusName[] = ['FAILED', 'TIMED_OUT', 'TERMINATED', 'CANCELLED'];

export interface FailedMeasurement {
  measurementId: string;
  testbed: string;
  /** Status and run of the latest execution under this id. */
  status: WorkflowExecutionStatusName;
  runId: string;
  /** Why it failed (the workflow's failure message, `<code>: <step>: <detail>`), when the history says. */
  reason: string | null;
  input: MeasurementInput;
}

export interface FailedLookup {
  failed: FailedMeasurement[];
  /** Latest execution still running: not touched. */
  running: string[];
  /** Failed according to the results store, but Temporal has no execution to take the input from. */
  withoutHistory: string[];
}

export interface RerunOutcome extends FailureFields {
  measurementId: string;
  testbed: string;
  status: 'ok' | 'failed';
  runId: string;
}

/** A value inside a visibility query string literal (one helper for every visibility query). */
export const queryString = visibilityString;

/** The failed measurements of a campaign: the latest execution of every measurement workflow id
 *  of the campaign whose status is not ok; the store (optional) adds ids Temporal forgot. */
export async function findFailedMeasurements(client: Client, campaign: string, o: { resultsFile?: string } = {}): Promise<FailedLookup> {
  const latest = new Map<string, { runId: string; status: WorkflowExecutionStatusName; startTime: Date }>();
  const query = `WorkflowType = ${queryString(MEASUREMENT_WORKFLOW_TYPE)} AND MatadorCampaign = ${queryString(campaign)}`;
  for await (const wf of client.workflow.list({ query })) {
    const known = latest.get(wf.workflowId);
    if (!known || wf.startTime > known.startTime) latest.set(wf.workflowId, { runId: wf.runId, status: wf.status.name, startTime: wf.startTime });
  }
  const failed: FailedMeasurement[] = [];
  const running: string[] = [];
  for (const [measurementId, run] of [...latest].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (run.status === 'RUNNING' || run.status === 'CONTINUED_AS_NEW') running.push(measurementId);
    if (!NOT_OK.includes(run.status)) continue;
    const { input, reason } = await executionInput(client, measurementId, run.runId);
    failed.push({ measurementId, testbed: input.testbed, status: run.status, runId: run.runId, reason, input });
  }
  const withoutHistory: string[] = [];
  if (o.resultsFile) {
    const store = new ResultsStore({ file: o.resultsFile, readonly: true });
    try {
      for (const stored of store.latestOfCampaign(campaign)) {
        if (stored.record.status === 'failed' && !latest.has(stored.measurementId)) withoutHistory.push(stored.measurementId);
      }
    } finally {
      store.close();
    }
  }
  return { failed, running, withoutHistory };
}

/** The input a measurement workflow was started with, and its failure message, from its history. */
async function executionInput(client: Client, workflowId: string, runId: string): Promise<{ input: MeasurementInput; reason: string | null }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started?.input?.payloads?.length) throw new CliError(`measurement ${workflowId} (run ${runId}): its history has no start input to re-run it with`);
  const input = fromPayloadsAtIndex<MeasurementInput>(defaultPayloadConverter, 0, started.input.payloads);
  const last = events[events.length - 1];
  const reason =
    last?.workflowExecutionFailedEventAttributes?.failure?.message ??
    (last?.workflowExecutionTerminatedEventAttributes ? `terminated: ${last.workflowExecutionTerminatedEventAttributes.reason || 'no reason given'}` : null) ??
    (last?.workflowExecutionTimedOutEventAttributes ? 'timed out' : null) ??
    (last?.workflowExecutionCanceledEventAttributes ? 'cancelled' : null);
  return { input, reason };
}

/** Refuses while a campaign workflow of this campaign runs: its lanes would share the testbeds. */
export async function assertCampaignNotRunning(client: Client, campaign: string): Promise<void> {
  const query = `WorkflowType = ${queryString(CAMPAIGN_WORKFLOW_TYPE)} AND MatadorCampaign = ${queryString(campaign)} AND ExecutionStatus = "Running"`;
  for await (const wf of client.workflow.list({ query })) {
    throw new CliError(`campaign ${campaign} is still running (workflow ${wf.workflowId}); re-run its failed measurements once it has finished`);
  }
}

/** Runs one measurement again under its id and waits for it. */
async function rerunOne(client: Client, m: FailedMeasurement): Promise<RerunOutcome> {
  const mi = m.input;
  const handle = await client.workflow.start(MEASUREMENT_WORKFLOW_TYPE, {
    workflowId: m.measurementId,
    taskQueue: CENTRAL_TASK_QUEUE,
    args: [mi],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [...measurementSearchAttributes(mi), { key: SA.stage, value: 'queued' }],
    staticSummary: `${measurementStartSummary(mi)}, re-run`,
    staticDetails: measurementStartDetails(mi),
  });
  try {
    const result = (await handle.result()) as MeasurementResult;
    return { measurementId: m.measurementId, testbed: m.testbed, status: result.status, failure: result.failure, failedOperation: result.failedOperation, detail: result.detail, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const result = err.cause instanceof ApplicationFailure ? (err.cause.details?.[0] as Partial<MeasurementResult> | undefined) : undefined;
    const failure: FailureFields = result?.failure
      ? { failure: result.failure, failedOperation: result.failedOperation ?? null, detail: result.detail ?? null }
      : { failure: 'activity_error', failedOperation: 'measurementWorkflow', detail: err.cause?.message ?? err.message };
    return { measurementId: m.measurementId, testbed: m.testbed, status: 'failed', ...failure, runId: handle.firstExecutionRunId };
  }
}

/** One lane per testbed, lanes in parallel, one measurement at a time in a lane. */
export async function rerunMeasurements(client: Client, failed: FailedMeasurement[], onDone?: (o: RerunOutcome) => void): Promise<RerunOutcome[]> {
  const lanes = new Map<string, FailedMeasurement[]>();
  for (const m of failed) lanes.set(m.testbed, [...(lanes.get(m.testbed) ?? []), m]);
  const outcomes: RerunOutcome[] = [];
  await Promise.all(
    [...lanes.values()].map(async (lane) => {
      for (const m of lane) {
        const outcome = await rerunOne(client, m);
        outcomes.push(outcome);
        onDone?.(outcome);
      }
    }),
  );
  return outcomes.sort((a, b) => a.measurementId.localeCompare(b.measurementId));
}

interface RerunOptions {
  address?: string;
  namespace?: string;
  dryRun?: boolean;
  json?: boolean;
  results?: string;
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

/** The campaign a rerun-failed argument names: a campaign name as it is; a campaign workflow id
 *  the campaign that run planned (its MatadorCampaign: `campaign/demo` is demo, a scheduled run
 *  `campaign/demo-2026-11-27T06:00:00Z` is demo-2026-11-27), else the id without `campaign/`. */
export async function campaignOfArgument(client: Client, arg: string): Promise<string> {
  if (!arg.startsWith('campaign/')) return arg;
  const plain = arg.slice('campaign/'.length);
  try {
    const name = (await client.workflow.getHandle(arg).describe()).typedSearchAttributes.get(SA.campaign);
    return typeof name === 'string' ? name : plain;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return plain;
    throw err;
  }
}

async function rerunFailedCommand(campaign: string, o: RerunOptions): Promise<void> {
  await withClient(temporalTarget(o), async (client) => {
    const id = await campaignOfArgument(client, campaign);
    const lookup = await findFailedMeasurements(client, id, { resultsFile: o.results });
    const notes: string[] = [];
    if (lookup.running.length) notes.push(`${lookup.running.length} still running, not touched: ${lookup.running.join(', ')}`);
    if (lookup.withoutHistory.length) notes.push(`${lookup.withoutHistory.length} failed in the results store but without Temporal history (cannot take their input): ${lookup.withoutHistory.join(', ')}`);
    if (o.dryRun) {
      if (o.json) return write(`${JSON.stringify({ campaign: id, failed: lookup.failed.map(({ input: _input, ...m }) => m), running: lookup.running, withoutHistory: lookup.withoutHistory }, null, 2)}\n`);
      const lines = [`${lookup.failed.length} failed measurement${lookup.failed.length === 1 ? '' : 's'} of campaign ${id} would be re-run:`];
      for (const m of lookup.failed) lines.push(`  ${m.measurementId}  [testbed ${m.testbed}, ${m.status.toLowerCase()}] ${escapeText(m.reason ?? '')}`.trimEnd());
      return write(`${[...lines, ...notes.map((n) => `Note: ${n}`)].join('\n')}\n`);
    }
    // While the campaign runs, its lanes use the testbeds and its failure list is not final.
    await assertCampaignNotRunning(client, id);
    if (lookup.failed.length === 0) {
      return write(o.json ? `${JSON.stringify({ campaign: id, rerun: 0, ok: 0, failed: 0, outcomes: [] }, null, 2)}\n` : `No failed measurements in campaign ${id}.${notes.length ? `\n${notes.map((n) => `Note: ${n}`).join('\n')}` : ''}\n`);
    }
    if (!o.json) await write(`Re-running ${lookup.failed.length} failed measurement${lookup.failed.length === 1 ? '' : 's'} of campaign ${id}, one at a time per testbed\n`);
    const outcomes = await rerunMeasurements(client, lookup.failed, (r) => {
      if (!o.json) process.stdout.write(`  ${r.status === 'ok' ? 'ok    ' : 'failed'} ${r.measurementId}${r.failure ? `: ${escapeText(formatFailure(r))}` : ''}\n`);
    });
    const ok = outcomes.filter((r) => r.status === 'ok').length;
    const stillFailed = outcomes.length - ok;
    if (o.json) await write(`${JSON.stringify({ campaign: id, rerun: outcomes.length, ok, failed: stillFailed, outcomes }, null, 2)}\n`);
    else await write(`Re-ran ${outcomes.length}: ${ok} ok, ${stillFailed} still failed${notes.length ? `\n${notes.map((n) => `Note: ${n}`).join('\n')}` : ''}\n`);
    if (stillFailed > 0) process.exitCode = 1;
  });
}

export function registerRerun(campaign: Command): void {
  if (campaign.commands.some((c) => c.name() === 'rerun-failed')) return;
  addTemporalOptions(
    campaign
      .command('rerun-failed')
      .summary('Run the failed measurements of a campaign again, under the same workflow ids')
      .description(
        'Find the measurements of a campaign whose latest workflow run did not end ok\n' +
          '(failed, timed out, terminated or cancelled) and run each again under the\n' +
          'same workflow id <campaign>/<app>/<nodeA>/<nodeB>, with the input of the\n' +
          'failed run (from its history). One measurement at a time per testbed.\n' +
          'Needs the workers of the campaign. Refuses while the campaign still runs.\n' +
          'A run of a schedule is a campaign of its own (demo-2026-11-27): its failed\n' +
          'measurements are re-run under their ids demo-2026-11-27/<app>/<nodeA>/<nodeB>.\n' +
          'Exit code 1 when some measurements failed again.',
      )
      .argument('<id>', 'campaign id, a scheduled run\'s name (demo-2026-11-27), or a campaign workflow id (campaign/<id>, campaign/demo-2026-11-27T06:00:00Z)')
      .option('--dry-run', 'only list the measurements that would be re-run')
      .option('--results <file>', 'results database: also list measurements failed there but unknown to Temporal')
      .option('--json', 'print JSON'),
  ).action((id: string, o: RerunOptions) => rerunFailedCommand(id, o));
}

export function register(program: Command): void {
  let campaign = program.commands.find((c) => c.name() === 'campaign');
  if (!campaign) campaign = program.command('campaign').description('Plan and run measurement campaigns (configs/campaigns/*.yaml)');
  registerRerun(campaign);
}
