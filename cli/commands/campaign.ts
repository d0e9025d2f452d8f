/**
 * `matador campaign start|status|list`: run campaigns on Temporal. `plan` comes from
 * campaign-plan.ts (registered on the same `campaign` command).
 */
import { formatFailure } from '../../lib/failures';
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ConfigError, LIMITS, loadCampaign, type LoadedCampaign } from '../../lib/config';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, campaignWorkflowId, PROGRESS_QUERY, SA } from '../../temporal/conventions';
import { visibilityString } from '../../temporal/schedules';
import type { CampaignInput, CampaignProgress, CampaignSummary } from '../../lib/measurement/payloads';
import { followProgress } from '../campaign-progress';
import { CliError } from '../errors';
import { addTemporalOptions, temporalTarget, withClient } from '../temporal-client';
import { registerPlan } from './campaign-plan';
import { configPathForWorker } from './campaign-paths';
import { runTestbedCheck } from './testbed-check';
import { escapeText } from '../../lib/text/escape';
import { campaignStartMetadata } from '../workflow-metadata';

interface ConnOptions {
  address?: string;
  namespace?: string;
  json?: boolean;
}

export { configPathForWorker } from './campaign-paths';

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

interface StartOptions extends ConnOptions {
  id?: string;
  wait?: boolean;
  timerScale?: string;
  resume?: boolean;
  progress?: boolean;
  /** false with --no-check: start without the testbed check. */
  check?: boolean;
}

/** Live progress goes to stdout, before the summary; with --json to stderr (stdout stays JSON). */
function progressOut(json?: boolean): { out: NodeJS.WriteStream; tty: boolean } {
  const out = json ? process.stderr : process.stdout;
  return { out, tty: Boolean(out.isTTY) };
}

async function start(file: string, o: StartOptions): Promise<void> {
  let campaignId: string;
  let loaded: LoadedCampaign;
  try {
    loaded = loadCampaign(file); // validate locally first: one line on error
    campaignId = loaded.campaign.id;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const input: CampaignInput = { config: configPathForWorker(file), ...(o.resume ? { resume: true } : {}) };
  if (o.timerScale !== undefined) {
    const scale = Number(o.timerScale);
    if (!Number.isFinite(scale) || scale < 0 || scale > LIMITS.scale) throw new CliError(`--timer-scale: expected a number between 0 and ${LIMITS.scale}, got ${JSON.stringify(o.timerScale)}`);
    input.options = { timerScale: scale };
  }
  const workflowId = o.id ?? campaignWorkflowId(campaignId);
  const metadata = campaignStartMetadata(loaded, { config: file, resume: o.resume });
  const target = temporalTarget(o);
  await withClient(target, async (client) => {
    if (o.check !== false) {
      // The campaign's testbeds are checked on their workers first; any ✘ and nothing starts.
      const checked = await runTestbedCheck(client, { file, testbeds: [] }, o.json ? process.stderr : process.stdout);
      if (!checked.ok) throw new CliError(`campaign ${campaignId} not started: ${checked.failed} testbed check${checked.failed === 1 ? '' : 's'} failed (the ✘ rows above say what to do); fix them, or start with --no-check`);
    }
    let handle;
    const startedAtMs = Date.now(); // the progress line times each testbed's first measurement from here
    try {
      handle = await client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE', // a finished campaign may be run again
        ...metadata,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new CliError(`campaign ${campaignId} is already running (workflow ${workflowId}); see "matador campaign status ${workflowId}"`);
      }
      throw err;
    }
    await write(
      `Started campaign ${campaignId}${o.resume ? ' (resume: measurements already ok are skipped)' : ''}: workflow ${workflowId} (run ${handle.firstExecutionRunId}) on ${target.address}, task queue ${CENTRAL_TASK_QUEUE}\n`,
    );
    if (!o.wait) return;
    const result = handle.result() as Promise<CampaignSummary>;
    if (o.progress !== false) {
      const { out, tty } = progressOut(o.json);
      await followProgress({ query: () => handle.query<CampaignProgress>(PROGRESS_QUERY), done: result, out, tty, width: () => out.columns, campaignStartedAtMs: startedAtMs });
    }
    try {
      const summary = await result;
      await write(formatSummary(summary, o.json));
    } catch (err) {
      throw new CliError(`campaign ${campaignId} failed: ${failureMessage(err)}`);
    }
  });
}

function failureMessage(err: unknown): string {
  let e: unknown = err;
  const parts: string[] = [];
  while (e instanceof Error) {
    parts.push(e.message);
    e = (e as { cause?: unknown }).cause;
  }
  return parts[parts.length - 1] ?? String(err);
}

/** What became of a measurement the campaign ended with as failed: the latest run under its
 *  workflow id (`matador campaign rerun-failed` re-runs under the same id). */
export interface RerunState {
  measurementId: string;
  /** ok: a later run completed; running: one runs now; failed: the latest run is still not ok. */
  state: 'ok' | 'running' | 'failed';
  runId: string;
  closeTime: string | null;
}

