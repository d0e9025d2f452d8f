/**
 * `matador testbed check [TESTBED ...] --campaign FILE [--json]`: the preflight a lab runs before
 * a campaign. It runs where the hardware is: the CLI starts testbedCheckWorkflow
 * (workflows/testbed-check.ts), whose checkTestbed step runs on each testbed's own worker
 * (activities/check). Rows are printed as they arrive (progress query); with --json the rows go
 * to stderr and the document (lib/check/rows.ts) to stdout. Exit 1 on any ✘.
 * `matador campaign start` runs the same check first (runTestbedCheck).
 */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { checkDocument, checkSummary, formatCheckRow, type CheckDocument, type CheckProgress, type CheckRow, type TestbedCheckInput, type TestbedCheckResult } from '../../lib/check/rows';
import { ConfigError, loadCampaign } from '../../lib/config';
import { escapeText } from '../../lib/text/escape';
import { CENTRAL_TASK_QUEUE, CHECK_PROGRESS_QUERY, TESTBED_CHECK_WORKFLOW_TYPE, testbedCheckWorkflowId } from '../../temporal/conventions';
import { CliError } from '../errors';
import { addTemporalOptions, temporalTarget, withClient } from '../temporal-client';
import { configPathForWorker } from './campaign-paths';

/** How often the CLI asks the check workflow for new rows. */
const POLL_MS = 500;
/** How long one progress query may take before the CLI looks again (and checks its wait). */
const QUERY_WAIT_MS = 2000;

/** The promise's value, or null when it fails or has not settled within `ms`. */
function firstOf<T>(p: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}
/** A check no central worker picks up is given up after this long (it waits on no testbed yet). */
export const CENTRAL_WORKER_WAIT_S = 30;
/** The largest --worker-wait (an hour: a check is a preflight, not a queue). */
const MAX_WORKER_WAIT_S = 3600;

export interface CheckRequest {
  /** Campaign config file (as given on the command line). */
  file: string;
  /** Testbed ids; empty: every testbed the campaign selects. */
  testbeds: string[];
  /** Seconds to wait for a central worker to answer (default CENTRAL_WORKER_WAIT_S). */
  workerWaitS?: number;
}

/** The campaign's id and the testbeds to check: unknown ids are refused, naming the known ones. */
export function checkTargets(req: CheckRequest): { campaign: string; testbeds: string[] } {
  let loaded;
  try {
    loaded = loadCampaign(req.file);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const known = loaded.testbeds.map((t) => t.id);
  const unknown = req.testbeds.filter((t) => !known.includes(t));
  if (unknown.length > 0) {
    throw new CliError(`${loaded.testbedsFile}: no testbed ${unknown.map((t) => JSON.stringify(t)).join(', ')} selected by ${loaded.file} (known: ${known.join(', ') || 'none'})`);
  }
  return { campaign: loaded.campaign.id, testbeds: req.testbeds.length > 0 ? [...new Set(req.testbeds)] : known };
}

function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => out.write(text, (err) => (err ? reject(err) : resolve())));
}

/** Rows of `progress` not printed yet (per testbed, in order), and marks them printed. */
function newRows(progress: CheckProgress, printed: Map<string, number>): CheckRow[] {
  const out: CheckRow[] = [];
  for (const t of progress.testbeds) {
    const seen = printed.get(t.testbed) ?? 0;
    out.push(...t.rows.slice(seen));
    printed.set(t.testbed, t.rows.length);
  }
  return out;
}

/**
 * Runs the check of `testbeds` on the workers through `client`, printing each row (escaped: it
 * carries device and host text) to `out` as it arrives. Returns the JSON document.
 */
