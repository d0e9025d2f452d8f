import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadCampaign, type LoadedCampaign } from './config';
import { type AreaCount, expandPlan, measurementsWithMessages, type Plan, planBalance, plannedMessages, renameCampaignRun, spreadOrder } from './campaign-plan';
import { projectRoot } from './project-paths';

const cwd = projectRoot;

function area(plan: Plan, level: AreaCount['level'], name: string): AreaCount | undefined {
  return plan.areas.find((a) => a.level === level && a.area === name);
}

describe('expandPlan: the paper campaign', () => {
  let loaded: LoadedCampaign;
  let plan: Plan;
  beforeAll(() => {
    loaded = loadCampaign('configs/campaigns/paper-2015.yaml', { cwd });
    plan = expandPlan(loaded);
  });

  it('has 1624 measurements: 4 apps x 406 pairs, 28 of them self-pairs', () => {
    expect(plan.campaign.id).toBe('paper-2015');
    expect(plan.measurements).toHaveLength(1624);
    expect(plan.apps.map((a) => a.id)).toEqual(['textsecure', 'threema', 'wechat', 'whatsapp']);
    expect(plan.nodes).toHaveLength(28);
    expect(plan.pairs).toHaveLength(406);
    expect(plan.selfPairs).toBe(28);
    expect(plan.pairs.filter((p) => p.self).map((p) => p.nodeA)).toEqual(plan.nodes.map((n) => n.id));
    for (const app of plan.apps) expect(plan.measurements.filter((m) => m.app === app.id)).toHaveLength(406);
  });

  it('measurement ids are <campaign>/<app>/<nodeA>/<nodeB>, unique, nodeA before nodeB in node order', () => {
    const ids = plan.measurements.map((m) => m.measurementId);
    expect(new Set(ids).size).toBe(1624);
    expect(ids.slice(0, 5)).toEqual([
      'paper-2015/textsecure/us-bos/us-bos',
      'paper-2015/threema/us-bos/us-bos',
      'paper-2015/wechat/us-bos/us-bos',
      'paper-2015/whatsapp/us-bos/us-bos',
      'paper-2015/textsecure/us-bos/ca-tor',
    ]);
    expect(ids[ids.length - 1]).toBe('paper-2015/whatsapp/nz-akl/nz-akl');
    const order = new Map(plan.nodes.map((n, i) => [n.id, i]));
    for (const m of plan.measurements) {
      expect(m.measurementId).toBe(`${m.campaign}/${m.app}/${m.nodeA.id}/${m.nodeB.id}`);
      expect(order.get(m.nodeA.id)!).toBeLessThanOrEqual(order.get(m.nodeB.id)!);
    }
    // every unordered pair exactly once
    const pairKeys = plan.pairs.map((p) => [p.nodeA, p.nodeB].sort().join('|'));
    expect(new Set(pairKeys).size).toBe(406);
  });

  it('counts pairs per M49 area at every level (both nodes inside)', () => {
    const expected: Array<[AreaCount['level'], string, number, number]> = [
      ['region', 'Europe', 15, 120],
      ['region', 'Asia', 7, 28],
      ['region', 'Americas', 4, 10],
      ['region', 'Oceania', 2, 3],
      ['subregion', 'Northern America', 2, 3],
      ['subregion', 'Latin America and the Caribbean', 2, 3],
      ['subregion', 'Western Europe', 4, 10],
      ['subregion', 'Northern Europe', 4, 10],
      ['subregion', 'Southern Europe', 4, 10],
      ['subregion', 'Eastern Europe', 3, 6],
      ['subregion', 'Eastern Asia', 4, 10],
      ['subregion', 'South-eastern Asia', 2, 3],
      ['subregion', 'Western Asia', 1, 1],
      ['subregion', 'Australia and New Zealand', 2, 3],
      ['intermediate', 'South America', 2, 3],
    ];
    for (const [level, name, nodes, pairs] of expected) {
      expect(area(plan, level, name)).toEqual(expect.objectContaining({ nodes, pairs, selfPairs: nodes, measurements: pairs * 4 }));
    }
    expect(plan.areas).toHaveLength(expected.length);
    expect(area(plan, 'region', 'Africa')).toBeUndefined();
    // cross-check against a direct count over the pairs
    const regionOf = (id: string) => plan.countries[plan.nodes.find((n) => n.id === id)!.country].region;
    expect(plan.pairs.filter((p) => regionOf(p.nodeA) === 'Europe' && regionOf(p.nodeB) === 'Europe')).toHaveLength(120);
    expect(area(plan, 'subregion', 'Western Europe')!.parent).toBe('Europe');
    expect(area(plan, 'intermediate', 'South America')!.parent).toBe('Latin America and the Caribbean');
  });

  it('assigns whole pairs round-robin to the 4 testbeds, balanced', () => {
    expect(plan.testbeds.map((t) => [t.id, t.measurements])).toEqual([
      ['tb1', 408],
      ['tb2', 408],
      ['tb3', 404],
      ['tb4', 404],
    ]);
    for (const pair of plan.pairs) {
      const ms = plan.measurements.filter((m) => m.nodeA.id === pair.nodeA && m.nodeB.id === pair.nodeB);
      expect(new Set(ms.map((m) => m.testbed))).toEqual(new Set([pair.testbed]));
    }
  });

  it('uses the real timers (scale 1) and is deterministic', () => {
    expect(plan.apps[0].config.timers).toEqual(plan.apps[0].configuredTimers);
    expect(plan.apps[0].messagingSec).toBe(330);
    expect(JSON.stringify(expandPlan(loaded))).toBe(JSON.stringify(plan));
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('expandPlan: other campaigns', () => {
  it('demo: 6 nodes (2 each in Europe, Asia, Americas) x 4 apps = 84 measurements, timers x 0.05', () => {
    const plan = expandPlan(loadCampaign('configs/campaigns/demo.yaml', { cwd }));
    expect(plan.measurements).toHaveLength(84);
    expect(plan.pairs).toHaveLength(21);
    expect(plan.selfPairs).toBe(6);
    for (const region of ['Europe', 'Asia', 'Americas']) expect(area(plan, 'region', region)).toMatchObject({ nodes: 2, pairs: 3, measurements: 12 });
    expect(plan.apps[0].config.timers).toEqual({ beforeFirstMessageSec: 3, betweenMessagesSec: 1, afterLastMessageSec: 3, captureTailSec: 1.5 });
    expect(plan.apps[0].configuredTimers.betweenMessagesSec).toBe(20);
    expect(plan.apps[0].messagingSec).toBe(16.5);
    // 21 pairs over 21 testbeds: one pair of 4 measurements on each
    expect(plan.testbeds.map((t) => t.measurements)).toEqual(Array(21).fill(4));
  });

  it("assignment 'measurement' round-robins single measurements", () => {
    const loaded = loadCampaign('configs/campaigns/demo.yaml', { cwd });
    const plan = expandPlan({ ...loaded, campaign: { ...loaded.campaign, assignment: 'measurement' } });
    expect(plan.measurements.slice(0, 23).map((m) => m.testbed)).toEqual([...Array.from({ length: 21 }, (_, i) => `tb${i + 1}`), 'tb1', 'tb2']);
    expect(plan.testbeds.map((t) => t.measurements)).toEqual(Array(21).fill(4));
    expect(plan.pairs.every((p) => p.testbed === null)).toBe(true);
  });

  it('one node gives one self-pair per app', () => {
    const loaded = loadCampaign('configs/campaigns/demo.yaml', { cwd });
    const plan = expandPlan({ ...loaded, nodes: loaded.nodes.slice(0, 1) });
    expect(plan.measurements.map((m) => m.measurementId)).toEqual(['demo/textsecure/us-bos/us-bos', 'demo/threema/us-bos/us-bos', 'demo/wechat/us-bos/us-bos', 'demo/whatsapp/us-bos/us-bos']);
    expect(plan.selfPairs).toBe(1);
  });
});

describe("pairOrder 'spread'", () => {
  it('spreadOrder is a permutation of 0..n-1 for every n', () => {
    for (let n = 0; n <= 500; n++) {
      const o = spreadOrder(n);
      expect(o).toHaveLength(n);
      expect(new Set(o).size).toBe(n);
      expect(o.every((k) => Number.isInteger(k) && k >= 0 && k < n)).toBe(true);
    }
  });

  it('the paper campaign: the same measurements and testbed loads, and no round of the testbeds all on one node', () => {
    const loaded = loadCampaign('configs/campaigns/paper-2015.yaml', { cwd });
    const nodesOrder = expandPlan(loaded);
    const plan = expandPlan({ ...loaded, campaign: { ...loaded.campaign, pairOrder: 'spread' } });
    const ids = (p: Plan) => p.measurements.map((m) => m.measurementId);
    expect(ids(plan)).not.toEqual(ids(nodesOrder));
    expect([...ids(plan)].sort()).toEqual([...ids(nodesOrder)].sort());
    expect(plan.testbeds.map((t) => t.measurements)).toEqual(nodesOrder.testbeds.map((t) => t.measurements));
    expect(plan.campaign.pairOrder).toBe('spread');
    expect(nodesOrder.campaign).not.toHaveProperty('pairOrder'); // plans of existing configs keep their digest
    // The apps of a pair still run back to back on one testbed (tunnels built once per pair).
    plan.pairs.forEach((p, i) => expect(plan.measurements.slice(4 * i, 4 * i + 4).every((m) => m.testbed === p.testbed && m.nodeA.id === p.nodeA && m.nodeB.id === p.nodeB)).toBe(true));
    // A round = the next pair of every testbed. Pairs with cn-pek: in node order 2 rounds have a
    // cn-pek pair on nearly every testbed; spread, no round has more than a quarter of them.
    const perRound = (p: Plan, node: string) => {
      const rounds: number[] = [];
      p.pairs.forEach((pair, i) => {
        const r = Math.floor(i / p.testbeds.length);
        rounds[r] = (rounds[r] ?? 0) + (pair.nodeA === node || pair.nodeB === node ? 1 : 0);
      });
      return Math.max(...rounds);
    };
    expect(perRound(nodesOrder, 'cn-pek')).toBe(4); // four testbeds in paper-2015.yaml
    const spreadPlan = expandPlan({ ...loaded, testbeds: Array.from({ length: 16 }, (_, i) => ({ ...loaded.testbeds[0], id: `tb${i + 1}` })), campaign: { ...loaded.campaign, pairOrder: 'spread' } });
    const nodes16 = expandPlan({ ...loaded, testbeds: spreadPlan.testbeds.map((t) => t.config) });
    expect(perRound(nodes16, 'cn-pek')).toBeGreaterThanOrEqual(14);
    expect(perRound(spreadPlan, 'cn-pek')).toBeLessThanOrEqual(4);
  });

  it('balance: work-stealing is in the plan only when set, and its unit is a node pair\'s apps', () => {
    const loaded = loadCampaign('configs/campaigns/paper-2015.yaml', { cwd });
    expect(expandPlan(loaded).campaign).not.toHaveProperty('balance'); // plans of existing configs keep their digest
    const stealing = { ...loaded, campaign: { ...loaded.campaign, balance: 'work-stealing' as const } };
    expect(expandPlan(stealing).campaign.balance).toBe('work-stealing');
    expect(planBalance(expandPlan(stealing))).toEqual({ unit: 4 });
    expect(planBalance(expandPlan({ ...stealing, campaign: { ...stealing.campaign, assignment: 'measurement' as const } }))).toEqual({ unit: 1 });
    expect(planBalance(expandPlan(loaded))).toBeUndefined();
    const paper = loadCampaign('configs/campaigns/paper-2015-emulated.yaml', { cwd });
    expect(paper.campaign.balance).toBe('work-stealing');
  });

  it('is refused in the config with the allowed values', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-pair-order-'));
    try {
      const text = fs.readFileSync(path.join(projectRoot, 'configs/campaigns/demo.yaml'), 'utf8').replace(/\.\.\//g, `${path.join(projectRoot, 'configs')}/`);
      fs.writeFileSync(path.join(dir, 'c.yaml'), `${text}\npairOrder: shuffled\n`);
      expect(() => loadCampaign(path.join(dir, 'c.yaml'), { cwd })).toThrow(/pairOrder.*(nodes|spread)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renameCampaignRun: a scheduled run of the plan', () => {
  it('renames campaign and id prefix of every measurement, keeps order, testbeds and messages', () => {
    const plan = expandPlan(loadCampaign('configs/campaigns/demo.yaml', { cwd }));
    const original = measurementsWithMessages(plan);
    const run = renameCampaignRun(original, 'demo', 'demo-2026-11-27');
    expect(run).toHaveLength(84);
    expect(run.map((m) => m.measurementId)).toEqual(original.map((m) => `demo-2026-11-27/${m.app}/${m.nodeA.id}/${m.nodeB.id}`));
    expect(run.every((m) => m.campaign === 'demo-2026-11-27')).toBe(true);
    expect(run.map(({ measurementId: _i, campaign: _c, ...rest }) => rest)).toEqual(original.map(({ measurementId: _i, campaign: _c, ...rest }) => rest));
    // the plan itself is untouched (the digest of the config's plan stays the same)
    expect(original[0].measurementId).toBe('demo/textsecure/us-bos/us-bos');
    expect(new Set(run.map((m) => m.measurementId)).size).toBe(84);
  });

  it('refuses a measurement of another campaign, naming it', () => {
    const m = { measurementId: 'other/threema/a/b', campaign: 'other' };
    expect(() => renameCampaignRun([m], 'demo', 'demo-2026-11-27')).toThrow(
      'campaign demo: measurement "other/threema/a/b" (campaign "other") is not one of its measurements, cannot name it for run demo-2026-11-27',
    );
  });
});

describe('traceroutes option', () => {
  it('single-path (default) leaves the specs as they were; mda reaches every measurement spec', () => {
    const loaded = loadCampaign('configs/campaigns/demo.yaml', { cwd });
    const plain = expandPlan(loaded);
    expect(plain.campaign.traceroutes).toEqual({ applicationPaths: 'single-path' });
    expect(measurementsWithMessages(plain).some((m) => 'traceroutes' in m)).toBe(false);
    const mda = expandPlan({ ...loaded, campaign: { ...loaded.campaign, traceroutes: { applicationPaths: 'mda' } } });
    const specs = measurementsWithMessages(mda);
    expect(specs).toHaveLength(84);
    expect(specs.every((m) => m.traceroutes?.applicationPaths === 'mda')).toBe(true);
  });
});

describe('message sequences', () => {
  it('alternate A/B with the scaled Fig. 2 timers and filled-in texts', () => {
    const plan = expandPlan(loadCampaign('configs/campaigns/demo.yaml', { cwd }));
    const withMessages = measurementsWithMessages(plan);
    expect(withMessages).toHaveLength(84);
    const first = withMessages[0];
    expect(first.measurementId).toBe('demo/textsecure/us-bos/us-bos');
    expect(first.messages).toHaveLength(10);
    expect(first.messages.slice(0, 3)).toEqual([
      { index: 0, from: 'A', waitSeconds: 3, text: 'MATAdOR test message 1 of 10 from A' },
      { index: 1, from: 'B', waitSeconds: 1, text: 'MATAdOR test message 2 of 10 from B' },
      { index: 2, from: 'A', waitSeconds: 1, text: 'MATAdOR test message 3 of 10 from A' },
    ]);
    expect([first.settleSeconds, first.captureTailSeconds]).toEqual([3, 1.5]);
  });

  it('explicit schedules are followed', () => {
    const plan = expandPlan(loadCampaign('configs/campaigns/demo.yaml', { cwd }));
    const app = plan.apps[0];
    const explicit = { ...app, config: { ...app.config, message: { text: '${side}->${peer} #${index}', count: 3 }, schedule: { pattern: 'explicit' as const, senders: ['B' as const, 'B' as const, 'A' as const] } } };
    expect(plannedMessages(explicit).map((m) => [m.from, m.text])).toEqual([
      ['B', 'B->A #1'],
      ['B', 'B->A #2'],
      ['A', 'A->B #3'],
    ]);
  });
});

describe('workflow safety', () => {
  it('lib/campaign-plan bundles into Temporal workflow code (no Node built-ins, no zod/yaml at run time)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-plan-bundle-'));
    try {
      const workflowFile = path.join(dir, 'workflows.ts');
      fs.writeFileSync(
        workflowFile,
        `import { expandPlan, measurementsWithMessages } from ${JSON.stringify(path.join(projectRoot, 'lib', 'campaign-plan'))};\n` +
          `export async function planSize(loaded: any): Promise<number> { return measurementsWithMessages(expandPlan(loaded)).length; }\n`,
      );
      const bundle = await bundleWorkflowCode({
        workflowsPath: workflowFile,
        logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
        // the temporary workflow file lives outside the project: resolve packages from it
        webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, modules: [path.join(projectRoot, 'node_modules'), 'node_modules'] } }),
      });
      expect(bundle.code).toContain('planSize');
      expect(bundle.code).not.toMatch(/node_modules\/(zod|yaml)\//);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