/** The campaign's state lists only its latest failures (workflows/campaign.ts MAX_LISTED_FAILURES). */
function leftOutLine(n: number, campaign: string): string {
  return `  ... and ${n} earlier failure${n === 1 ? '' : 's'} not listed here (the results store has them all: matador campaign rerun-failed ${campaign} --dry-run)`;
}

export function formatSummary(s: CampaignSummary, json?: boolean, reruns: RerunState[] = []): string {
  if (json) return `${JSON.stringify(s, null, 2)}\n`;
  const skipped = s.skipped ? `, ${s.skipped} skipped (already ok)` : '';
  const lines = [`Campaign ${s.campaign}: ${s.ok + s.failed} of ${s.total} measurements finished, ${s.ok} ok, ${s.failed} failed${skipped} (${s.runs} workflow run${s.runs === 1 ? '' : 's'})`];
  const rerunOf = new Map(reruns.map((r) => [r.measurementId, r]));
  const okSince = reruns.filter((r) => r.state === 'ok').length;
  if (okSince > 0) lines.push(`  since then re-run ok: ${okSince} of the ${s.failed} failed; ${s.ok + okSince} of ${s.total} ok now`);
  for (const f of s.failures) {
    const r = rerunOf.get(f.measurementId);
    const since = r?.state === 'ok' ? ` (re-run ok: run ${r.runId}${r.closeTime ? ` at ${r.closeTime}` : ''})` : r?.state === 'running' ? ` (re-running: run ${r.runId})` : '';
    lines.push(`  failed ${f.measurementId}: ${escapeText(formatFailure(f))}${since}`); // details carry device and host output
  }
  if (s.failuresLeftOut) lines.push(leftOutLine(s.failuresLeftOut, s.campaign));
  return `${lines.join('\n')}\n`;
}

/** The latest run of each failed measurement's workflow id (a measurement workflow that
 *  completes has an ok record; a failed one ends FAILED). */
async function rerunStates(client: Client, summary: CampaignSummary): Promise<RerunState[]> {
  const states: RerunState[] = [];
  for (const f of summary.failures) {
    try {
      const d = await client.workflow.getHandle(f.measurementId).describe();
      const state = d.status.name === 'COMPLETED' ? 'ok' : d.status.name === 'RUNNING' ? 'running' : 'failed';
      states.push({ measurementId: f.measurementId, state, runId: d.runId, closeTime: d.closeTime?.toISOString() ?? null });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // gone from the server's retention: nothing to say
    }
  }
  return states;
}

