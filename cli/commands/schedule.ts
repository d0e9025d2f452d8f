/**
 * `matador schedule create|list|delete|trigger`: recurring campaigns as Temporal Schedules
 * (overlap policy SKIP). Every run is a campaign workflow `campaign/<id>-<scheduled time>` and a
 * campaign of its own, `<id>-<YYYY-MM-DD>` (`-2`, `-3`, ... for further runs on one date; see
 * temporal/schedules.ts): its measurement ids, records and reports carry that name.
 */
import type { Command } from 'commander';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { ConfigError, LIMITS, loadCampaign } from '../../lib/config';
import { campaignStartMetadata } from '../workflow-metadata';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, SA } from '../../temporal/conventions';
import {
  assertScheduleId,
  formatEvery,
  parseEvery,
  scheduledCampaignInput,
  scheduledWorkflowIdPrefix,
  ScheduleSpecError,
  type CampaignScheduleRequest,
} from '../../temporal/schedules';
import { CliError } from '../errors';
import { addTemporalOptions, temporalTarget, withClient } from '../temporal-client';
import { configPathForWorker } from './campaign';

interface ConnOptions {
  address?: string;
  namespace?: string;
  json?: boolean;
}

export interface ScheduleRow {
  scheduleId: string;
  campaign: string | null;
  config: string | null;
  every: string[];
  overlap: string;
  paused: boolean;
  note: string | null;
  workflowId: string | null;
  nextRuns: string[];
  /** `campaign`: the run's campaign name (`demo-2026-11-27`), null until the run has planned
   *  (or when its workflow is gone from the server). */
  recentRuns: Array<{ workflowId: string; scheduledAt: string; campaign: string | null }>;
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

function specOrCliError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ScheduleSpecError || err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

export async function createCampaignSchedule(client: Client, r: CampaignScheduleRequest): Promise<string> {
  try {
    const handle = await client.schedule.create({
      scheduleId: r.scheduleId,
      spec: { intervals: [{ every: r.everyMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: CAMPAIGN_WORKFLOW_TYPE,
        workflowId: scheduledWorkflowIdPrefix(r.campaignId),
        taskQueue: CENTRAL_TASK_QUEUE,
        args: [scheduledCampaignInput(r)],
        ...(r.staticSummary ? { staticSummary: r.staticSummary } : {}),
        ...(r.staticDetails ? { staticDetails: r.staticDetails } : {}),
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { paused: r.paused ?? false, ...(r.note ? { note: r.note } : {}) },
      memo: { matadorCampaign: r.campaignId, config: r.config },
    });
    return handle.scheduleId;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) throw new CliError(`schedule ${r.scheduleId} exists already; "matador schedule delete ${r.scheduleId}" first or pick another --id`);
    throw err;
  }
}

export function scheduleRow(d: ScheduleDescription): ScheduleRow {
  const action = d.action;
  const memo = (d.memo ?? {}) as { matadorCampaign?: unknown; config?: unknown };
  return {
    scheduleId: d.scheduleId,
    campaign: typeof memo.matadorCampaign === 'string' ? memo.matadorCampaign : null,
    config: typeof memo.config === 'string' ? memo.config : null,
    every: (d.spec.intervals ?? []).map((i) => formatEvery(Number(i.every))),
    overlap: d.policies.overlap ?? 'unspecified',
    paused: d.state.paused,
    note: d.state.note ?? null,
    workflowId: action.type === 'startWorkflow' ? action.workflowId : null,
    nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.map((a) => ({ workflowId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt.toISOString(), campaign: null })),
  };
}

/** The campaign name a scheduled run gave itself (its MatadorCampaign), null before it planned. */
export async function runCampaignName(client: Client, workflowId: string): Promise<string | null> {
  try {
    const name = (await client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(SA.campaign);
    return typeof name === 'string' ? name : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null; // past the namespace's retention
    throw err;
  }
}

/** The schedule's row with the campaign names of its recent runs. */
export async function describeCampaignSchedule(client: Client, scheduleId: string): Promise<ScheduleRow> {
  const row = scheduleRow(await client.schedule.getHandle(scheduleId).describe());
  for (const run of row.recentRuns) run.campaign = await runCampaignName(client, run.workflowId);
  return row;
}

/** Matador's schedules: those whose action starts the campaign workflow. */
export async function listCampaignSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const s of client.schedule.list()) {
    if (s.action?.workflowType !== CAMPAIGN_WORKFLOW_TYPE) continue;
    try {
      rows.push(await describeCampaignSchedule(client, s.scheduleId));
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err; // deleted meanwhile
    }
  }
  return rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

async function withSchedule<T>(client: Client, id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new CliError(`no schedule ${JSON.stringify(id)} on this server; "matador schedule list" shows them`);
    throw err;
  }
}

async function create(file: string, o: ConnOptions & { every: string; id?: string; paused?: boolean; timerScale?: string; note?: string }): Promise<void> {
  const loaded = specOrCliError(() => loadCampaign(file));
  const campaignId = loaded.campaign.id;
  const everyMs = specOrCliError(() => parseEvery(o.every));
  const scheduleId = specOrCliError(() => assertScheduleId(o.id ?? campaignId));
  let timerScale: number | undefined;
  if (o.timerScale !== undefined) {
    timerScale = Number(o.timerScale);
    if (!Number.isFinite(timerScale) || timerScale < 0 || timerScale > LIMITS.scale) throw new CliError(`--timer-scale: expected a number between 0 and ${LIMITS.scale}, got ${JSON.stringify(o.timerScale)}`);
  }
  const metadata = campaignStartMetadata(loaded, { config: file, every: formatEvery(everyMs) });
  const request: CampaignScheduleRequest = { scheduleId, campaignId, config: configPathForWorker(file), everyMs, paused: o.paused, timerScale, note: o.note, ...metadata };
  await withClient(temporalTarget(o), async (client) => {
    await createCampaignSchedule(client, request);
    const row = scheduleRow(await client.schedule.getHandle(scheduleId).describe());
    if (o.json) return write(`${JSON.stringify(row, null, 2)}\n`);
    await write(
      `Created schedule ${scheduleId}: campaign ${campaignId} every ${formatEvery(everyMs)}, overlap ${row.overlap}${row.paused ? ', paused' : ''}\n` +
        `  runs are campaigns ${campaignId}-<YYYY-MM-DD> (workflows ${row.workflowId}-<scheduled time>); next: ${row.nextRuns[0] ?? 'none (paused)'}\n`,
    );
  });
}

function formatRows(rows: ScheduleRow[]): string {
  if (rows.length === 0) return 'No campaign schedules.\n';
  const lines: string[] = [];
  for (const r of rows) {
    lines.push(`${r.scheduleId}: campaign ${r.campaign ?? '?'} (${r.config ?? '?'}) every ${r.every.join(', ')}, overlap ${r.overlap}, ${r.paused ? 'paused' : 'active'}`);
    if (r.nextRuns.length) lines.push(`  next ${r.nextRuns[0]}`);
    for (const run of r.recentRuns.slice(-3)) lines.push(`  ran ${run.campaign !== null ? `campaign ${run.campaign}, ` : ''}workflow ${run.workflowId} (scheduled ${run.scheduledAt})`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const schedule = program.command('schedule').description('Recurring campaigns: Temporal Schedules that start a campaign every interval (overlap SKIP)');

  addTemporalOptions(
    schedule
      .command('create')
      .summary('Run a campaign every interval')
      .description(
        'Validate a campaign config locally and create a Temporal Schedule that\n' +
          'starts its campaign workflow every --every (overlap policy SKIP: no run\n' +
          'starts while the previous one still runs). Each run is the workflow\n' +
          'campaign/<campaign id>-<scheduled time>, e.g.\n' +
          'campaign/demo-2026-11-27T06:00:00Z, and a campaign of its own named after\n' +
          'the UTC date it fired: demo-2026-11-27 (a further run on the same date,\n' +
          'e.g. by "schedule trigger": demo-2026-11-27-2, then -3, ...). Measurement\n' +
          'ids, records and reports use that name:\n' +
          '  matador report --compare demo-2026-11-20 demo-2026-11-27\n' +
          '  matador campaign rerun-failed demo-2026-11-27\n' +
          'Needs the campaign workers to be running.',
      )
      .argument('<file>', 'campaign config, e.g. configs/campaigns/demo.yaml')
      .requiredOption('--every <interval>', 'interval: a number and s, m, h, d or w, e.g. 7d, 12h (at least 1m)')
      .option('--id <scheduleId>', 'schedule id (default: the campaign id)')
      .option('--paused', 'create it paused (no runs until unpaused in the Web UI or "temporal schedule toggle")')
      .option('--timer-scale <factor>', 'multiply the message timers of every run once more')
      .option('--note <text>', 'note shown with the schedule')
      .option('--json', 'print the created schedule as JSON'),
  ).action((file: string, o: ConnOptions & { every: string; id?: string; paused?: boolean; timerScale?: string; note?: string }) => create(file, o));

  addTemporalOptions(schedule.command('list').description('Campaign schedules: interval, overlap policy, state, next and recent runs').option('--json', 'print JSON')).action(
    async (o: ConnOptions) => {
      await withClient(temporalTarget(o), async (client) => {
        const rows = await listCampaignSchedules(client);
        await write(o.json ? `${JSON.stringify(rows, null, 2)}\n` : formatRows(rows));
      });
    },
  );

  addTemporalOptions(schedule.command('delete').description('Delete a schedule (running campaigns it started keep running)').argument('<id>', 'schedule id')).action(
    async (id: string, o: ConnOptions) => {
      await withClient(temporalTarget(o), async (client) => {
        await withSchedule(client, id, () => client.schedule.getHandle(id).delete());
        await write(`Deleted schedule ${id}\n`);
      });
    },
  );

  addTemporalOptions(
    schedule
      .command('trigger')
      .description(
        'Start a run of a schedule now (skipped, like a due run, while its previous\n' +
          "campaign still runs). The run is a campaign named after today's UTC date,\n" +
          '<campaign id>-<YYYY-MM-DD>, or -2, -3, ... appended when a run of that\n' +
          'campaign has that name already (e.g. demo-2026-11-27-2).',
      )
      .argument('<id>', 'schedule id'),
  ).action(async (id: string, o: ConnOptions) => {
    await withClient(temporalTarget(o), async (client) => {
      const handle = client.schedule.getHandle(id);
      await withSchedule(client, id, () => handle.trigger());
      await write(`Triggered schedule ${id}; its run appears in "matador schedule list" and "matador campaign list"\n`);
    });
  });
}
