import * as fs from 'fs';
import type { Command } from 'commander';
import { defaultStoreFile, exportCampaign, ResultsStore } from '../../store';
import { CliError } from '../errors';

/** `matador dataset export`: the store's records of one campaign as matador.measurement/v1 lines. */
export function register(program: Command): void {
  const dataset = program.command('dataset').description('results dataset: export measurement records from the results store');
  dataset
    .command('export')
    .description('write the latest attempt of every measurement of a campaign as JSON lines (DESIGN 4.1)')
    .requiredOption('--campaign <id>', 'campaign id, e.g. demo')
    .requiredOption('--out <file>', 'output file (.jsonl); written whole or not at all')
    .option('--store <file>', 'results database', defaultStoreFile())
    .action((options: { campaign: string; out: string; store: string }) => {
      if (!fs.existsSync(options.store)) throw new CliError(`${options.store}: no results store (run a campaign first)`);
      const store = new ResultsStore({ file: options.store, readonly: true });
      try {
        const known = store.campaigns().map((c) => c.campaign);
        if (!known.includes(options.campaign)) {
          throw new CliError(`campaign ${JSON.stringify(options.campaign)} has no records in ${options.store} (known: ${known.join(', ') || 'none'})`);
        }
        const result = exportCampaign(store, options.campaign, options.out);
        process.stdout.write(`${result.records} records -> ${result.file}\n`);
      } finally {
        store.close();
      }
    });
}
