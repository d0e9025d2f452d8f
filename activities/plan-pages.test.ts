import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { MEASUREMENT_SCHEMA } from '../lib/types';
import { ResultsStore } from '../store/results-store';
import { campaignInResultsStore, type ExpandedPlan } from './plan-loader';
import type { ConfigRef } from '../lib/measurement/payloads';
import { makePlan } from '../test/support/plan-fixtures';
import { planActivities } from './plan-pages';

const nodes = [
  { id: 'pl-waw', country: 'PL' },
  { id: 'es-mad', country: 'ES' },
  { id: 'ch-zrh', country: 'CH' },
];

describe('planActivities', () => {
  let current: ExpandedPlan;
  const acts = planActivities({ load: () => current, baseDir: '/srv/matador' });

  beforeEach(() => {
    current = makePlan({ campaign: 'c', apps: ['threema', 'wechat'], nodes, testbeds: ['tb1', 'tb2'] });
  });

  it('summarises the plan per testbed and pages each testbed queue in plan order', async () => {
    const info = await acts.loadCampaign({ config: 'configs/campaigns/c.yaml' });
    expect(info).toMatchObject({ campaign: 'c', total: 12, apps: ['threema', 'wechat'], testbeds: [{ id: 'tb1', measurements: 6 }, { id: 'tb2', measurements: 6 }] });
    expect(info.config.path).toBe('configs/campaigns/c.yaml');
    const pages: string[][] = [];
    for (let offset = 0; offset < 6; offset += 4) {
      pages.push((await acts.planPage({ config: info.config, testbed: 'tb1', offset, limit: 4 })).map((m) => m.measurementId));
    }
    const tb1 = current.measurements.filter((m) => m.testbed === 'tb1').map((m) => m.measurementId);
    expect(pages).toEqual([tb1.slice(0, 4), tb1.slice(4)]);
    expect(await acts.planPage({ config: info.config, testbed: 'tb1', offset: 6, limit: 4 })).toEqual([]);
  });

  it('refuses pages of a plan that changed since the campaign started', async () => {
    const info = await acts.loadCampaign({ config: 'c.yaml' });
    current = makePlan({ campaign: 'c', apps: ['threema'], nodes, testbeds: ['tb1', 'tb2'] });
    const err = await acts.planPage({ config: info.config, testbed: 'tb1', offset: 0, limit: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'plan_changed', nonRetryable: true });
    expect((err as Error).message).toMatch(/^c\.yaml: the plan changed since the campaign started/);
  });

  it('turns config errors into non-retryable invalid_config failures with the loader message', async () => {
    const configError = Object.assign(new Error('configs/campaigns/x.yaml: timerScale: expected a number > 0, got "fast"'), { name: 'ConfigError' });
    const failing = planActivities({
      load: () => {
        throw configError;
      },
      baseDir: '/srv/matador',
    });
    const err = await failing.loadCampaign({ config: 'x.yaml' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'config_invalid', nonRetryable: true, message: configError.message });
  });

  it('resolves relative config paths against the base folder, absolute ones as they are', async () => {
    const seen: string[] = [];
    const recording = planActivities({ load: (f) => (seen.push(f), current), baseDir: '/srv/matador' });
    await recording.loadCampaign({ config: 'configs/campaigns/demo.yaml' });
    await recording.planPage({ config: { path: '/etc/c.yaml', digest: 'x' } as ConfigRef, testbed: 'tb1', offset: 0, limit: 1 }).catch(() => undefined);
    expect(seen).toEqual(['/srv/matador/configs/campaigns/demo.yaml', '/etc/c.yaml']);
  });
});

