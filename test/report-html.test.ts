/**
 * `matador report --format html` in a browser (issue 14, items 1 and 2): the built CLI writes the
 * page for test/fixtures/report/html/input.jsonl (the brexit-five-eyes golden records, written
 * before testbedKind/AS/IXP existed, plus the e2e threema SG-PL record as persistRecord stores
 * it: both sides' flows, messages, AS and IXP marks, emulated), then headless Chromium (Debian's,
 * through playwright-core; one launch) opens it from file://. Every request other than the file
 * itself is aborted and recorded: there must be none. No console errors; the table cells equal
 * `report --format json`; clicking a cell lists its measurements and shades the map, clicking a
 * measurement draws its arcs. Screenshots go to <data folder>/report-screenshots/ for a human look.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dataDir } from '../lib/project-paths';
import { parseMeasurementLines, type Report } from '../lib/report';
import type { MeasurementRecord, Trace } from '../lib/types';
import { matadorSync } from './support/matador-cli';

const INPUT = path.join(__dirname, 'fixtures', 'report', 'html', 'input.jsonl');
const SCREENSHOTS = path.join(dataDir, 'report-screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const records = parseMeasurementLines(fs.readFileSync(INPUT, 'utf8'), INPUT).records;
let dir: string;
let file: string;
let report: Report;
let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-report-html-'));
  file = path.join(dir, 'report.html');
  const data = path.join(dir, 'data');
  const r = matadorSync('report', '--input', INPUT, '--format', 'html', '--out', file, '--data-dir', data);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  report = JSON.parse(matadorSync('report', '--input', INPUT).stdout) as Report;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const url = `file://${file}`;
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.split('#')[0] === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  context.on('request', (req) => {
    if (req.url().split('#')[0] !== url) requests.push(req.url());
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Countries of a trace as the test reads them: node country, then the located hops in order. */
function expectedArcs(record: MeasurementRecord): string[] {
  const arcs: string[] = [];
  const walk = (t: Trace) => {
    let at = t.from === 'A' ? record.nodeA.country : record.nodeB.country;
    for (const hop of t.hops) {
      if (!hop.ip || !hop.country || hop.country === at) continue;
      arcs.push(`${at}>${hop.country}`);
      at = hop.country;
    }
  };
  [...record.networkPath.traces, ...record.applicationPath.traces].forEach(walk);
  return arcs.sort();
}

/**
 * Waits until the page's router has shown measurement m: a click on a link or a goto to '#m-i'
 * changes the hash at once (and CSS :target shows the section), but the script draws the
 * measurement in the hashchange event, which comes later.
 */
async function routedToMeasurement(m: number): Promise<void> {
  await page.locator(`section.m.shown#m-${m}`).waitFor({ state: 'visible', timeout: 10_000 });
}

async function drawnArcs(m: number): Promise<string[]> {
  const arcs = page.locator(`#arcs path.arc[data-m="${m}"]`);
  const n = await arcs.count();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    await expect(arcs.nth(i).isVisible()).resolves.toBe(true);
    out.push(`${await arcs.nth(i).getAttribute('data-from')}>${await arcs.nth(i).getAttribute('data-to')}`);
  }
  return out.sort();
}

it('loads offline: no request but the file, no console error, the emulated banner and the attributions', async () => {
  expect(requests).toEqual([]);
  expect(consoleErrors).toEqual([]);
  await expect(page.locator('#emulated-banner').innerText()).resolves.toBe('EMULATED WORLD — not a real-network measurement: 1 of 8 records come from the emulated testbed');
  await expect(page.locator('footer').innerText()).resolves.toContain('This product includes GeoLite2 Data created by MaxMind');
  expect(await page.locator('#countries path[data-cc]').count()).toBeGreaterThan(180); // world-atlas 50m: 237 coded countries, the smallest drop out at this size
});

it('shows Tables 2 and 3 with the counts of the JSON report', async () => {
  const cells = await page.locator('#table2 td[data-metric], #table3 td[data-metric]').evaluateAll((tds) =>
    tds.map((td) => ({ level: td.getAttribute('data-level'), area: td.getAttribute('data-area'), col: td.getAttribute('data-col'), metric: td.getAttribute('data-metric'), text: (td.textContent ?? '').trim(), cls: td.className })),
  );
  // every area x column: Table 2 has 2 cells, Table 3 2 per group
  expect(cells).toHaveLength(report.areas.length * (1 + report.apps.length) * 2 * (1 + report.groups.length));
  for (const c of cells) {
    const area = report.areas.find((a) => a.area === c.area && a.level === c.level);
    expect(area).toBeDefined();
    const counts = c.col === 'network' ? area!.network : area!.apps[c.col as string];
    const count = c.metric === 'measurements' ? counts.measurements : c.metric === 'left' ? counts.leftArea : counts.accessible[(c.metric as string).slice(4)];
    if (c.metric === 'measurements') expect(c.text).toBe(String(count));
    else expect(c.text).toBe(`${count} (${counts.measurements === 0 ? '-' : `${Math.round((100 * count) / counts.measurements)}%`})`);
  }
  // Oceania: signal leaves in 2 of 3, the network path in 0 of 3 -> warm
  const oceania = cells.find((c) => c.area === 'Oceania' && c.col === 'signal' && c.metric === 'left');
  expect(oceania).toMatchObject({ text: '2 (67%)', cls: 'more' });
});

