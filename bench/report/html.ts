/**
 * HTML report benchmark: 1624 paper-shaped records (bench/report/generate.ts), timed
 *   1. end to end: `bin/matador report --input FILE --format html --out OUT` (process start,
 *      parsing, buildReport, the world map and the page);
 *   2. in process: loadWorldData (read once per process) and reportToHtml apart;
 * and the size of the page. With --browser, headless Chromium (Debian's, playwright-core) opens
 * the page once: time to the load event and to a measurement's arcs after a click.
 * Run: npx tsx bench/report/html.ts [--runs N] [--browser]   (needs a built dist/)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { defaultInterestGroups, defaultM49 } from '../../lib/config/geo-tables';
import { loadWorldData, reportToHtml } from '../../lib/report/html';
import { arg } from '../args';
import { generatePaperDataset } from './generate';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(arg('--runs', '3'));

function median(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}, ${ms.length} runs)`;
}

async function browserTimes(file: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const t0 = performance.now();
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const loaded = performance.now() - t0;
    const t1 = performance.now();
    await page.locator('#table2 td[data-metric="left"] a').first().click();
    await page.locator('#cell-list li a').first().click();
    await page.locator('#arcs path.arc').first().waitFor();
    console.log(`chromium: load event ${loaded.toFixed(0)} ms; cell + measurement click to arcs ${(performance.now() - t1).toFixed(0)} ms`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-bench-html-'));
  try {
    const records = generatePaperDataset();
    const input = path.join(dir, 'paper-2015.jsonl');
    fs.writeFileSync(input, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const out = path.join(dir, 'report.html');
    const cli: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'matador'), 'report', '--input', input, '--format', 'html', '--out', out], { encoding: 'utf8' });
      cli.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`matador report failed (exit ${r.status}): ${r.stderr}`);
    }
    const t0 = performance.now();
    const world = loadWorldData();
    const worldMs = performance.now() - t0;
    const pure: number[] = [];
    let html = '';
    for (let i = 0; i < RUNS; i++) {
      const t1 = performance.now();
      html = reportToHtml(records, { groups: defaultInterestGroups(), m49: defaultM49(), world, artefactBase: '' }).html;
      pure.push(performance.now() - t1);
    }
    const size = fs.statSync(out).size;
    console.log(`records: ${records.length}; page: ${(size / 1024 / 1024).toFixed(2)} MiB (${size} bytes; in-process build ${html.length} chars)`);
    console.log(`matador report --format html --out (end to end): ${median(cli)}`);
    console.log(`loadWorldData (world-atlas 50m, once per process): ${worldMs.toFixed(0)} ms`);
    console.log(`reportToHtml (pure, in process):                   ${median(pure)}`);
    if (process.argv.includes('--browser')) await browserTimes(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
