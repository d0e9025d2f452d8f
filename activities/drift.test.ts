/**
 * The drift activities for real, outside Temporal: a real results store holding two scheduled
 * runs (the golden fixture records of lib/drift, stored as the persist step stores them), a real
 * HTTP receiver. Also: a store written before the drift tables gets them on open, records kept.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseMeasurementLines } from '../lib/report/parse';
import { driftAlerts, driftChecks, webhookStates } from '../store/drift';
import { ResultsStore, storeRecord } from '../store/results-store';
import { downOrFlaky, startReceiver, type Receiver } from '../test/support/http-receiver';
import { driftActivities } from './drift';

const fixtures = path.join(__dirname, '../test/fixtures/drift');
const records = (file: string) => parseMeasurementLines(fs.readFileSync(path.join(fixtures, file), 'utf8'), file).records;

let dir: string;
let store: ResultsStore;
let receiver: Receiver;
let base = '';
type Posted = { campaign: string; runs: unknown; alerts: { kind: string }[] };

beforeAll(async () => {
  receiver = await startReceiver(downOrFlaky());
  base = receiver.base;
});
afterAll(() => receiver.close());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-drift-'));
  store = new ResultsStore({ file: path.join(dir, 'results.sqlite') });
  for (const r of [...records('run-a.jsonl'), ...records('run-b.jsonl')]) storeRecord(store, r);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const request = { config: 'weekly.yaml', campaign: 'weekly-2026-12-04', configCampaign: 'weekly', startedAt: '2026-12-04T06:00:00.000Z' };
const acts = (webhook: string | null) => driftActivities({ store: () => store, webhookOf: () => webhook, now: () => new Date('2026-12-04T07:00:00Z') });

it('compares a scheduled run with the one before, stores each alert once, and says so', async () => {
  const first = await acts(null).detectDrift(request);
  expect(first).toMatchObject({ configCampaign: 'weekly', run: 'weekly-2026-12-04', previous: 'weekly-2026-11-27', alerts: 4, added: 4, webhook: false });
  expect(first.lines[0]).toBe('threema: service endpoints moved: CH -> DE');
  const again = await acts(null).detectDrift(request);
  expect(again).toMatchObject({ alerts: 4, added: 0 });
  expect(driftAlerts(store, { configCampaign: 'weekly' }).map((s) => s.alert.kind)).toEqual(['service_moved', 'group_gained_access', 'path_left_area', 'group_gained_access']);
  expect(driftChecks(store)).toEqual([{ configCampaign: 'weekly', runA: 'weekly-2026-11-27', runB: 'weekly-2026-12-04', checkedAt: '2026-12-04T07:00:00.000Z', alerts: 4 }]);
  // the first run of the campaign has nothing before it
  expect(await acts(null).detectDrift({ ...request, campaign: 'weekly-2026-11-27' })).toMatchObject({ previous: null, alerts: 0, lines: ['no earlier run of weekly to compare with'] });
});

it('an unscheduled re-run is compared with the campaign as it stood before the run started', async () => {
  const again = records('run-b.jsonl').map((r) => ({ ...r, campaign: 'weekly-2026-11-27', measurementId: r.measurementId.replace('weekly-2026-12-04', 'weekly-2026-11-27') }));
  for (const r of again) storeRecord(store, { ...r, workflow: { workflowId: 'x', runId: 'second' } });
  const outcome = await acts(null).detectDrift({ config: 'c.yaml', campaign: 'weekly-2026-11-27', startedAt: '2026-12-01T00:00:00.000Z' });
  expect(outcome).toMatchObject({ previous: 'weekly-2026-11-27@before-2026-12-01T00:00:00.000Z', run: 'weekly-2026-11-27@2026-12-01T00:00:00.000Z', alerts: 4 });
});

it('POSTs the alerts once; a failed try is recorded with its error, the next try delivers', async () => {
  const a = acts(`${base}/flaky?token=s3cret`);
  const outcome = await a.detectDrift(request);
  const post = { config: 'weekly.yaml', configCampaign: 'weekly', runA: outcome.previous as string, runB: outcome.run };
  const error = await a.postDriftAlerts(post).catch((e: Error) => e.message);
  expect(error).toBe(`webhook ${base}/...: POST answered HTTP 500`);
  expect(webhookStates(store)).toEqual([expect.objectContaining({ status: 'failed', tries: 1, url: `${base}/...`, lastError: error })]);
  expect(await a.postDriftAlerts(post)).toEqual({ url: `${base}/...`, status: 'delivered', alerts: 4 });
  expect(await a.postDriftAlerts(post)).toEqual({ url: `${base}/...`, status: 'delivered before', alerts: 4 });
  expect(webhookStates(store)).toEqual([expect.objectContaining({ status: 'delivered', tries: 2, lastError: error })]);
  const last = receiver.received[receiver.received.length - 1];
  expect(last.url).toBe('/flaky?token=s3cret');
  expect(last.body).toMatchObject({ campaign: 'weekly', runs: { previous: 'weekly-2026-11-27', current: 'weekly-2026-12-04' } });
  expect((last.body as Posted).alerts.map((x) => x.kind)).toEqual(['service_moved', 'group_gained_access', 'path_left_area', 'group_gained_access']);
  expect(JSON.stringify(webhookStates(store))).not.toContain('s3cret');
});

it('a store written before the drift tables gets them on open and keeps its records', () => {
  const file = path.join(dir, 'results.sqlite');
  store.sql.exec('DROP TABLE drift_alerts; DROP TABLE drift_checks; DROP TABLE drift_webhooks;');
  store.close();
  const old = new ResultsStore({ file, readonly: true });
  expect(driftAlerts(old)).toEqual([]);
  expect(webhookStates(old)).toEqual([]);
  old.close();
  store = new ResultsStore({ file });
  expect(store.campaigns().map((c) => c.campaign)).toEqual(['weekly-2026-11-27', 'weekly-2026-12-04']);
  expect(driftChecks(store)).toEqual([]);
});
