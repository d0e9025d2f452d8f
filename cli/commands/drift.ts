import * as fs from 'fs';
import type { Command } from 'commander';
import { defaultStoreFile, ResultsStore } from '../../store';
import { driftAlerts, driftChecks, webhookStates } from '../../store/drift';
import { driftListJson, driftListText, type DriftListEntry } from '../../lib/drift/format';
import { CliError } from '../errors';

const HELP_AFTER = `
When a campaign run completes, it is compared with the previous run of the same campaign (a
scheduled run with the run of the schedule before it; a re-run under the config's id with the
campaign as it stood before the run). Alerts, one per change:
  service_moved          an app's service endpoint countries changed
  path_left_area         in an M49 area, node pairs whose path stayed within it now leave it
  path_back_in_area      ... whose path left it now stays within it
  group_gained_access    ... whose path now crosses a member country of an interest group
  group_lost_access      ... whose path no longer does
CAMPAIGN is the campaign config's id (scheduled runs are named <id>-<date>) or a run's name.
The campaign config's alerts.webhook receives each run's alerts as a JSON POST; the last line of
a check says whether it was delivered (URL shown without path, user info or query).

Examples:
  matador drift list
  matador drift list weekly --json`;

/** `matador drift list [CAMPAIGN]`: the stored drift checks and alerts (store/drift.ts). */
export function register(program: Command): void {
  const drift = program.command('drift').description('drift alerts: what changed from one campaign run to the next');
  drift
    .command('list [campaign]')
    .description('list the comparisons of campaign runs and their alerts, newest first')
    .option('--json', 'JSON (matador.drift-list/v1) with every alert in full')
    .option('--store <file>', 'results database', defaultStoreFile())
    .addHelpText('after', HELP_AFTER)
    .action((campaign: string | undefined, options: { json?: boolean; store: string }) => {
      if (!fs.existsSync(options.store)) throw new CliError(`${options.store}: no results store (run a campaign first)`);
      let store: ResultsStore;
      try {
        store = new ResultsStore({ file: options.store, readonly: true });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      try {
        const checks = driftChecks(store).filter((c) => campaign === undefined || c.configCampaign === campaign || c.runB === campaign);
        const entries: DriftListEntry[] = checks.map((c) => {
          const pair = { configCampaign: c.configCampaign, runA: c.runA, runB: c.runB };
          const webhook = webhookStates(store, pair)[0];
          return {
            ...c,
            list: driftAlerts(store, pair).map((s) => s.alert),
            webhook: webhook ? { url: webhook.url, status: webhook.status, tries: webhook.tries, lastError: webhook.lastError, updatedAt: webhook.updatedAt } : null,
          };
        });
        process.stdout.write(options.json ? driftListJson(entries) : driftListText(entries, campaign));
      } finally {
        store.close();
      }
    });
}
