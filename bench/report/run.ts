/**
 * Report benchmark: 1624 paper-shaped records (bench/report/generate.ts), timed
 *   1. end to end: `bin/matador report --input FILE --format json` (process start included);
 *   2. the pure functions: parseMeasurementLines + buildReport on the same text.
 * Target: under 1 s end to end. Run: npx tsx bench/report/run.ts [--runs N]
 * Needs a built dist/ (npx tsc -p tsconfig.build.json).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { defaultInterestGroups, defaultM49 } from '../../lib/config/geo-tables';
import { buildReport, parseMeasurementLines } from '../../lib/report';
import { generatePaperDataset } from './generate';

const ROOT = path.resolve(__dirname, '..', '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms (${ms.length} runs)`;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-bench-report-'));
  try {
    const records = generatePaperDataset();
    const file = path.join(dir, 'paper-2015.jsonl');
    const text = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
    fs.writeFileSync(file, text);
    console.log(`dataset: ${records.length} records, ${(text.length / 1024).toFixed(0)} KiB, ${records.reduce((n, r) => n + [...r.networkPath.traces, ...r.applicationPath.traces].reduce((m, t) => m + t.hops.length, 0), 0)} hops`);

    const cli: number[] = [];
    let areas = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'matador'), 'report', '--input', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      cli.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`matador report failed (exit ${r.status}): ${r.stderr}`);
      areas = (JSON.parse(r.stdout) as { areas: unknown[] }).areas.length;
    }
    const startup: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'matador'), '--help'], { encoding: 'utf8' });
      startup.push(performance.now() - t0);
    }
    const pure: number[] = [];
    for (let i = 0; i < RUNS * 4; i++) {
      const t0 = performance.now();
      const parsed = parseMeasurementLines(text, file);
      buildReport(parsed.records, { groups: defaultInterestGroups(), m49: defaultM49() });
      pure.push(performance.now() - t0);
    }
    console.log(`matador report --format json (end to end): ${stats(cli)}; ${areas} areas`);
    console.log(`matador --help (process start only):       ${stats(startup)}`);
    console.log(`parse + buildReport (pure, in process):    ${stats(pure)}`);
    const median = [...cli].sort((a, b) => a - b)[Math.floor(cli.length / 2)];
    console.log(median < 1000 ? 'target met: end to end under 1 s' : `TARGET MISSED: end to end ${median.toFixed(0)} ms >= 1000 ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
