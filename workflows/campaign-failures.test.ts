/** The failure list a campaign carries across continue-as-new stays bounded. */
import type { CampaignCarried, MeasurementOutcome } from '../lib/measurement/payloads';
import { formatSummary } from '../cli/commands/campaign';
import { listFailure, MAX_LISTED_FAILURES } from './campaign';

const outcome = (i: number): MeasurementOutcome => ({ measurementId: `c/app/a/b-${i}`, status: 'failed', failure: 'ssh_unreachable', failedOperation: 'traceroutes', detail: `x${i}` });

test('keeps the latest MAX_LISTED_FAILURES failures and counts the ones left out', () => {
  const run = { failures: [] } as unknown as CampaignCarried;
  for (let i = 0; i < 10_000; i++) listFailure(run, outcome(i));
  expect(run.failures).toHaveLength(MAX_LISTED_FAILURES);
  expect(run.failures[0].measurementId).toBe(`c/app/a/b-${10_000 - MAX_LISTED_FAILURES}`);
  expect(run.failures.at(-1)?.measurementId).toBe('c/app/a/b-9999');
  expect(run.failuresLeftOut).toBe(10_000 - MAX_LISTED_FAILURES);
  // what continue-as-new carries does not grow with the number of failures
  expect(JSON.stringify(run).length).toBeLessThan(20_000);
});

test('a short list leaves nothing out', () => {
  const run = { failures: [] } as unknown as CampaignCarried;
  for (let i = 0; i < 3; i++) listFailure(run, outcome(i));
  expect(run.failures).toHaveLength(3);
  expect(run.failuresLeftOut).toBeUndefined();
});

test('the summary says how many failures are not listed and where they all are', () => {
  const text = formatSummary({ campaign: 'c', total: 500, ok: 300, failed: 200, failures: [outcome(1)], failuresLeftOut: 199, runs: 3 });
  expect(text).toMatch(/and 199 earlier failures not listed here \(the results store has them all: matador campaign rerun-failed c --dry-run\)/);
  expect(formatSummary({ campaign: 'c', total: 1, ok: 0, failed: 1, failures: [outcome(1)], runs: 1 })).not.toMatch(/not listed/);
});
