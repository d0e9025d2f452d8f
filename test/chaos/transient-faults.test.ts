/**
 * Chaos: 10 % of the measurement-step calls fail with an injected transient fault
 * (MATADOR_INJECT_FAULTS=0.1 in both worker processes, activities/fault-injection.ts). Activity
 * retries and whole-attempt retries absorb them: at least 99 % of the measurements end ok, and
 * each measurement is in the results store exactly once. Always-on: 20 measurements (so 99 %
 * means all of them); MATADOR_CHAOS_FULL=1: 105 measurements (a few minutes on a busy machine).
 */
import { formatFailure } from '../../lib/failures';
import { useChaosHarness } from './harness';
import { chaosPlan } from './scenario';

const CAMPAIGN = 'chaos-faults';
const FULL = process.env.MATADOR_CHAOS_FULL === '1';
const TESTBEDS = ['tb1', 'tb2', 'tb3', 'tb4'];
const plan = FULL
  ? chaosPlan(CAMPAIGN, { nodes: 6, apps: ['threema', 'whatsapp', 'wechat', 'textsecure', 'telegram'], testbeds: TESTBEDS })
  : chaosPlan(CAMPAIGN, { nodes: 4, apps: ['threema', 'whatsapp'], testbeds: TESTBEDS });
const TOTAL = FULL ? 105 : 20;
const h = useChaosHarness('chaos-faults', plan, TESTBEDS, { stepDelayMs: 5, env: { MATADOR_INJECT_FAULTS: '0.1', MATADOR_INJECT_FAULTS_SEED: '5' } });
it(`ends at least 99 % of ${TOTAL} measurements ok with 10 % transient faults per step`, async () => {
  expect(plan.measurements).toHaveLength(TOTAL);
  const started = await h.start(CAMPAIGN);
  const summary = await started.handle.result();

  expect(summary.total).toBe(TOTAL);
  expect(summary.ok + summary.failed).toBe(TOTAL);
  expect(summary.ok / summary.total).toBeGreaterThanOrEqual(0.99);
  // Any measurement that did fail, failed because of injected faults (nothing else went wrong).
  for (const f of summary.failures) expect(formatFailure(f)).toMatch(/^injected_fault: \w+: \w+: injected transient fault \(rate 0\.1\)/);
  // About 13 faultable calls per measurement, ~10 % of them were made to fail.
  const injected = h.injectedFaults();
  expect(injected).toBeGreaterThan(TOTAL * 13 * 0.05);
  const rows = h.storeRows();
  const notOnce = [...rows].filter(([, r]) => r.length !== 1).map(([id, r]) => `${id}: ${JSON.stringify(r)}`);
  expect(notOnce).toEqual([]);
  expect([...rows.values()].filter((r) => r[0].status === 'ok')).toHaveLength(summary.ok);
  process.stdout.write(`chaos-faults: ${summary.ok}/${summary.total} ok, ${injected} injected faults\n`);
}, FULL ? 900_000 : 120_000);
