/**
 * `matador demo` (what ./scripts/demo runs after set-up): Temporal dev server, emulated world,
 * workers, the demo campaign with a live progress line, Tables 2 and 3, the dataset export and
 * the Web UI address. Everything that already runs is reused, and the campaign resumes (only
 * measurements not yet ok run), so a second run is much faster. `--stop` ends it all.
 */
import { formatFailure } from '../../lib/failures';
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ConfigError, loadCampaign, type LoadedCampaign } from '../../lib/config';
import { campaignStartMetadata } from '../workflow-metadata';
import { dataDir } from '../../lib/project-paths';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, campaignWorkflowId, PROGRESS_QUERY } from '../../temporal/conventions';
import type { CampaignInput, CampaignProgress, CampaignSummary } from '../../lib/measurement/payloads';
import { followProgress } from '../campaign-progress';
import { CliError } from '../errors';
import { addTemporalOptions, serverAnswers, temporalTarget, withClient, type TemporalTarget } from '../temporal-client';
import { configPathForWorker, formatSummary } from './campaign';
import { demoLogDir, formatTimings, PhaseFailure, PhaseRunner, serverUiBase, webUiUrl } from './demo-phases';
import { worldHealth } from '../../testbed/world/health';
import { ensureWorkers, runMatador, stopAllWorkers, type WorkerSpec } from '../../ops/processes';

export const DEMO_CAMPAIGN = 'configs/campaigns/demo.yaml';

interface DemoOptions {
  stop?: boolean;
  fresh?: boolean;
  campaign: string;
  setupSeconds?: string;
  address?: string;
  namespace?: string;
}

interface CampaignFacts {
  id: string;
  file: string;
  world: string;
  testbeds: string[];
  /** What the Web UI lists for the campaign workflow (a fresh run; resume says so itself). */
  loaded: LoadedCampaign;
}

function campaignFacts(file: string): CampaignFacts {
  let loaded;
  try {
    loaded = loadCampaign(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new PhaseFailure('config', err.message, file);
    throw err;
  }
  const worlds = [...new Set(loaded.testbeds.flatMap((t) => ('world' in t && typeof t.world === 'string' ? [t.world] : [])))];
  if (worlds.length !== 1) throw new PhaseFailure('config', `the demo needs emulated testbeds of one world, ${file} has ${worlds.length ? worlds.join(', ') : 'none'}`, loaded.testbedsFile);
  return { id: loaded.campaign.id, file, world: worlds[0], testbeds: loaded.testbeds.map((t) => t.id), loaded };
}


async function phaseServer(target: TemporalTarget): Promise<string> {
  if (await serverAnswers(target.address)) return `reused the server at ${target.address}`;
  const [host, port] = target.address.split(':');
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`no Temporal answers at ${target.address}, and the demo only starts one on this machine`);
  const logFile = path.join(demoLogDir(), 'server-start.log');
  const r = await runMatador(['server', '--port', port ?? '7233'], { logFile });
  if (r.code !== 0) throw Object.assign(new Error(`matador server exited ${r.code}: ${r.lastLine}`), { logFile: path.join(dataDir, 'temporal.log') });
  return `started (${r.lastLine.includes('Stop it') ? 'detached' : 'running'}), log ${path.join(dataDir, 'temporal.log')}`;
}

async function phaseWorld(facts: CampaignFacts): Promise<string> {
  const { status } = await import('../../testbed/world/world');
  const before = worldHealth(await status(), facts.world, facts.testbeds);
  if (before.healthy) return `reused: ${before.reason}`;
  const logFile = path.join(demoLogDir(), 'world-up.log');
  // As many testbeds as the campaign uses (the world's config may declare fewer).
  const r = await runMatador(['testbed', 'up', facts.world, '--testbeds', String(facts.testbeds.length)], { logFile });
  if (r.code !== 0) throw Object.assign(new Error(`matador testbed up ${facts.world} failed: ${r.lastLine}`), { logFile });
  const after = worldHealth(await status(), facts.world, facts.testbeds);
  if (!after.healthy) throw Object.assign(new Error(`world ${facts.world} is not healthy after up: ${after.reason}`), { logFile });
  return `built (was: ${before.reason}); ${r.lastLine.replace(/; state .*/, '')}`;
}

