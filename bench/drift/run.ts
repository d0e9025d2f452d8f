/**
 * Drift alerts on the paper-shaped dataset (bench/report/generate.ts, 1,624 records per run): run
 * B has threema's CH hops in DE and the measurement day 2026-12-04 (so GB no longer counts as EU).
 * Times deriveAlerts alone, then detectDrift over a results store (read, derive, write) and again
 * (idempotent: nothing new). Run: npx tsx bench/drift/run.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generatePaperDataset } from '../report/generate';
import { defaultInterestGroups, defaultM49 } from '../../lib/config/geo-tables';
import { deriveAlerts } from '../../lib/drift/alerts';
import { driftActivities } from '../../activities/drift';
import { ResultsStore, storeRecord } from '../../store/results-store';

const a = generatePaperDataset({ campaign: 'paper-2026-11-27' });
// Run B: threema's servers answer from DE instead of CH (last hop of every threema app trace).
const b = generatePaperDataset({ campaign: 'paper-2026-12-04' }).map((r) => ({
  ...r,
  finishedAt: r.finishedAt.replace(/^\d{4}-\d\d-\d\d/, '2026-12-04'),
  applicationPath: r.app !== 'threema' ? r.applicationPath : { traces: r.applicationPath.traces.map((t) => ({ ...t, hops: t.hops.map((h) => (h.country === 'CH' ? { ...h, country: 'DE' } : h)) })) },
}));
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
let t = process.hrtime.bigint();
const alerts = deriveAlerts({ name: 'a', records: a }, { name: 'b', records: b }, tables);
console.log(`deriveAlerts: ${a.length} + ${b.length} records -> ${alerts.length} alerts in ${Number(process.hrtime.bigint() - t) / 1e6} ms`);
const counts: Record<string, number> = {};
for (const x of alerts) counts[x.kind] = (counts[x.kind] ?? 0) + 1;
console.log(counts, alerts.slice(0, 3).map((x) => x.text));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-bench-'));
const store = new ResultsStore({ file: path.join(dir, 'r.sqlite') });
for (const r of [...a, ...b]) storeRecord(store, r);
const acts = driftActivities({ store: () => store, webhookOf: () => null });
void (async () => {
  t = process.hrtime.bigint();
  const o = await acts.detectDrift({ config: 'x', campaign: 'paper-2026-12-04', configCampaign: 'paper', startedAt: '2026-12-04T00:00:00Z' });
  console.log(`detectDrift (store read + derive + write): ${o.alerts} alerts in ${Number(process.hrtime.bigint() - t) / 1e6} ms`);
  t = process.hrtime.bigint();
  const again = await acts.detectDrift({ config: 'x', campaign: 'paper-2026-12-04', configCampaign: 'paper', startedAt: '2026-12-04T00:00:00Z' });
  console.log(`again: added ${again.added} in ${Number(process.hrtime.bigint() - t) / 1e6} ms`);
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
})();