it('a cell lists its measurements and shades the map; a measurement draws its paths', async () => {
  await page.locator('#table2 td[data-area="Oceania"][data-col="signal"][data-metric="left"] a').click();
  // the cell's list is filled in the hashchange event, after the click returned
  await page.locator('#cell-list:not([hidden])').waitFor({ state: 'visible', timeout: 10_000 });
  const links = page.locator('#cell-list li a');
  await expect(links.count()).resolves.toBe(2);
  await expect(page.locator('#cell-list h3').innerText()).resolves.toBe('Oceania (region), signal: left the area (2)');
  // the shaded countries: the application paths of the two measurements (AU, NZ nodes; US, SG hops)
  const shaded = await page.locator('#countries path[data-n]').evaluateAll((ps) => [...new Set(ps.map((p) => `${p.getAttribute('data-cc')}=${p.getAttribute('data-n')}`))].sort());
  const listed = (await links.evaluateAll((as) => as.map((a) => Number(a.getAttribute('href')?.slice(3))))).map((i) => records[i]);
  const reach = new Map<string, number>();
  for (const r of listed) {
    const cs = new Set([r.nodeA.country, r.nodeB.country, ...r.applicationPath.traces.flatMap((t) => t.hops.filter((h) => h.ip && h.country).map((h) => h.country as string))]);
    for (const c of cs) reach.set(c, (reach.get(c) ?? 0) + 1);
  }
  expect(shaded).toEqual([...reach].map(([c, n]) => `${c}=${n}`).sort());
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tables-and-cell.png'), fullPage: false });

  const m = Number((await links.first().getAttribute('href'))?.slice(3));
  await links.first().click();
  await routedToMeasurement(m);
  await expect(page.locator(`#m-${m}`).isVisible()).resolves.toBe(true);
  const arcs = await drawnArcs(m);
  expect(arcs.length).toBeGreaterThan(0);
  expect(arcs).toEqual(expectedArcs(records[m]));
  await expect(page.locator(`#marks circle[data-m="${m}"]`).count()).resolves.toBe(2);
});

it('the measurement page shows messages, flows, hops with AS and IXP, anomalies and artefact links', async () => {
  const m = records.findIndex((r) => r.testbedKind === 'emulated');
  await page.goto(`file://${file}#m-${m}`);
  await routedToMeasurement(m);
  const section = page.locator(`#m-${m}`);
  await expect(section.isVisible()).resolves.toBe(true);
  const text = await section.innerText();
  expect(text).toContain('threema: sg-sin (SG) ↔ pl-waw (PL)');
  expect(text).toMatch(/message_not_received: side A did not show message 2 within 15 s/);
  expect(text).toContain('+12.600 s');
  expect(text).toContain('tcp 198.18.13.100:40001 -> 198.18.3.102:5222');
  expect(text).toMatch(/messaging\s+whitelist-and-messages\s+g-33\.0\.threema\.ch\s+38\s+6120\s+0, 1/);
  expect(text).toContain('AS64510 Transpacific Carrier (reg. US)');
  expect(text).toContain('IXP LAX-IX (US, Los Angeles)');
  expect(text).toContain('AS path: AS64501 › AS64510 › ? › AS64520');
  expect(text).toContain('IXP crossing on the network path: LAX-IX (US)');
  expect(text).toContain('traceroute_failed: ssh: scamper to 198.18.3.102 exited 1: no output');
  const hrefs = await section.locator('ul.art a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs).toContain('data/artefacts/e2e/threema/sg-sin/pl-waw/attempt-1/capture-A.pcap');
  expect(hrefs).toHaveLength((records[m].artefacts ?? []).length);
  // its paths: network SG>US>PL, application A SG>DE>CH; endpoint CH marked
  await expect(drawnArcs(m)).resolves.toEqual(expectedArcs(records[m]));
  await expect(page.locator(`#marks rect[data-m="${m}"]`).getAttribute('data-cc')).resolves.toBe('CH');
  await section.screenshot({ path: path.join(SCREENSHOTS, 'measurement.png') });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'measurement-map.png') });
  expect(requests).toEqual([]);
  expect(consoleErrors).toEqual([]);
  for (const png of ['tables-and-cell.png', 'measurement.png', 'measurement-map.png']) expect(fs.statSync(path.join(SCREENSHOTS, png)).size).toBeGreaterThan(10_000);
});

describe('bad input: the same one-line errors as the other formats', () => {
  const run = (...args: string[]) => matadorSync('report', ...args);
  const oneLine = (r: { status: number | null; stderr: string }) => {
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  };

  it('an invalid, missing or empty dataset, an unknown campaign', () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, `${fs.readFileSync(INPUT, 'utf8').split('\n')[0]}\n{"schema":"matador.measurement/v1","app":""}\n`);
    const out = path.join(dir, 'bad.html');
    for (const input of [bad, path.join(dir, 'missing.jsonl')]) {
      const md = run('--input', input, '--format', 'md');
      const page = run('--input', input, '--format', 'html', '--out', out);
      oneLine(page);
      expect(page.stderr).toBe(md.stderr);
      expect(fs.existsSync(out)).toBe(false);
    }
    const store = path.join(dir, 'none.sqlite');
    expect(run('--campaign', 'x', '--store', store, '--format', 'html', '--out', out).stderr).toBe(run('--campaign', 'x', '--store', store, '--format', 'md').stderr);
    // an empty dataset is no error for any format: empty tables, 0 records
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '');
    expect(run('--input', empty, '--format', 'md').status).toBe(0);
    expect(run('--input', empty, '--format', 'html', '--out', out).status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('<p>0 records;');
  });

  it('html with --compare, an unwritable --out', () => {
    const r = run('--compare', INPUT, INPUT, '--format', 'html');
    oneLine(r);
    expect(r.stderr).toBe('matador: --format html is not available with --compare (use md or json)\n');
    const w = run('--input', INPUT, '--format', 'html', '--out', path.join(dir, 'no', 'such', 'dir', 'r.html'));
    oneLine(w);
    expect(w.stderr).toMatch(/^matador: cannot write --out .*r\.html: ENOENT\n$/);
  });
});
