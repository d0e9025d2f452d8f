import * as fs from 'fs';
import { Command, Option } from 'commander';
import { CliError } from '../errors';
// The analysis modules are loaded when the command runs, so other commands start faster.
type ReportLib = typeof import('../../lib/report');
type GroupsLib = typeof import('../../lib/geo/groups');

interface ReportOptions {
  input: string;
  format: 'json' | 'md' | 'csv';
  skipInvalid?: boolean;
  groups?: string;
}

function readInput(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read --input ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Tables 2 and 3 of the paper from measurement records (matador.measurement/v1 JSON lines): ' +
        'for every UN M49 area (region, subregion, intermediate region) with measurements between two ' +
        'of its nodes, how many paths left the area and how many were accessible to each interest ' +
        'group (Five Eyes, European Union, Arab League, Russia, China) on the measurement day — for the ' +
        'network path and for every app. Application columns use the latest ok record per app and ' +
        'node pair; the network column the latest ok record with a network trace per node pair.',
    )
    .requiredOption('--input <file>', 'measurement records, one JSON object per line')
    .addOption(new Option('--format <format>', 'json (matador.report/v1, counts), md or csv (counts and percentages)').choices(['json', 'md', 'csv']).default('json'))
    .option('--skip-invalid', 'skip malformed lines and report how many (default: stop at the first with file:line)')
    .option('--groups <file>', 'interest groups YAML (default configs/geo/interest-groups.yaml)')
    .addHelpText('after', '\nExamples:\n  matador report --input results.jsonl --format md\n  matador report --input results.jsonl --format csv --skip-invalid > tables.csv')
    .action(async (opts: ReportOptions) => {
      const { buildReport, InvalidRecordError, parseMeasurementLines, reportToCsv, reportToMarkdown }: ReportLib = await import('../../lib/report');
      const { defaultInterestGroups, loadInterestGroups }: GroupsLib = await import('../../lib/geo/groups');
      const text = readInput(opts.input);
      let parsed;
      try {
        parsed = parseMeasurementLines(text, opts.input, { skipInvalid: opts.skipInvalid });
      } catch (err) {
        if (err instanceof InvalidRecordError) throw new CliError(`${err.message} (use --skip-invalid to skip such lines)`);
        throw err;
      }
      let groups;
      try {
        groups = opts.groups ? loadInterestGroups(opts.groups) : defaultInterestGroups();
      } catch (err) {
        throw new CliError(`interest groups: ${(err as Error).message}`);
      }
      if (parsed.invalid.length > 0) {
        const first = parsed.invalid.slice(0, 3).map((i) => `line ${i.line}: ${i.error}`).join('; ');
        process.stderr.write(`matador: skipped ${parsed.invalid.length} invalid line(s) in ${opts.input} (${first}${parsed.invalid.length > 3 ? '; ...' : ''})\n`);
      }
      const report = buildReport(parsed.records, { groups, invalidLinesSkipped: parsed.invalid.length });
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (opts.format === 'md') process.stdout.write(reportToMarkdown(report));
      else process.stdout.write(reportToCsv(report));
    });
}
