import { Command } from 'commander';
import { ConfigError, displayPath, loadCampaign } from '../../lib/config';
import { type AreaCount, expandPlan, type Plan, type PlannedApp, plannedMessages } from '../../lib/campaign-plan';
import { measurementWaitsAsRun, SERVER_MIN_TIMER_SECONDS } from '../../temporal/timers';
import { DEV_SERVER_TIMER_SHIFT, TIMER_SHIFT_KEY } from '../../ops/dev-server';
import { CliError } from '../errors';

/**
 * `matador campaign plan FILE [--json]`: validate a campaign and every file it references, and
 * show what it would measure. Other `campaign` subcommands live in other modules: `register`
 * creates the `campaign` command only when nobody did yet, `registerPlan` adds `plan` to it.
 */
export function registerPlan(campaign: Command): void {
  if (campaign.commands.some((c) => c.name() === 'plan')) return;
  campaign
    .command('plan')
    .description(
      'Validate a campaign config (and the node, app and testbed files it references) and print\n' +
        'the expanded plan: measurements = apps x unordered node pairs including self-pairs\n' +
        '(28 nodes -> 406 pairs per app), testbed assignment and pairs per UN M49 area.\n' +
        'An invalid config prints one line naming file, key path and value, and exits 1.',
    )
    .argument('<file>', 'campaign config, e.g. configs/campaigns/paper-2015.yaml')
    .option('--json', 'print the whole plan as JSON (schema matador.plan/v1, every measurement)')
    .action(async (file: string, options: { json?: boolean }) => {
      const plan = planOrCliError(file);
      await writeOut(options.json ? `${JSON.stringify(plan, null, 2)}\n` : summary(plan));
    });
}

export function register(program: Command): void {
  let campaign = program.commands.find((c) => c.name() === 'campaign');
  if (!campaign) {
    campaign = program.command('campaign').description('Plan and run measurement campaigns (configs/campaigns/*.yaml)');
  }
  registerPlan(campaign);
}

/** Resolves once the text is handed to the OS: bin/matador exits right after the command, and a
 *  large plan written to a pipe would otherwise be cut off. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

function planOrCliError(file: string): Plan {
  try {
    return expandPlan(loadCampaign(file));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** ", X s as run" when waits shorter than the server's minimum timer make the capture longer. */
function asRunNote(app: PlannedApp): string {
  const t = app.config.timers;
  const waits = measurementWaitsAsRun({ messageWaits: plannedMessages(app).map((m) => m.waitSeconds), settleSeconds: t.afterLastMessageSec, captureTailSeconds: t.captureTailSec });
  return waits.asRun > waits.configured ? `, ${waits.asRun} s as run` : '';
}

function summary(plan: Plan): string {
  const lines: string[] = [];
  const c = plan.campaign;
  lines.push(`Campaign ${c.id}${c.description ? ` - ${c.description}` : ''}`);
  lines.push(`  file: ${displayPath(c.file)}`);
  lines.push(`Measurements: ${plan.measurements.length} (${plan.apps.length} apps x ${plan.pairs.length} node pairs)`);
  lines.push(`Pairs: ${plan.pairs.length} per app, ${plan.selfPairs} of them self-pairs (both users at the same node)`);
  lines.push(`Apps (${plan.apps.length}), timer scale ${c.timerScale}:`);
  for (const app of plan.apps) {
    const cfg = app.config;
    lines.push(
      `  ${app.id.padEnd(12)} ${cfg.displayName} ${cfg.android.version} (${cfg.android.package}), ` +
        `${cfg.message.count} messages, ${app.messagingSec} s of capture${asRunNote(app)}`,
    );
  }
  if (plan.apps.some((app) => asRunNote(app) !== '')) {
    lines.push(
      `  (the Temporal server fires no timer sooner than ${SERVER_MIN_TIMER_SECONDS} s after it starts, so shorter scaled waits take ${SERVER_MIN_TIMER_SECONDS} s; ` +
        `"matador server" sets ${TIMER_SHIFT_KEY}=${DEV_SERVER_TIMER_SHIFT}, so there they run as configured)`,
    );
  }
  lines.push(`Nodes (${plan.nodes.length}):`);
  const nodeTexts = plan.nodes.map((n) => `${n.id} (${n.country})`);
  for (let i = 0; i < nodeTexts.length; i += 6) lines.push(`  ${nodeTexts.slice(i, i + 6).join(', ')}`);
  const balance = c.balance === 'work-stealing' ? '; an idle testbed takes over the end of the busiest one\'s queue (balance: work-stealing)' : '';
  lines.push(`Testbeds (${plan.testbeds.length}, one measurement at a time each, assigned by ${c.assignment}${balance}):`);
  lines.push(`  ${plan.testbeds.map((t) => `${t.id} [${t.kind}] ${t.measurements}`).join(', ')}`);
  lines.push(`Retry: up to ${c.retry.maxAttempts} attempts per measurement`);
  lines.push('Pairs per UN M49 area (a pair counts when both nodes lie in the area):');
  lines.push(`  ${'area'.padEnd(40)} ${'nodes'.padStart(5)} ${'pairs'.padStart(6)} ${'measurements'.padStart(12)}`);
  for (const row of areaTree(plan.areas)) {
    const { area, depth } = row;
    lines.push(
      `  ${`${'  '.repeat(depth)}${area.area}`.padEnd(40)} ${String(area.nodes).padStart(5)} ` +
        `${String(area.pairs).padStart(6)} ${String(area.measurements).padStart(12)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Regions, each followed by its subregions, each followed by its intermediate regions. */
function areaTree(areas: readonly AreaCount[]): Array<{ area: AreaCount; depth: number }> {
  const out: Array<{ area: AreaCount; depth: number }> = [];
  const children = (level: AreaCount['level'], parent: string | null) => areas.filter((a) => a.level === level && a.parent === parent);
  for (const region of children('region', null)) {
    out.push({ area: region, depth: 0 });
    for (const sub of children('subregion', region.area)) {
      out.push({ area: sub, depth: 1 });
      for (const inter of children('intermediate', sub.area)) out.push({ area: inter, depth: 2 });
    }
  }
  return out;
}