async function phaseWorkers(facts: CampaignFacts, target: TemporalTarget, say: (l: string) => void): Promise<string> {
  const specs: WorkerSpec[] = [{ role: 'central' }, ...facts.testbeds.map((testbed) => ({ role: 'testbed' as const, testbed }))];
  const workers = await ensureWorkers({ address: target.address, namespace: target.namespace, workers: specs, log: say });
  const reused = workers.filter((w) => w.reused).length;
  return `${workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')} (${reused} reused, ${workers.length - reused} started; logs in ${path.dirname(workers[0].logFile)})`;
}

interface CampaignOutcome {
  summary: CampaignSummary;
}

/** The campaign's workflow, and when this call started it (absent: it was running already). */
async function startOrAttach(client: Client, facts: CampaignFacts, fresh: boolean, say: (l: string) => void): Promise<{ handle: WorkflowHandle; startedAtMs?: number }> {
  const workflowId = campaignWorkflowId(facts.id);
  const input: CampaignInput = { config: configPathForWorker(facts.file), ...(fresh ? {} : { resume: true }) };
  try {
    const metadata = campaignStartMetadata(facts.loaded, { config: facts.file, resume: !fresh });
    const startedAtMs = Date.now();
    const handle = await client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, { taskQueue: CENTRAL_TASK_QUEUE, workflowId, args: [input], workflowIdReusePolicy: 'ALLOW_DUPLICATE', ...metadata });
    say(`started workflow ${workflowId}${fresh ? '' : ' with resume (measurements already ok are skipped)'}`);
    return { handle, startedAtMs };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    say(`workflow ${workflowId} is already running: following it`);
    return { handle: client.workflow.getHandle(workflowId) };
  }
}

async function phaseCampaign(facts: CampaignFacts, target: TemporalTarget, fresh: boolean, say: (l: string) => void, outcome: { value?: CampaignOutcome }): Promise<string> {
  return withClient(target, async (client) => {
    const { handle, startedAtMs } = await startOrAttach(client, facts, fresh, say);
    say(`Web UI: ${webUiUrl(serverUiBase(), target.namespace, facts.id)}`);
    const result = handle.result() as Promise<CampaignSummary>;
    await followProgress({
      query: () => handle.query<CampaignProgress>(PROGRESS_QUERY),
      done: result,
      out: process.stdout,
      tty: Boolean(process.stdout.isTTY),
      width: () => process.stdout.columns,
      campaignStartedAtMs: startedAtMs,
    });
    let summary: CampaignSummary;
    try {
      summary = await result;
    } catch (err) {
      throw Object.assign(new Error(`campaign workflow ${handle.workflowId} failed: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`), {
        logFile: path.join(dataDir, 'workers', 'central.log'),
      });
    }
    outcome.value = { summary };
    process.stdout.write(formatSummary(summary).split('\n').slice(0, 6).join('\n') + (summary.failures.length > 5 ? `\n  ... ${summary.failures.length - 5} more failures\n` : '\n'));
    return `${summary.ok + summary.failed} of ${summary.total} run: ${summary.ok} ok, ${summary.failed} failed, ${summary.skipped ?? 0} skipped as already ok`;
  });
}

async function phaseReport(facts: CampaignFacts): Promise<string> {
  process.stdout.write(`\n`);
  const r = await runMatador(['report', '--campaign', facts.id, '--format', 'md']);
  if (r.code !== 0) throw new Error(`matador report --campaign ${facts.id} exited ${r.code} (its message is above)`);
  return 'Tables 2 and 3 above';
}

async function phaseExport(facts: CampaignFacts): Promise<string> {
  const out = path.join(dataDir, 'exports', `${facts.id}.jsonl`);
  const logFile = path.join(demoLogDir(), 'export.log');
  const r = await runMatador(['dataset', 'export', '--campaign', facts.id, '--out', out], { logFile });
  if (r.code !== 0) throw Object.assign(new Error(`matador dataset export failed: ${r.lastLine}`), { logFile });
  return r.lastLine;
}

