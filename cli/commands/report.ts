import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { defaultStoreFile, type ResultsStore } from '../../store';
import { dataDir } from '../../lib/project-paths';
import { CliError } from '../errors';
import type { MeasurementRecord } from '../../lib/types';
// The analysis modules are loaded when the command runs, so other commands start faster.
type ReportLib = typeof import('../../lib/report');
type GeoTablesLib = typeof import('../../lib/config/geo-tables');
type StoreLib = typeof import('../../store');

interface ReportOptions {
  input?: string;
  campaign?: string;
  compare?: string[];
  store: string;
  format?: 'json' | 'md' | 'csv' | 'html';
  out?: string;
  dataDir: string;
  skipInvalid?: boolean;
  groups?: string;
  m49?: string;
  limit?: string;
  failOnChange?: boolean;
}

/** Records of one run plus what was skipped, already described for a warning line. */
interface LoadedRun {
  name: string;
  records: MeasurementRecord[];
  skipped: number;
  skippedWarning: string | null;
}

function warning(count: number, where: string, problems: string[]): string | null {
  if (count === 0) return null;
  return `matador: skipped ${count} invalid ${where} (${problems.slice(0, 3).join('; ')}${count > 3 ? '; ...' : ''})`;
}

function loadFile(lib: ReportLib, file: string, what: string, skipInvalid: boolean): LoadedRun {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const parsed = lib.parseMeasurementLines(text, file, { skipInvalid });
    const problems = parsed.invalid.map((i) => `line ${i.line}: ${i.error}`);
    return { name: file, records: parsed.records, skipped: parsed.invalid.length, skippedWarning: warning(parsed.invalid.length, `line(s) in ${file}`, problems) };
  } catch (err) {
    if (err instanceof lib.InvalidRecordError) throw new CliError(`${err.message} (use --skip-invalid to skip such lines)`);
    throw err;
  }
}

/** Opens the store read-only once, on first use (a file-only report never needs it). */
class StoreReader {
  private store: ResultsStore | undefined;
  constructor(
    private readonly storeLib: StoreLib,
    readonly file: string,
  ) {}

  private open(): ResultsStore {
    if (this.store) return this.store;
    if (!fs.existsSync(this.file)) throw new CliError(`no results store at ${this.file} (run a campaign first, or pass --store FILE)`);
    try {
      this.store = new this.storeLib.ResultsStore({ file: this.file, readonly: true });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    return this.store;
  }

  /** The latest attempt of every measurement of the campaign (DESIGN 4.2 selection happens in the report). */
  campaignRecords(lib: ReportLib, campaign: string, skipInvalid: boolean): LoadedRun {
    const store = this.open();
    let known: string[];
    let latest: { measurementId: string; attempt: number; record: MeasurementRecord }[];
    try {
      known = store.campaigns().map((c) => c.campaign);
      latest = known.includes(campaign) ? [...store.latestOfCampaign(campaign)] : [];
    } catch (err) {
      throw new CliError(`results store ${this.file}: cannot read: ${(err as Error).message}`);
    }
    if (!known.includes(campaign)) {
      throw new CliError(`campaign ${JSON.stringify(campaign)} has no records in ${this.file} (known: ${known.join(', ') || 'none'})`);
    }
    const records: MeasurementRecord[] = [];
    const problems: string[] = [];
    for (const { measurementId, attempt, record } of latest) {
      const problem = lib.recordProblem(record);
      if (problem === null) records.push(record);
      else if (skipInvalid) problems.push(`${measurementId} attempt ${attempt}: ${problem}`);
      else {
        throw new CliError(`${this.file}: ${measurementId} attempt ${attempt}: invalid measurement record: ${problem} (use --skip-invalid to skip such records)`);
      }
    }
    const where = `record(s) of campaign ${campaign} in ${this.file}`;
    return { name: `campaign ${campaign}`, records, skipped: problems.length, skippedWarning: warning(problems.length, where, problems) };
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }
}

/** A compare RUN is a file when one exists by that name or it looks like a path; otherwise a campaign id. */
function isFileRun(run: string): boolean {
  try {
    if (fs.statSync(run).isFile()) return true;
  } catch {
    // not an existing file: decide by its shape
  }
  return /\.jsonl?$/i.test(run) || run.includes('/') || run.includes(path.sep);
}

function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new CliError(`--limit must be a whole number >= 0, got ${JSON.stringify(text)}`);
  return Number(text);
}

function checkSources(opts: ReportOptions): void {
  if (opts.compare) {
    if (opts.input !== undefined || opts.campaign !== undefined) {
      throw new CliError('--compare takes its two runs as arguments: drop --input/--campaign (e.g. --compare demo other.jsonl)');
    }
    if (opts.compare.length !== 2) {
      throw new CliError(`--compare needs exactly two runs (campaign id or .jsonl file), got ${opts.compare.length}: ${opts.compare.join(' ')}`);
    }
    if (opts.format === 'csv' || opts.format === 'html') throw new CliError(`--format ${opts.format} is not available with --compare (use md or json)`);
    return;
  }
  if (opts.failOnChange) throw new CliError('--fail-on-change applies to --compare only');
  if (opts.input !== undefined && opts.campaign !== undefined) {
    throw new CliError('give exactly one of --input FILE or --campaign ID, not both');
  }
  if (opts.input === undefined && opts.campaign === undefined) {
    throw new CliError('give exactly one of --input FILE or --campaign ID (or --compare RUN_A RUN_B)');
  }
  if (opts.limit !== undefined) throw new CliError('--limit applies to --compare only');
}