function formatProgress(p: CampaignProgress): string {
  const lines = [
    `Campaign ${p.campaign} (${p.config}): ${p.state}, ${p.finished} of ${p.total} finished, ${p.ok} ok, ${p.failed} failed${p.skipped ? `, ${p.skipped} skipped (already ok)` : ''}, run ${p.runs}`,
  ];
  for (const t of p.testbeds) lines.push(`  testbed ${t.id}: ${t.next}/${t.total}${t.at ? ` (taken over from ${t.at.queue}'s queue)` : ''}${t.running ? `, running ${escapeText(t.running)}` : ', idle'}`);
  for (const f of p.failures) lines.push(`  failed ${f.measurementId}: ${escapeText(formatFailure(f))}`);
  if (p.failuresLeftOut) lines.push(leftOutLine(p.failuresLeftOut, p.campaign));
  return `${lines.join('\n')}\n`;
}

/** Accepts a workflow id, a campaign id, or a run's campaign name (a scheduled run, e.g.
 *  demo-2026-11-27, whose workflow id ends in the schedule's time): the newest campaign
 *  workflow whose MatadorCampaign is that name. */
async function resolveHandle(client: Client, id: string) {
  for (const candidate of id.startsWith('campaign/') ? [id] : [campaignWorkflowId(id), id]) {
    const handle = client.workflow.getHandle(candidate);
    try {
      return { handle, description: await handle.describe() };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  const query = `WorkflowType = ${visibilityString(CAMPAIGN_WORKFLOW_TYPE)} AND ${SA.campaign.name} = ${visibilityString(id)}`;
  let newest: { workflowId: string; startTime: Date } | null = null;
  for await (const wf of client.workflow.list({ query })) {
    if (!newest || wf.startTime > newest.startTime) newest = { workflowId: wf.workflowId, startTime: wf.startTime };
  }
  if (newest) {
    const handle = client.workflow.getHandle(newest.workflowId);
    return { handle, description: await handle.describe() };
  }
  throw new CliError(
    `no campaign workflow ${JSON.stringify(id)} (tried ${id.startsWith('campaign/') ? id : `${campaignWorkflowId(id)} and ${id}`}, and campaigns named so); "matador campaign list" shows them`,
  );
}

async function status(id: string, o: ConnOptions & { watch?: boolean }): Promise<void> {
  await withClient(temporalTarget(o), async (client) => {
    const { handle, description } = await resolveHandle(client, id);
    let state = description.status.name;
    if (state === 'RUNNING' && o.watch) {
      // Follow until the campaign closes (Ctrl-C stops watching, not the campaign), then fall
      // through to print how it ended.
      const { out, tty } = progressOut(o.json);
      const closed = handle.result().catch(() => undefined);
      await followProgress({ query: () => handle.query<CampaignProgress>(PROGRESS_QUERY), done: closed, out, tty, width: () => out.columns });
      state = (await handle.describe()).status.name;
    }
    if (state === 'RUNNING') {
      const progress = await handle.query<CampaignProgress>(PROGRESS_QUERY);
      await write(o.json ? `${JSON.stringify({ workflowId: handle.workflowId, status: state, progress }, null, 2)}\n` : formatProgress(progress));
      return;
    }
    // Closed: no worker needed. Completed campaigns have their summary as result.
    if (state === 'COMPLETED') {
      const summary = (await handle.result()) as CampaignSummary;
      const reruns = await rerunStates(client, summary);
      await write(o.json ? `${JSON.stringify({ workflowId: handle.workflowId, status: state, summary, reruns }, null, 2)}\n` : formatSummary(summary, false, reruns));
      return;
    }
    let reason = '';
    if (state === 'FAILED' || state === 'TIMED_OUT' || state === 'TERMINATED' || state === 'CANCELLED') {
      reason = await handle.result().then(
        () => '',
        (err: unknown) => failureMessage(err),
      );
    }
    const closed = description.closeTime?.toISOString() ?? '';
    await write(
      o.json
        ? `${JSON.stringify({ workflowId: handle.workflowId, status: state, closeTime: closed || null, reason: reason || null }, null, 2)}\n`
        : `Campaign workflow ${handle.workflowId}: ${state.toLowerCase()}${closed ? ` at ${closed}` : ''}${reason ? `: ${reason}` : ''}\n`,
    );
  });
}

async function list(o: ConnOptions): Promise<void> {
  await withClient(temporalTarget(o), async (client) => {
    const rows: Array<{ workflowId: string; runId: string; status: string; startTime: string; campaign: string | null }> = [];
    for await (const wf of client.workflow.list({ query: `WorkflowType = "${CAMPAIGN_WORKFLOW_TYPE}"` })) {
      const campaign = wf.searchAttributes?.MatadorCampaign?.[0];
      rows.push({ workflowId: wf.workflowId, runId: wf.runId, status: wf.status.name, startTime: wf.startTime.toISOString(), campaign: typeof campaign === 'string' ? campaign : null });
    }
    if (o.json) return write(`${JSON.stringify(rows, null, 2)}\n`);
    if (rows.length === 0) return write('No campaign workflows.\n');
    return write(rows.map((r) => `${r.status.padEnd(16)} ${r.startTime}  ${r.workflowId}  (run ${r.runId})`).join('\n') + '\n');
  });
}

export function register(program: Command): void {
  let campaign = program.commands.find((c) => c.name() === 'campaign');
  if (!campaign) campaign = program.command('campaign').description('Plan and run measurement campaigns (configs/campaigns/*.yaml)');

  addTemporalOptions(
    campaign
      .command('start')
      .summary('Validate a campaign config and start its campaign workflow')
      .description(
        'Validate a campaign config locally, then start its campaign workflow\n' +
          `(id campaign/<id>) on task queue ${CENTRAL_TASK_QUEUE}. Needs "matador server" (or\n` +
          'another Temporal) and workers: "matador worker --role central" and one\n' +
          '"matador worker --role testbed --testbed ID" per testbed. First runs\n' +
          '"matador testbed check" on the campaign\'s testbeds (on their workers) and\n' +
          'refuses to start on any ✘ (--no-check skips it).',
      )
      .argument('<file>', 'campaign config, e.g. configs/campaigns/demo.yaml')
      .option('--id <workflowId>', 'workflow id (default: campaign/<campaign id>)')
      .option('--timer-scale <factor>', 'multiply the message timers once more (0 = no waits)')
      .option('--no-check', 'start without first running "matador testbed check" on the campaign\'s testbeds')
      .option('--resume', 'skip measurements whose latest record in the results store is ok (re-run only what is missing or failed)')
      .option('--wait', 'wait for the campaign to finish (live progress line; a log line every 10 s when not a terminal) and print its summary')
      .option('--no-progress', 'with --wait: no progress line, only the summary')
      .option('--json', 'with --wait: print the summary as JSON'),
  ).action((file: string, o: StartOptions) => start(file, o));

  addTemporalOptions(
    campaign
      .command('status')
      .summary('Progress of a running campaign, or its result once closed')
      .description(
        'Progress of a campaign (progress query while it runs; result or failure once closed).\n' +
          'For a completed campaign, each failed measurement also says whether a later run under\n' +
          'its workflow id ("matador campaign rerun-failed") has ended ok or is running.',
      )
      .argument('<id>', 'campaign id or workflow id (campaign/<id>)')
      .option('--watch', 'follow a running campaign with a live progress line until it ends (a log line every 10 s when not a terminal)')
      .option('--json', 'print JSON'),
  ).action((id: string, o: ConnOptions & { watch?: boolean }) => status(id, o));

  addTemporalOptions(
    campaign.command('list').description('Campaign workflows on the server, newest first').option('--json', 'print JSON'),
  ).action((o: ConnOptions) => list(o));

  registerPlan(campaign);
}
