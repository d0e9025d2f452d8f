/**
 * Chaos: SIGKILL the testbed worker process at seeded random moments, several times, during a
 * 20-measurement campaign. Every measurement completes, and each is in the results store exactly
 * once (one workflow run, one row) and ran as exactly one workflow execution.
 */
import { killDelays, sleep, useChaosHarness, type ChaosWorker } from './harness';
import { chaosPlan, executionsPerMeasurement } from './scenario';

const CAMPAIGN = 'chaos-kill';
const SEED = 20261127;
const h = useChaosHarness('chaos-kill', chaosPlan(CAMPAIGN, { nodes: 4, apps: ['threema', 'whatsapp'], testbeds: ['tb1', 'tb2'] }), ['tb1', 'tb2'], { stepDelayMs: 40 });
it('completes every measurement exactly once while the testbed worker is SIGKILLed again and again', async () => {
  const started = await h.start(CAMPAIGN);
  let testbed: ChaosWorker = started.testbed;
  let done = false;
  const result = started.handle.result().finally(() => (done = true));

  const killedPids: number[] = [];
  for (const delay of killDelays(SEED, 4, 1000, 3000)) {
    await sleep(delay);
    if (done) break;
    killedPids.push(testbed.child.pid!);
    await h.kill(testbed);
    testbed = await h.startWorker('testbed');
  }
  const summary = await result;

  // The kills happened while the campaign was running (not after it ended).
  expect(killedPids.length).toBeGreaterThanOrEqual(3);
  expect(summary).toMatchObject({ campaign: CAMPAIGN, total: 20, ok: 20, failed: 0 });
  const rows = h.storeRows();
  expect([...rows.keys()]).toHaveLength(20);
  const notOnce = [...rows].filter(([, r]) => r.length !== 1 || r[0].status !== 'ok').map(([id, r]) => `${id}: ${JSON.stringify(r)}`);
  expect(notOnce).toEqual([]);
  const executions = await executionsPerMeasurement(started.client, CAMPAIGN, 20);
  expect([...executions.keys()].sort()).toEqual([...rows.keys()].sort());
  expect([...executions.values()].every((n) => n === 1)).toBe(true);
});