export async function runTestbedCheck(client: Client, req: CheckRequest, out: NodeJS.WritableStream): Promise<CheckDocument> {
  const { campaign, testbeds } = checkTargets(req);
  const input: TestbedCheckInput = { config: configPathForWorker(req.file), testbeds };
  await write(out, `Checking testbed${testbeds.length === 1 ? '' : 's'} ${testbeds.join(', ')} of campaign ${campaign} on their workers ...\n`);
  const handle = await client.workflow.start(TESTBED_CHECK_WORKFLOW_TYPE, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: testbedCheckWorkflowId(campaign, new Date()), args: [input] });
  const result = handle.result() as Promise<TestbedCheckResult[]>;
  let done = false;
  result.then(() => (done = true), () => (done = true));
  const printed = new Map<string, number>();
  const show = async (rows: CheckRow[]): Promise<void> => {
    for (const r of rows) await write(out, formatCheckRow(r).map((l) => `${escapeText(l)}\n`).join(''));
  };
  const since = Date.now();
  const waitS = req.workerWaitS ?? CENTRAL_WORKER_WAIT_S;
  let answered = false;
  while (!done) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (done) break;
    // A query needs a central worker; until one answers there is nothing to show yet. Without
    // one the server holds a query for a long while: each look is bounded by QUERY_WAIT_MS.
    const progress = await firstOf(handle.query<CheckProgress>(CHECK_PROGRESS_QUERY), QUERY_WAIT_MS);
    if (progress) {
      answered = true;
      await show(newRows(progress, printed));
    } else if (!answered && Date.now() - since > waitS * 1000) {
      await handle.terminate('no central worker ran the testbed check').catch(() => undefined);
      throw new CliError(`no central worker ran the testbed check (workflow ${handle.workflowId}) within ${waitS} s: start "matador worker --role central" for task queue ${CENTRAL_TASK_QUEUE}`);
    }
  }
  const final = await result;
  await show(newRows({ testbeds: final }, printed));
  const doc = checkDocument(campaign, final);
  await write(out, `${checkSummary(final.flatMap((t) => t.rows))}\n`);
  return doc;
}

/** --worker-wait: whole seconds, 1..MAX_WORKER_WAIT_S. */
export function parseWorkerWait(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_WORKER_WAIT_S) throw new CliError(`--worker-wait: expected whole seconds between 1 and ${MAX_WORKER_WAIT_S}, got ${JSON.stringify(value)}`);
  return n;
}

interface CheckOptions {
  campaign?: string;
  workerWait?: number;
  json?: boolean;
  address?: string;
  namespace?: string;
}

async function check(testbeds: string[], o: CheckOptions): Promise<void> {
  if (!o.campaign) throw new CliError('testbed check: --campaign FILE is required (the campaign names the testbeds, nodes and apps to check)');
  const file = o.campaign;
  checkTargets({ file, testbeds }); // bad input: one line before any connection
  await withClient(temporalTarget(o), async (client) => {
    const doc = await runTestbedCheck(client, { file, testbeds, workerWaitS: o.workerWait }, o.json ? process.stderr : process.stdout);
    if (o.json) await write(process.stdout, `${JSON.stringify(doc, null, 2)}\n`);
    if (!doc.ok) process.exitCode = 1;
  });
}

export function register(program: Command): void {
  const testbed = program.commands.find((c) => c.name() === 'testbed') ?? program.command('testbed');
  addTemporalOptions(
    testbed
      .command('check')
      .summary('Preflight of real or emulated testbeds before a campaign: phones, routers, nodes, tunnels')
      .description(
        [
          'Check the testbeds of a campaign where their hardware is: the check runs as a',
          'workflow whose steps run on each testbed\'s own worker ("matador worker --role',
          'testbed --testbed ID", on the host with the phones\' USB and the SSH keys); it',
          'needs "matador server" (or another Temporal) and a central worker too. Real',
          '(kind: real) and emulated testbeds are checked the same way.',
          '',
          'Per phone: adb authorised, root (su -c id), Android version, clock offset within',
          'the clock_skew bound, airplane mode with WLAN only, the mock-location provider,',
          'each campaign app installed (at the version the campaign pins), screen on and',
          'unlocked, each app\'s openChat tap targets on screen (nothing is sent; the app is',
          'stopped again). Per router',
          'and vantage node of the campaign: SSH with the pinned host key, the tools the',
          'drivers run, root login, the routers\' capture dir writable; per node a tunnel',
          'from a router brought up, pinged through and torn down. Do not run it on a',
          'testbed while a campaign measures there (the tunnels are the testbed\'s own).',
          '',
          'One row per check (✔/✘, testbed/side, kind, serial or host, what was checked,',
          'what was found; under a ✘ the fix), printed as the checks finish. Exit status 1',
          'when any check failed. "matador campaign start" runs the same check first.',
        ].join('\n'),
      )
      .argument('[testbeds...]', 'testbed ids (default: every testbed the campaign selects)')
      .option('--campaign <file>', 'campaign config: its testbeds, nodes and apps are checked (required)')
      .option('--json', `print the result as JSON (schema matador.testbed-check/v1); rows go to stderr`)
      .option('--worker-wait <seconds>', `give up when no central worker has picked the check up after this long (default ${CENTRAL_WORKER_WAIT_S})`, parseWorkerWait),
  ).action((testbeds: string[], o: CheckOptions) => check(testbeds, o));
}
