/**
 * Chaos: a permanent fault — WhatsApp is "not installed" on testbed tb2's phones. Those
 * measurements end failed with a precise failure string after their attempts, the campaign goes
 * on with the others, and after the fix `matador campaign rerun-failed` re-runs exactly them,
 * ok, under the same workflow ids (the store then holds failed + ok rows for them).
 */
import { findFailedMeasurements } from '../../cli/commands/campaign-rerun';
import { matadorAgainst } from '../support/matador-cli';
import { sleep, useChaosHarness } from './harness';
import { chaosPlan } from './scenario';

const CAMPAIGN = 'chaos-permanent';
const plan = chaosPlan(CAMPAIGN, { nodes: 4, apps: ['threema', 'whatsapp'], testbeds: ['tb1', 'tb2'] });
const h = useChaosHarness('chaos-permanent', plan, ['tb1', 'tb2'], { stepDelayMs: 5 });
it('fails the measurements of an uninstalled app precisely, continues, and re-runs them ok after the fix', async () => {
  const doomed = plan.measurements.filter((m) => m.testbed === 'tb2' && m.app === 'whatsapp').map((m) => m.measurementId).sort();
  expect(doomed.length).toBeGreaterThan(0);
  h.setPermanentFaults({ notInstalled: [{ testbed: 'tb2', app: 'whatsapp' }] });
  const started = await h.start(CAMPAIGN);
  const summary = await started.handle.result();

  expect(summary).toMatchObject({ total: 20, ok: 20 - doomed.length, failed: doomed.length });
  expect(summary.failures.map((f) => f.measurementId).sort()).toEqual(doomed);
  for (const f of summary.failures) expect(f).toMatchObject({ failure: 'app_not_installed', failedOperation: 'configurePhones', detail: 'whatsapp is not installed on phone tb2-pa' });
  const before = h.storeRows();
  for (const id of doomed) {
    expect(before.get(id)).toEqual([expect.objectContaining({ status: 'failed', failure: 'app_not_installed' })]);
  }

  // The fix: the app is installed again. Wait until visibility lists the failed runs, re-run.
  h.setPermanentFaults({ notInstalled: [] });
  for (let i = 0; i < 100 && (await findFailedMeasurements(started.client, CAMPAIGN)).failed.length < doomed.length; i++) await sleep(200);
  const { code, stdout, stderr } = await matadorAgainst({ address: h.address, namespace: h.namespace }, ['campaign', 'rerun-failed', CAMPAIGN]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout.trim().split('\n').pop()).toBe(`Re-ran ${doomed.length}: ${doomed.length} ok, 0 still failed`);

  const after = h.storeRows();
  for (const [id, rows] of after) {
    if (doomed.includes(id)) {
      expect(rows.map((r) => r.status)).toEqual(['failed', 'ok']);
      expect(rows[0].runId).not.toBe(rows[1].runId);
    } else {
      expect(rows.map((r) => r.status)).toEqual(['ok']);
    }
  }
});