/** The interest groups and M49 table from files (null: the shipped ones); one-line errors. */
function loadTables(geo: GeoTablesLib, files: { m49: string | null; interestGroups: string | null }) {
  let groups;
  try {
    groups = files.interestGroups !== null ? geo.loadInterestGroups(files.interestGroups) : geo.defaultInterestGroups();
  } catch (err) {
    throw new CliError(`interest groups: ${(err as Error).message}`);
  }
  let m49;
  try {
    m49 = files.m49 !== null ? geo.loadM49(files.m49) : geo.defaultM49();
  } catch (err) {
    throw new CliError(`M49 areas: ${(err as Error).message}`);
  }
  return { groups, m49 };
}

/** --campaign: the tables the campaign named (its records say which), unless the options name some. */
function campaignTables(lib: ReportLib, geo: GeoTablesLib, records: MeasurementRecord[], opts: ReportOptions) {
  let named;
  try {
    named = lib.tablesOf(records);
  } catch (err) {
    throw new CliError(`campaign ${opts.campaign}: ${(err as Error).message}`);
  }
  return loadTables(geo, { m49: opts.m49 ?? named.m49, interestGroups: opts.groups ?? named.interestGroups });
}

const HELP_AFTER = `
Sources (exactly one):
  --input FILE          matador.measurement/v1 JSON lines (e.g. from "matador dataset export")
  --campaign ID         the latest attempt of every measurement of campaign ID in the results
                        store (--store, default ${defaultStoreFile()})
  --compare RUN_A RUN_B what changed from run A to run B; each RUN is a .jsonl file (any existing
                        file or an argument ending in .jsonl or containing /) or a campaign id in
                        the store. Shows per area and path the changes of measurements, leftArea
                        and accessible per group (counts and percentage points), per app the
                        service endpoint countries (country of the last responding hop of each
                        application trace) that appeared or disappeared ("threema: service moved
                        CH -> DE"), and the node pairs whose path countries changed (--limit).
                        Formats: md (default) or json (matador.report-compare/v1).
  --fail-on-change      with --compare: exit 3 when anything changed (the comparison is not
                        "identical"), 0 when nothing did; for CI jobs and cron checks.

Exit codes: 0 done (with --fail-on-change: no change), 1 bad input or another error (one line on
stderr), 3 with --compare --fail-on-change: the runs differ (the comparison is printed first).

Geo tables: --groups and --m49 replace the shipped interest groups and M49 areas. Without them,
--campaign uses the tables the campaign named (geo.interestGroups, geo.m49), as its records say
(geolocation.tables); records from before that field, --input and --compare use the shipped ones.
The licence attributions of the geolocation databases that placed the hops are listed in the
report ("attributions" in JSON, "## Geolocation data" in Markdown, "# Geolocation data:" lines after
the CSV rows).

Emulated records: a record with "testbedKind": "emulated" comes from the emulated world. A report
with such a record carries "provenance": {emulatedRecords, realRecords, undeclaredRecords, label}
in JSON, a "> EMULATED WORLD — not a real-network measurement" line on top of the Markdown, and
ONE COMMENT LINE starting with "# " before the CSV header. Skip it with pandas
read_csv(..., comment='#'), R read.csv(..., comment.char='#') or grep -v '^#'.

HTML (--format html --out FILE): one self-contained page that works offline (nothing is fetched):
Tables 2 and 3 with every cell linking to its measurements, app cells coloured against the
network path, a world map with a chosen measurement's paths as country arcs or a cell's countries
shaded, and a page per measurement (messages, flows, hops with AS/IXP, links to the artefacts
under --data-dir, relative to FILE). Without --out it goes to stdout only when that is redirected.

Examples:
  matador report --input results.jsonl --format md
  matador report --campaign demo --format csv --skip-invalid > tables.csv
  matador report --compare paper-2015 demo
  matador report --compare before.jsonl demo --format json --limit 100
  matador report --campaign demo --format html --out report.html
  matador report --compare weekly-2026-11-27 weekly-2026-12-04 --fail-on-change`;

