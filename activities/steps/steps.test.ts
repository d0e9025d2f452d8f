/** The pure parts of the measurement steps (the I/O parts run in test/e2e against the world). */
import { validateTunnelSpec } from '../../drivers/node';
import { classifierRulesFromAppConfig } from '../../lib/classify';
import { scaledUiSteps } from './capture';
import { correlationScaled, messageEvents, MIN_CORRELATION_WINDOW_MS } from './classify';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { baselineFile } from './baseline';
import { attemptDirRel, attemptTag, checkContext, insideData } from './context';
import { measurementSteps, type StepEnv } from '.';
import { tunnelSpec } from '../lab';

const node = (id: string) => ({ id, country: 'PL', latitude: 0, longitude: 0 });
const ctx = { measurementId: 'c/threema/pl-waw/es-mad', campaign: 'c', app: 'threema', nodeA: node('pl-waw'), nodeB: node('es-mad'), attempt: 2 };

describe('tunnel specs', () => {
  const spec = (testbedIndex: number, side: 'A' | 'B') =>
    tunnelSpec({ testbedIndex, side, mode: 'vxlan', routerUnderlay: '198.19.1.10', nodeUnderlay: '198.18.4.101', phoneSubnet: '198.19.16.0/24' });

  it('are valid for the router driver', () => {
    for (const t of [0, 1, 3]) for (const s of ['A', 'B'] as const) expect(validateTunnelSpec(spec(t, s))).toEqual(spec(t, s));
  });

  it('never collide on a node shared by both sides of a self-pair or by two testbeds', () => {
    const all = [0, 1, 2].flatMap((t) => (['A', 'B'] as const).map((s) => spec(t, s)));
    for (const key of ['name', 'routerInner', 'nodeInner', 'vni'] as const) expect(new Set(all.map((x) => x[key])).size).toBe(all.length);
    for (const x of all) expect(x.name.length).toBeLessThanOrEqual(15); // Linux interface names
  });
});

describe('names of an attempt', () => {
  it('artefacts go to artefacts/<campaign>/<app>/<nodeA>/<nodeB>/attempt-<n>', () => {
    expect(attemptDirRel(ctx)).toBe('artefacts/c/threema/pl-waw/es-mad/attempt-2');
  });
  it('the remote tag is short, stable and differs per measurement and attempt', () => {
    expect(attemptTag(ctx)).toBe(attemptTag({ ...ctx }));
    expect(attemptTag(ctx)).toMatch(/^m[0-9a-f]{8}-a2$/);
    expect(attemptTag({ ...ctx, attempt: 3 })).not.toBe(attemptTag(ctx));
    expect(attemptTag({ ...ctx, measurementId: 'c/wechat/pl-waw/es-mad' })).not.toBe(attemptTag(ctx));
  });
});

describe('compressed timers', () => {
  const rules = classifierRulesFromAppConfig({ timeCorrelationWindowSec: 5, blacklist: { hosts: [], cidrs: [], ports: [] }, whitelist: { hosts: [], cidrs: [] } });
  it('shrink the correlation window with the timers, not below the floor, never above the configured one', () => {
    expect(correlationScaled(rules, 1).timers.correlationWindowMs).toBe(5000);
    expect(correlationScaled(rules, 0.2).timers.correlationWindowMs).toBe(1000);
    expect(correlationScaled(rules, 0.01).timers.correlationWindowMs).toBe(MIN_CORRELATION_WINDOW_MS);
  });
  it('shrink UI waits alike and leave the other steps alone', () => {
    expect(scaledUiSteps([{ action: 'wait', seconds: 5 }, { action: 'tap', element: 'x' }], 0.05)).toEqual([{ action: 'wait', seconds: 0.25 }, { action: 'tap', element: 'x' }]);
  });
});

describe('message times', () => {
  it('become the classifier\'s events with directions and epoch ms', () => {
    expect(messageEvents([{ index: 0, from: 'B', sentAt: '2026-01-01T00:00:00.000Z', receivedAt: null, failure: 'message_not_received', detail: 'x' }])).toEqual([
      { index: 0, direction: 'B->A', sentAt: Date.parse('2026-01-01T00:00:00.000Z'), receivedAt: null },
    ]);
  });
});

describe('activity inputs are checked at the boundary', () => {
  const full = { ...ctx, testbed: 'tb-1', config: { path: 'campaigns/x.yaml' } };
  const refused = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe('config_invalid');
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
      return (err as ApplicationFailure).message;
    }
    throw new Error('not refused');
  };

  it('ids by the config id pattern, at most 64 characters', () => {
    expect(checkContext(full)).toBe(full);
    expect(checkContext({ ...full, campaign: 'a'.repeat(64) })).toBeTruthy();
    for (const bad of ['../../etc', 'a/b', '', '.', 'A', 'x'.repeat(65), 'a\u0000b', 'a b']) {
      expect(refused(() => checkContext({ ...full, campaign: bad }))).toContain('ctx.campaign');
    }
    expect(refused(() => checkContext({ ...full, app: '..' }))).toContain('ctx.app');
    expect(refused(() => checkContext({ ...full, testbed: 'tb/../../x' }))).toContain('ctx.testbed');
    expect(refused(() => checkContext({ ...full, nodeA: node('../pl') }))).toContain('ctx.nodeA.id');
    expect(refused(() => checkContext({ ...full, nodeB: { ...node('x'), id: 7 as unknown as string } }))).toContain('ctx.nodeB.id');
    expect(refused(() => checkContext({ ...full, attempt: 0 }))).toContain('ctx.attempt');
    expect(refused(() => checkContext({ ...full, attempt: 1.5 }))).toContain('ctx.attempt');
  });

  it('every path built from ids refuses a bad id too', () => {
    expect(refused(() => attemptDirRel({ ...ctx, campaign: '../..' }))).toContain('ctx.campaign');
    expect(refused(() => baselineFile({ dataDir: '/data' } as StepEnv, '../x', 'tb1', 'pl-waw'))).toContain('campaign');
    expect(refused(() => baselineFile({ dataDir: '/data' } as StepEnv, 'c', 'tb1', '../../root/.ssh/x'))).toContain('node');
  });

  it('capture and artefact paths resolve inside the data folder only', () => {
    const env = { dataDir: '/data/matador' };
    expect(insideData(env, 'artefacts/c/a/x/y/attempt-1/capture-A.pcap', 'capture')).toBe(path.resolve('/data/matador/artefacts/c/a/x/y/attempt-1/capture-A.pcap'));
    expect(insideData(env, '/data/matador/runs/x.pcap', 'capture')).toBe('/data/matador/runs/x.pcap');
    for (const bad of ['../etc/passwd', '/etc/passwd', 'artefacts/../../x', '/data/matador-other/x', '', '.', 'a\u0000b']) {
      refused(() => insideData(env, bad, 'capture'));
    }
  });

  it('every real step refuses a bad context before touching anything', async () => {
    const env = { baseDir: '/nonexistent', dataDir: '/nonexistent', lab: {} } as unknown as StepEnv;
    const steps = measurementSteps(env);
    const bad = { ...full, campaign: '../../../tmp/owned' };
    for (const step of Object.values(steps)) {
      await expect((step as (i: unknown) => Promise<unknown>)({ ctx: bad })).rejects.toMatchObject({ type: 'config_invalid' });
    }
  });
});
