import { maxClockSkewFromEnv } from './activities';

test('MATADOR_MAX_CLOCK_SKEW_MS: unset keeps the default, a number sets the bound, anything else is one config line', () => {
  expect(maxClockSkewFromEnv(undefined)).toEqual({});
  expect(maxClockSkewFromEnv('')).toEqual({});
  expect(maxClockSkewFromEnv('500')).toEqual({ maxClockSkewMs: 500 });
  for (const bad of ['0', '-1', 'two seconds', 'Infinity']) {
    expect(() => maxClockSkewFromEnv(bad)).toThrow(`environment MATADOR_MAX_CLOCK_SKEW_MS: expected milliseconds > 0, got ${JSON.stringify(bad)}`);
  }
});

test('the real worker compares a run in its results store and reads alerts.webhook from the campaign config', async () => {
  // Loaded here: the other test needs no activities.
  const fs = await import('fs');
  const os = await import('os');
  const path = await import('path');
  const { defaultActivities } = await import('./activities');
  const { projectRoot } = await import('../lib/project-paths');
  const { webhookStates } = await import('../store/drift');
  const { ResultsStore } = await import('../store/results-store');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-worker-drift-'));
  const demo = fs.readFileSync(path.join(projectRoot, 'configs/campaigns/demo.yaml'), 'utf8').replace(/\.\.\//g, `${projectRoot}/configs/`);
  const config = path.join(dir, 'hooked.yaml');
  fs.writeFileSync(config, `${demo}\nalerts:\n  webhook: "http://127.0.0.1:9/hook?token=s3cret"\n`);
  const resultsFile = path.join(dir, 'results.sqlite');
  const real = defaultActivities({ resultsFile });
  try {
    const request = { config: 'configs/campaigns/demo.yaml', campaign: 'demo', startedAt: '2026-12-04T00:00:00.000Z' };
    expect(await real.activities.detectDrift(request)).toEqual({ configCampaign: 'demo', run: 'demo@2026-12-04T00:00:00.000Z', webhook: false, previous: null, alerts: 0, added: 0, lines: ['no earlier run of demo to compare with'] });
    expect(await real.activities.detectDrift({ ...request, config })).toMatchObject({ webhook: true, previous: null });
    // Port 9 is one fetch refuses to talk to ("bad port", the Fetch standard's list): the try
    // is recorded, the URL redacted.
    const post = { config, configCampaign: 'demo', runA: 'x', runB: 'y' };
    await expect(real.activities.postDriftAlerts(post)).rejects.toThrow('webhook http://127.0.0.1:9/...: POST failed: bad port');
  } finally {
    real.close();
  }
  const store = new ResultsStore({ file: resultsFile, readonly: true });
  expect(webhookStates(store)).toEqual([expect.objectContaining({ runA: 'x', runB: 'y', status: 'failed', tries: 1, url: 'http://127.0.0.1:9/...' })]);
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