/** The report's text to --out FILE (one-line error when it cannot be written) or to stdout. */
function writeOutput(out: string | undefined, text: string): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    fs.writeFileSync(out, text);
  } catch (err) {
    throw new CliError(`cannot write --out ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** --format html (lib/report/html): artefact links relative from the page to --data-dir. */
async function htmlReport(records: MeasurementRecord[], tables: Omit<import('../../lib/report/html').HtmlReportOptions, 'world' | 'artefactBase'>, opts: ReportOptions): Promise<string> {
  const htmlLib = await import('../../lib/report/html');
  let world;
  try {
    world = htmlLib.loadWorldData();
  } catch (err) {
    throw new CliError(`world map: ${(err as Error).message}`);
  }
  const from = path.resolve(opts.out === undefined ? '.' : path.dirname(opts.out));
  const relative = path.relative(from, path.resolve(opts.dataDir)).split(path.sep).join('/');
  return htmlLib.reportToHtml(records, { ...tables, world, artefactBase: relative === '' ? '' : `${relative}/` }).html;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Tables 2 and 3 of the paper from measurement records (matador.measurement/v1): ' +
        'for every UN M49 area (region, subregion, intermediate region) with measurements between two ' +
        'of its nodes, how many paths left the area and how many were accessible to each interest ' +
        'group (Five Eyes, European Union, Arab League, Russia, China) on the measurement day — for the ' +
        'network path and for every app. Application columns use the latest ok record per app and ' +
        'node pair; the network column the latest ok record with a network trace per node pair.',
    )
    .option('--input <file>', 'measurement records, one JSON object per line')
    .option('--campaign <id>', 'read the records of this campaign from the results store')
    .option('--compare <runs...>', 'compare two runs: RUN_A RUN_B (campaign id or .jsonl file each)')
    .option('--store <file>', 'results database for --campaign and campaign ids in --compare', defaultStoreFile())
    .addOption(
      new Option('--format <format>', 'json (matador.report/v1, counts; default), md or csv (counts and percentages), html (one offline page: tables, map, measurements; needs --out or a redirected stdout); with --compare: md (default) or json').choices(['json', 'md', 'csv', 'html']),
    )
    .option('--out <file>', 'write the report to FILE instead of stdout')
    .option('--data-dir <dir>', 'html: the data folder the records\' artefact paths are relative to, for the links to captures, screenshots and traces', dataDir)
    .option('--limit <n>', 'with --compare: how many changed node pairs to list (default 20)')
    .option('--fail-on-change', 'with --compare: exit 3 when the runs differ, 0 when they do not')
    .option('--skip-invalid', 'skip malformed records and report how many (default: stop at the first with file:line)')
    .option('--groups <file>', 'interest groups YAML (default: the campaign\'s geo.interestGroups with --campaign, else configs/geo/interest-groups.yaml)')
    .option('--m49 <file>', 'M49 areas YAML (default: the campaign\'s geo.m49 with --campaign, else configs/geo/m49.yaml)')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: ReportOptions) => {
      checkSources(opts);
      if (opts.format === 'html' && opts.out === undefined && process.stdout.isTTY) {
        throw new CliError('--format html writes a whole page (megabytes): give --out FILE, e.g. --out report.html');
      }
      const lib: ReportLib = await import('../../lib/report');
      const geoTables: GeoTablesLib = await import('../../lib/config/geo-tables');
      const storeLib: StoreLib = await import('../../store');
      let { groups, m49 } = loadTables(geoTables, { m49: opts.m49 ?? null, interestGroups: opts.groups ?? null });
      const skipInvalid = opts.skipInvalid ?? false;
      const store = new StoreReader(storeLib, opts.store);
      try {
        if (opts.compare) {
          const limit = parseLimit(opts.limit, lib.DEFAULT_PAIR_LIMIT);
          const [a, b] = opts.compare.map((run, i) =>
            isFileRun(run) ? loadFile(lib, run, `run ${i === 0 ? 'A' : 'B'}`, skipInvalid) : store.campaignRecords(lib, run, skipInvalid),
          );
          for (const run of [a, b]) if (run.skippedWarning) process.stderr.write(`${run.skippedWarning}\n`);
          const comparison = lib.compareRuns(a, b, { groups, m49, limit });
          if (opts.format === 'json') writeOutput(opts.out, `${JSON.stringify(comparison, null, 2)}\n`);
          else writeOutput(opts.out, lib.comparisonToMarkdown(comparison));
          if (opts.failOnChange && !comparison.identical) process.exitCode = 3;
          return;
        }
        const run = opts.input !== undefined ? loadFile(lib, opts.input, '--input', skipInvalid) : store.campaignRecords(lib, opts.campaign as string, skipInvalid);
        if (run.skippedWarning) process.stderr.write(`${run.skippedWarning}\n`);
        if (opts.campaign !== undefined) ({ groups, m49 } = campaignTables(lib, geoTables, run.records, opts));
        if (opts.format === 'html') {
          writeOutput(opts.out, await htmlReport(run.records, { groups, m49, invalidLinesSkipped: run.skipped }, opts));
          return;
        }
        const report = lib.buildReport(run.records, { groups, m49, invalidLinesSkipped: run.skipped });
        if (opts.format === 'md') writeOutput(opts.out, lib.reportToMarkdown(report));
        else if (opts.format === 'csv') writeOutput(opts.out, lib.reportToCsv(report));
        else writeOutput(opts.out, `${JSON.stringify(report, null, 2)}\n`);
      } finally {
        store.close();
      }
    });
}
