/**
 * The Temporal Web UI shows a campaign's measurements: a dev server WITH its UI, a campaign run
 * on mock-activity workers, then headless Chromium (Debian's, driven by playwright-core) opens
 * the UI's workflow list filtered by `MatadorCampaign = "<id>"` and must show every measurement
 * workflow id; a measurement's User Metadata tab must show its summary and what it found (the
 * current details, which the UI asks the worker for). The pages are saved to
 * .matador/test-artifacts/webui.png and webui-user-metadata.png for a human look.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext } from 'playwright-core';
import { dataDir } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import { campaignWorkflow } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';

const CAMPAIGN = 'webui-demo';
const SCREENSHOT = path.join(dataDir, 'test-artifacts', 'webui.png');
const METADATA_SCREENSHOT = path.join(dataDir, 'test-artifacts', 'webui-user-metadata.png');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let tmpDir: string;
let browser: BrowserContext | undefined;

beforeAll(() => {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-webui-'));
});

const live = useTestServer({ ui: true, teardown: () => browser?.close() });

afterAll(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

it('lists every measurement of a campaign in the Web UI by its MatadorCampaign search attribute', async () => {
  const plan = makePlan({
    campaign: CAMPAIGN,
    apps: ['threema', 'signal'],
    nodes: [
      { id: 'de-ber', country: 'DE' },
      { id: 'jp-tyo', country: 'JP' },
      { id: 'us-bos', country: 'US' },
    ],
    testbeds: ['tb1', 'tb2'],
  });
  const ids = plan.measurements.map((m) => m.measurementId);
  const { server, native, client } = live();
  const workers = await startWorkers({ connection: native, namespace: 'default', activities: createMockActivities({ plan, record: () => undefined }), testbeds: ['tb1', 'tb2'] });
  try {
    const summary = await client.workflow.execute(campaignWorkflow, {
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowId: `campaign/${CAMPAIGN}`,
      args: [{ config: `test:${CAMPAIGN}`, options: { timerScale: 0, timeoutScale: 0.1 } }],
    });
    expect(summary).toMatchObject({ total: 12, ok: 12, failed: 0 });
    await browse(server.uiUrl ?? '', ids);
  } finally {
    await workers.stop();
  }
});

/** The workflow list, then a measurement's User Metadata tab (the workers still run: the UI asks
 *  them for the current details). */
async function browse(uiUrl: string, ids: string[]): Promise<void> {
  const userDataDir = path.join(tmpDir, 'chromium-profile');
  // A fresh profile (playwright passes it as --user-data-dir), removed with tmpDir.
  browser = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1600, height: 1400 } });
  const page = await browser.newPage();
  const query = encodeURIComponent(`MatadorCampaign="${CAMPAIGN}"`);
  const url = `${uiUrl}/namespaces/default/workflows?query=${query}`;
  // The list comes from visibility, which is eventually consistent: reload until all are shown.
  let missing: string[] = ids;
  for (let i = 0; i < 20 && missing.length > 0; i++) {
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.getByText(ids[0], { exact: true }).first().waitFor({ timeout: 15_000 }).catch(() => undefined);
    const text = await page.locator('body').innerText();
    missing = ids.filter((id) => !text.includes(id));
  }
  fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(missing).toEqual([]);
  const text = await page.locator('body').innerText();
  // The campaign workflow itself carries the attribute too; nothing of another campaign shows.
  expect(text).toContain(`campaign/${CAMPAIGN}`);
  expect(text).toContain('measurementWorkflow');
  expect(text).toMatch(/\b13\s+Workflows/); // 12 measurements + the campaign
  expect(text).toContain('13 Completed');
  expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

  // The UI renders summary, details and current details as Markdown, each in a frame of its own.
  const id = `${CAMPAIGN}/threema/de-ber/jp-tyo`;
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}`, { waitUntil: 'networkidle' });
  await page.getByText('User Metadata', { exact: true }).first().click();
  const expected = ['measurement threema de-ber→jp-tyo (tb', 'node A de-ber (DE) → node B jp-tyo (JP)', 'threema de-ber→jp-tyo: app no trace (node countries only) / network no trace (node countries only); interest groups: unknown'];
  let shown = '';
  for (let i = 0; i < 50 && !expected.every((t) => shown.includes(t)); i++) {
    await page.waitForTimeout(200);
    const texts = await Promise.all(page.frames().map((f) => f.locator('body').innerText().catch(() => '')));
    shown = texts.join('\n');
  }
  await page.screenshot({ path: METADATA_SCREENSHOT, fullPage: true });
  for (const t of expected) expect(shown).toContain(t);
}
