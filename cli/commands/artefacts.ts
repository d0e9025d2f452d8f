import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { defaultOutDir, retrieveArtefact, type RetrievedArtefact } from '../../lib/artefacts/retrieve';
import { dataDir } from '../../lib/project-paths';
import { escapeText } from '../../lib/text/escape';
import type { ArtefactRef } from '../../lib/types';
import { defaultStoreFile, ResultsStore } from '../../store';
import { CliError } from '../errors';

interface Options {
  results: string;
  dataDir: string;
  out?: string;
  list?: boolean;
}

/** The artefacts of the measurement's latest stored record (one line when there is none). */
function artefactsOf(measurementId: string, resultsFile: string): ArtefactRef[] {
  if (!fs.existsSync(resultsFile)) throw new CliError(`no results store at ${resultsFile} (run a campaign first, or pass --results FILE)`);
  const store = new ResultsStore({ file: resultsFile, readonly: true });
  try {
    const latest = store.latest(measurementId);
    if (!latest) throw new CliError(`no measurement ${escapeText(measurementId)} in ${resultsFile}`);
    return latest.record.artefacts ?? [];
  } finally {
    store.close();
  }
}

function line(r: RetrievedArtefact): string {
  const a = r.artefact;
  const size = typeof a.bytes === 'number' ? `${a.bytes} B` : '? B';
  const state = r.state === 'unverified' ? 'ok (no sha256 in the record: written before shipping)' : r.state;
  return `${state.padEnd(11)} ${escapeText(a.kind).padEnd(14)} ${size.padStart(12)}  ${escapeText(a.path)}${r.problem ? `: ${escapeText(r.problem)}` : ''}\n`;
}

function run(measurementId: string, o: Options, copy: boolean): void {
  const artefacts = artefactsOf(measurementId, o.results);
  const out = copy ? path.resolve(o.out ?? defaultOutDir(measurementId)) : undefined;
  const results = artefacts.map((a) => retrieveArtefact(a, o.dataDir, out));
  for (const r of results) process.stdout.write(line(r));
  const bad = results.filter((r) => r.state !== 'ok' && r.state !== 'unverified');
  const bytes = results.filter((r) => !bad.includes(r)).reduce((n, r) => n + (r.artefact.bytes ?? 0), 0);
  const what = copy ? `copied to ${escapeText(out as string)}` : `present in ${escapeText(path.resolve(o.dataDir))}`;
  process.stdout.write(`${results.length - bad.length} of ${results.length} artefacts of ${escapeText(measurementId)} ${what} (${bytes} bytes, sha256 verified)${bad.length ? `; ${bad.length} not: see above` : ''}\n`);
  for (const r of bad) process.stderr.write(`matador: ${escapeText(r.artefact.path)}: ${escapeText(r.problem ?? r.state)}\n`);
  if (bad.length > 0) process.exitCode = 1;
}

/** `matador artefacts get|list MEASUREMENT_ID`: a measurement's artefacts from the central artefact folder. */
export function register(program: Command): void {
  const group = program
    .command('artefacts')
    .description("a measurement's artefacts (captures, screenshots, UI dumps, raw traces, classifications, baselines) as the central artefact folder holds them");
  const common = (c: Command): Command =>
    c
      .argument('<measurement-id>', '<campaign>/<app>/<nodeA>/<nodeB>, as `matador campaign status` and reports show it')
      .option('--results <file>', 'results database the record is read from', defaultStoreFile())
      .option('--data-dir <dir>', "the central data folder (the artefacts' paths are relative to it)", dataDir);
  common(group.command('get'))
    .description("copy the measurement's artefacts (of its latest stored record) into DIR, each verified against the record's sha256")
    .option('--out <dir>', 'where to copy them, keeping their relative paths (default ./artefacts/<measurement id with / as _>)')
    .option('--list', 'only list them and check them in place (as `matador artefacts list`)')
    .addHelpText(
      'after',
      '\nPrints one line per artefact (state, kind, bytes, path) and a summary. An artefact that shipping\n' +
        'could not bring from its testbed, is missing from the central folder or fails its sha256 gets one\n' +
        'line on stderr naming the file, and the exit status is 1. A corrupt file is never copied.\n\n' +
        'Example:\n  matador artefacts get demo/threema/pl-waw/es-mad --out /tmp/m1',
    )
    .action((id: string, o: Options) => run(id, o, !o.list));
  common(group.command('list'))
    .description("list the measurement's artefacts and check each in the central folder (size, sha256), copying nothing")
    .action((id: string, o: Options) => run(id, o, false));
}
