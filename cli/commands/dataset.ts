import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { measurementRecordSchema } from '../../lib/record/schema';
import { reportSchema } from '../../lib/report/schema';
import { HOP_COLUMNS, MEASUREMENT_COLUMNS } from '../../lib/record/csv';
import { defaultStoreFile, exportCampaign, exportCampaignCsv, ResultsStore } from '../../store';
import { CliError } from '../errors';

const EXPORT_FORMATS = ['jsonl', 'csv'] as const;

/** Writes text to FILE whole or not at all (temporary file + rename), or to stdout without one. */
function output(text: string, out: string | undefined): void {
  if (!out) {
    process.stdout.write(text);
    return;
  }
  const target = path.resolve(out);
  const temporary = `${target}.partial-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, target);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw new CliError(`${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  process.stdout.write(`schema -> ${target}\n`);
}

/** `matador dataset export` and `matador dataset schema`. */
export function register(program: Command): void {
  const dataset = program.command('dataset').description('results dataset: export measurement records from the results store, print the published JSON Schemas');
  dataset
    .command('export')
    .description('write the latest attempt of every measurement of a campaign as JSON lines (DESIGN 4.1), or as CSV tables')
    .requiredOption('--campaign <id>', 'campaign id, e.g. demo')
    .requiredOption('--out <file>', 'output file (.jsonl, or .csv with --format csv); written whole or not at all')
    .option('--format <format>', `${EXPORT_FORMATS.join(' or ')}`, 'jsonl')
    .option('--store <file>', 'results database', defaultStoreFile())
    .addHelpText(
      'after',
      `
With --format csv, --out FILE.csv gets one row per hop interface and FILE.measurements.csv
(beside it) one row per measurement; join them on measurementId. RFC 4180 quoting, LF line ends;
an empty cell is unknown. Text from records starting with = + - @ gets a leading ' (no
spreadsheet formulas).
  hops:         ${HOP_COLUMNS.map((c) => c.header).join(', ')}
  measurements: ${MEASUREMENT_COLUMNS.map((c) => c.header).join(', ')}

Example:
  matador dataset export --campaign demo --format csv --out data/demo-hops.csv
    (writes data/demo-hops.csv and data/demo-hops.measurements.csv)`,
    )
    .action((options: { campaign: string; out: string; store: string; format: string }) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) throw new CliError(`--format must be ${EXPORT_FORMATS.join(' or ')}, got ${JSON.stringify(options.format)}`);
      if (!fs.existsSync(options.store)) throw new CliError(`${options.store}: no results store (run a campaign first)`);
      const store = new ResultsStore({ file: options.store, readonly: true });
      try {
        const known = store.campaigns().map((c) => c.campaign);
        if (!known.includes(options.campaign)) {
          throw new CliError(`campaign ${JSON.stringify(options.campaign)} has no records in ${options.store} (known: ${known.join(', ') || 'none'})`);
        }
        if (options.format === 'csv') {
          const result = exportCampaignCsv(store, options.campaign, options.out);
          process.stdout.write(`${result.hopRows} hop rows -> ${result.file}\n${result.records} measurements -> ${result.measurementsFile}\n`);
        } else {
          const result = exportCampaign(store, options.campaign, options.out);
          process.stdout.write(`${result.records} records -> ${result.file}\n`);
        }
      } finally {
        store.close();
      }
    });
  dataset
    .command('schema')
    .description('print the JSON Schema (draft 2020-12) of matador.measurement/v1 (one exported record), or with --report of matador.report/v1 (report --format json)')
    .option('--report', 'the schema of the report JSON instead of the measurement record')
    .option('--out <file>', 'write it to a file instead of stdout')
    .action((options: { report?: boolean; out?: string }) => {
      const schema = options.report ? reportSchema() : measurementRecordSchema();
      output(`${JSON.stringify(schema, null, 2)}\n`, options.out);
    });
}
