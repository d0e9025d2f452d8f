/**
 * Chaos: SIGKILL the Temporal dev server in the middle of a campaign and start it again on the
 * same port and the same SQLite database. The workers (child processes) reconnect by themselves,
 * the campaign completes, and every measurement is in the results store exactly once.
 */
import * as fs from 'fs';
import { sleep, useChaosHarness } from './harness';
import { chaosPlan, executionsPerMeasurement } from './scenario';
import type { CampaignSummary } from '../../lib/measurement/payloads';

const CAMPAIGN = 'chaos-server';
const h = useChaosHarness('chaos-server', chaosPlan(CAMPAIGN, { nodes: 4, apps: ['threema', 'whatsapp'], testbeds: ['tb1', 'tb2'] }), ['tb1', 'tb2'], {
  persistent: true,
  stepDelayMs: 40,
});
function storedRows(): number {
  if (!fs.existsSync(h.resultsFile)) return 0;
  return [...h.storeRows().values()].reduce((n, r) => n + r.length, 0);
}

it('completes the campaign after the dev server is SIGKILLed and restarted on its database', async () => {
  const started = await h.start(CAMPAIGN);

  while (storedRows() < 4) await sleep(100);
  await h.killServer();
  const atKill = storedRows();
  expect(atKill).toBeLessThan(20);
  await sleep(1000);
  await h.startServer();

  // The client's long poll may fail while the server is away: ask again until it answers.
  let summary: CampaignSummary | undefined;
  for (let i = 0; i < 60 && !summary; i++) {
    summary = await started.client.workflow
      .getHandle(`campaign/${CAMPAIGN}`)
      .result()
      .catch(async (err: Error) => {
        if (!/unavailable|connect|transport|14 /i.test(`${err.name} ${err.message}`)) throw err;
        await sleep(500);
        return undefined;
      });
  }
  expect(summary).toMatchObject({ campaign: CAMPAIGN, total: 20, ok: 20, failed: 0 });
  const rows = h.storeRows();
  const notOnce = [...rows].filter(([, r]) => r.length !== 1 || r[0].status !== 'ok').map(([id, r]) => `${id}: ${JSON.stringify(r)}`);
  expect(notOnce).toEqual([]);
  const executions = await executionsPerMeasurement(started.client, CAMPAIGN, 20);
  expect(executions.size).toBe(20);
  expect([...executions.values()].every((n) => n === 1)).toBe(true);
});