describe('planActivities: scheduled runs', () => {
  const plan = makePlan({ campaign: 'c', apps: ['threema', 'wechat'], nodes, testbeds: ['tb1', 'tb2'] });
  const scheduledRun = { scheduledAt: '2026-11-27T06:00:00.000Z', workflowId: 'campaign/c-2026-11-27T06:00:00Z' };

  function withNamesInUse(names: string[], asked: Array<[string, string]> = []) {
    return planActivities({
      load: () => plan,
      baseDir: '/srv/matador',
      runNameInUse: (name, own) => (asked.push([name, own]), names.includes(name)),
    });
  }

  it("names the run after the schedule's date and pages the plan under that name", async () => {
    const asked: Array<[string, string]> = [];
    const acts = withNamesInUse([], asked);
    const info = await acts.loadCampaign({ config: 'c.yaml', scheduledRun });
    expect(asked).toEqual([['c-2026-11-27', scheduledRun.workflowId]]);
    expect(info).toMatchObject({ campaign: 'c-2026-11-27', configCampaign: 'c', total: 12, testbeds: [{ id: 'tb1', measurements: 6 }, { id: 'tb2', measurements: 6 }] });
    expect(info.config.runName).toBe('c-2026-11-27');
    // The digest is the config's plan's: a run name does not make it another plan.
    expect(info.config.digest).toBe((await planActivities({ load: () => plan, baseDir: '/' }).loadCampaign({ config: 'c.yaml' })).config.digest);
    const page = await acts.planPage({ config: info.config, testbed: 'tb2', offset: 0, limit: 100 });
    const original = plan.measurements.filter((m) => m.testbed === 'tb2');
    expect(page.map((m) => m.measurementId)).toEqual(original.map((m) => m.measurementId.replace(/^c\//, 'c-2026-11-27/')));
    expect(page.every((m) => m.campaign === 'c-2026-11-27')).toBe(true);
    expect(page.map((m) => m.messages)).toEqual(original.map((m) => m.messages));
  });

  it('a second run of the date gets -2, a third -3: the first free name', async () => {
    expect((await withNamesInUse(['c-2026-11-27']).loadCampaign({ config: 'c.yaml', scheduledRun })).campaign).toBe('c-2026-11-27-2');
    expect((await withNamesInUse(['c-2026-11-27', 'c-2026-11-27-2']).loadCampaign({ config: 'c.yaml', scheduledRun })).campaign).toBe('c-2026-11-27-3');
    // Another date's runs do not count.
    expect((await withNamesInUse(['c-2026-11-26', 'c-2026-11-26-2']).loadCampaign({ config: 'c.yaml', scheduledRun })).campaign).toBe('c-2026-11-27');
  });

  it('resume filters the renamed ids (the run name is what the store knows)', async () => {
    const seen: string[][] = [];
    const acts = planActivities({
      load: () => plan,
      baseDir: '/',
      runNameInUse: () => false,
      completed: (ids) => (seen.push([...ids]), new Set(ids.filter((id) => id.startsWith('c-2026-11-27/threema/')))),
      now: () => new Date('2026-11-27T07:00:00.000Z'),
    });
    const info = await acts.loadCampaign({ config: 'c.yaml', resume: true, scheduledRun });
    expect(seen[0].every((id) => id.startsWith('c-2026-11-27/'))).toBe(true);
    expect(info).toMatchObject({ campaign: 'c-2026-11-27', total: 6, skipped: 6 });
    const page = await acts.planPage({ config: info.config, testbed: 'tb1', offset: 0, limit: 100, skipOkBefore: info.skipOkBefore });
    expect(page.map((m) => m.app)).toEqual(['wechat', 'wechat', 'wechat']);
  });

  it('without a scheduled run nothing changes: no lookup, no run name', async () => {
    const asked: Array<[string, string]> = [];
    const info = await withNamesInUse([], asked).loadCampaign({ config: 'c.yaml' });
    expect(asked).toEqual([]);
    expect(info.campaign).toBe('c');
    expect(info).not.toHaveProperty('configCampaign');
    expect(info.config).toEqual({ path: 'c.yaml', digest: expect.any(String) });
  });

  it('refuses an invalid scheduled time without retries', async () => {
    const err = await withNamesInUse([]).loadCampaign({ config: 'c.yaml', scheduledRun: { ...scheduledRun, scheduledAt: 'soon' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'config_invalid', nonRetryable: true, message: 'campaign c: scheduled run campaign/c-2026-11-27T06:00:00Z has an invalid scheduled time "soon"' });
  });
});

describe('runNameInUse: the results store part', () => {
  it('a campaign with records in the store is in use; no store file means none is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-runname-'));
    try {
      const file = path.join(dir, 'results.sqlite');
      expect(campaignInResultsStore('c-2026-11-27', file)).toBe(false);
      const store = new ResultsStore({ file });
      try {
        const m = plan0();
        store.putAttempt(1, {
          schema: MEASUREMENT_SCHEMA,
          campaign: 'c-2026-11-27',
          measurementId: `c-2026-11-27/${m.app}/${m.nodeA.id}/${m.nodeB.id}`,
          app: m.app,
          status: 'ok',
          failure: null,
          startedAt: '2026-11-27T06:00:01Z',
          finishedAt: '2026-11-27T06:00:09Z',
          nodeA: { id: m.nodeA.id, country: m.nodeA.country },
          nodeB: { id: m.nodeB.id, country: m.nodeB.country },
          networkPath: { traces: [] },
          applicationPath: { traces: [] },
        });
      } finally {
        store.close();
      }
      expect(campaignInResultsStore('c-2026-11-27', file)).toBe(true);
      expect(campaignInResultsStore('c-2026-11-27-2', file)).toBe(false);
      expect(campaignInResultsStore('c', file)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function plan0() {
  return makePlan({ campaign: 'c', apps: ['threema'], nodes, testbeds: ['tb1'] }).measurements[0];
}