async function runDemo(o: DemoOptions): Promise<void> {
  const started = Date.now();
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const phases = new PhaseRunner(say);
  const setupSeconds = o.setupSeconds !== undefined && Number.isFinite(Number(o.setupSeconds)) ? Number(o.setupSeconds) : 0;
  if (o.setupSeconds !== undefined) phases.timings.push({ phase: 'setup', seconds: setupSeconds, note: 'scripts/setup' });
  const totalSeconds = (): number => setupSeconds + (Date.now() - started) / 1000;
  const target = temporalTarget(o);
  fs.mkdirSync(demoLogDir(), { recursive: true });
  const outcome: { value?: CampaignOutcome } = {};
  let facts!: CampaignFacts;
  try {
    await phases.run('config', `reading ${o.campaign}`, async () => {
      facts = campaignFacts(o.campaign);
      return `campaign ${facts.id}, world ${facts.world}, testbeds ${facts.testbeds.join(', ')}`;
    });
    await phases.run('server', `Temporal dev server at ${target.address}`, () => phaseServer(target), path.join(dataDir, 'temporal.log'));
    await phases.run('world', `emulated world ${facts.world} (matador testbed status / up)`, () => phaseWorld(facts), path.join(demoLogDir(), 'world-up.log'));
    await phases.run('workers', `central worker + testbed workers ${facts.testbeds.join(', ')}`, () => phaseWorkers(facts, target, (l) => phases.say('workers', l)), path.join(dataDir, 'workers'));
    await phases.run('campaign', `campaign ${facts.id}${o.fresh ? '' : ' (resume)'}`, () => phaseCampaign(facts, target, o.fresh ?? false, (l) => phases.say('campaign', l), outcome), path.join(dataDir, 'workers'));
    await phases.run('report', `Tables 2 and 3 (matador report --campaign ${facts.id} --format md)`, () => phaseReport(facts));
    await phases.run('export', `dataset export (matador dataset export --campaign ${facts.id})`, () => phaseExport(facts));
  } catch (err) {
    if (err instanceof PhaseFailure) {
      say(formatTimings(phases.timings, totalSeconds()));
      throw new CliError(err.line());
    }
    throw err;
  }
  say(formatTimings(phases.timings, totalSeconds()));
  say(`[demo] Web UI (this campaign's workflows): ${webUiUrl(serverUiBase(), target.namespace, facts.id)}`);
  say(`[demo] still running: Temporal, the world and the workers; "./scripts/demo --stop" ends them`);
  const s = outcome.value?.summary;
  if (s && s.failed > 0) {
    throw new CliError(`demo: ${s.failed} of ${s.total} measurements failed (first: ${s.failures[0] ? formatFailure(s.failures[0]) : '?'}); run ./scripts/demo again to retry only those, or see the Web UI`);
  }
}

async function stopDemo(): Promise<void> {
  const say = (line: string): void => void process.stdout.write(`[demo] ${line}\n`);
  const stoppedWorkers = await stopAllWorkers((l) => say(l));
  if (stoppedWorkers === 0) say('workers: none running');
  const server = await runMatador(['server', '--stop'], { logFile: path.join(demoLogDir(), 'server-stop.log') });
  say(`server: ${server.lastLine || `matador server --stop exited ${server.code}`}`);
  if (server.code !== 0) throw new CliError(`demo --stop: "matador server --stop" failed (${server.lastLine}); look at ${path.join(demoLogDir(), 'server-stop.log')}`);
  // The world is only taken down when this data folder has one: `testbed down` removes every
  // mt- namespace on the machine, which must not hit a world someone else runs.
  const worldsDir = path.join(dataDir, 'world');
  if (fs.existsSync(worldsDir) && fs.readdirSync(worldsDir).length > 0) {
    const logFile = path.join(demoLogDir(), 'world-down.log');
    const down = await runMatador(['testbed', 'down'], { logFile });
    if (down.code !== 0) throw new CliError(`demo --stop: "matador testbed down" failed (${down.lastLine}); look at ${logFile}`);
    say(`world: ${down.lastLine}`);
  } else {
    say('world: none up here');
  }
}

export function register(program: Command): void {
  addTemporalOptions(
    program
      .command('demo')
      .description(
        'The whole pipeline on this machine: the Temporal dev server ("matador server"), the emulated world ("matador testbed up"), ' +
          'a central worker and one worker per testbed (detached; pid files and logs in .matador/workers/), the demo campaign with ' +
          'live progress, Tables 2 and 3, the dataset export (.matador/exports/<campaign>.jsonl) and the Web UI address. ' +
          'What runs is reused and the campaign resumes (only measurements not yet ok run), so a second run is fast. ' +
          '--stop ends workers, server and world. Usually started by ./scripts/demo, which runs scripts/setup first.',
      )
      .option('--stop', 'stop the workers, the Temporal dev server and the world, then exit')
      .option('--fresh', 'run every measurement again (no resume)')
      .option('--campaign <file>', 'campaign config with emulated testbeds', DEMO_CAMPAIGN)
      .addOption(new Option('--setup-seconds <s>', 'time scripts/setup took (for the timing table)').hideHelp()),
  ).action(async (o: DemoOptions) => {
    if (o.stop) return stopDemo();
    return runDemo(o);
  });
}

