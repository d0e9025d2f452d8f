import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../lib/temporal/constants';
import type { ConfigRef } from '../lib/temporal/types';
import { makePlan } from '../test/support/plans';
import { planActivities, type ExpandedPlan } from './plan';

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
    expect(err).toMatchObject({ type: FAILURE_TYPES.planChanged, nonRetryable: true });
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
    expect(err).toMatchObject({ type: FAILURE_TYPES.invalidConfig, nonRetryable: true, message: configError.message });
  });

  it('resolves relative config paths against the base folder, absolute ones as they are', async () => {
    const seen: string[] = [];
    const recording = planActivities({ load: (f) => (seen.push(f), current), baseDir: '/srv/matador' });
    await recording.loadCampaign({ config: 'configs/campaigns/demo.yaml' });
    await recording.planPage({ config: { path: '/etc/c.yaml', digest: 'x' } as ConfigRef, testbed: 'tb1', offset: 0, limit: 1 }).catch(() => undefined);
    expect(seen).toEqual(['/srv/matador/configs/campaigns/demo.yaml', '/etc/c.yaml']);
  });
});
