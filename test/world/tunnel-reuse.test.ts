/**
 * Tunnel reuse on the small emulated world, calling the real steps (activities/steps) directly:
 * provisionTunnels for a node pair, teardown with keepTunnels, provisionTunnels again -> both
 * sides reused and phone-subnet traffic still leaves through the nodes; broken tunnels (fault
 * tunnel-down on a node and on a router) and a different node are rebuilt, never reused; a dead
 * node fails precisely; the final full teardown leaves no tunnel link on routers or nodes.
 * Run under the world lock (it brings the world "small" up and takes it down again).
 */
import { NO_FAILURE } from '../../lib/failures';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { buildMeasurementRecord } from '../../lib/record';
import type { StepContext } from '../../lib/measurement/payloads';
import type { Side } from '../../lib/types';
import { teardown } from '../../activities/steps/teardown';
import { provisionTunnels } from '../../activities/steps/tunnels';
import type { StepEnv } from '../../activities/steps';
import { emulatedWorldLab } from '../../testbed/lab';
import { fault } from '../../testbed/world/world';
import { knownWorlds, readWorldState, type WorldState } from '../../testbed/world';
import { tunnelLeftovers } from '../e2e/helpers';
import { endInterfaceName, type TunnelEnd, type TunnelSpec } from '../../drivers/node/tunnel-spec';
import { runCli } from './helpers';

jest.setTimeout(180_000);

const CONFIG = { path: path.join(projectRoot, 'test', 'fixtures', 'tunnel-reuse', 'campaign.yaml'), digest: 'tunnel-reuse' };
const PAIRS = [
  ['pl-waw', 'sg-sin'],
  ['es-mad', 'sg-sin'],
] as const;

let worldUp = false;
let state: WorldState;
let env: StepEnv;
let tmpDir = '';

function ctxFor(nodeA: string, nodeB: string, extra: Partial<StepContext> = {}): StepContext {
  const node = (id: string) => {
    const n = state.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`world small has no node ${id}`);
    return { id, country: n.country, latitude: n.latitude, longitude: n.longitude };
  };
  return { measurementId: `tunnel-reuse/threema/${nodeA}/${nodeB}`, campaign: 'tunnel-reuse', app: 'threema', testbed: 'tb1', attempt: 1, nodeA: node(nodeA), nodeB: node(nodeB), config: CONFIG, ...extra };
}

function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile('ip', args, (err, stdout, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr}`)) : resolve(stdout))));
}

const routerNs = (s: Side): string => state.testbeds[0].sides[s].router.netns;
const nodeNs = (id: string): string => state.nodes.find((n) => n.id === id)!.netns;
/** The interface of side s's tunnel on its router or node (WireGuard: one name per end). */
const tunnelIf = (s: Side, end: TunnelEnd): string => endInterfaceName({ ...({} as TunnelSpec), name: `mt-tn0-${s.toLowerCase()}`, mode: state.testbeds[0].tunnelMode ?? 'vxlan' }, end);

/** Packets the node's end of the tunnel has received. */
async function nodeRxPackets(node: string, ifname: string): Promise<number> {
  const links = JSON.parse(await ip(['-n', nodeNs(node), '-s', '-j', 'link', 'show', 'dev', ifname])) as Array<{ stats64?: { rx?: { packets?: number } } }>;
  return links[0]?.stats64?.rx?.packets ?? 0;
}

/**
 * Traffic from the phone subnet (the router's LAN address as source, so the policy rule
 * applies) reaches the Threema service and back, and it went through this node's tunnel end.
 */
async function trafficFlows(s: Side, node: string): Promise<{ replied: boolean; throughNode: number }> {
  const ifname = tunnelIf(s, 'node');
  const target = state.services.find((x) => x.app === 'threema')!.address;
  const before = await nodeRxPackets(node, ifname);
  const replied = await ip(['netns', 'exec', routerNs(s), 'ping', '-n', '-c', '3', '-i', '0.2', '-W', '2', '-I', state.testbeds[0].sides[s].router.lanAddress, target]).then(
    () => true,
    () => false,
  );
  return { replied, throughNode: (await nodeRxPackets(node, ifname)) - before };
}

async function tunnelLinks(): Promise<string[]> {
  const namespaces = [routerNs('A'), routerNs('B'), ...new Set(PAIRS.flat().map(nodeNs))];
  return (await Promise.all(namespaces.map((ns) => tunnelLeftovers(ns)))).flat().sort();
}

const reusedOf = (info: Awaited<ReturnType<typeof provisionTunnels>>): Array<[Side, string, boolean | undefined]> => info.tunnels.map((t) => [t.side, t.node, t.reused]);

beforeAll(async () => {
  const others = knownWorlds().filter((w) => w !== 'small');
  if (others.length > 0) throw new Error(`another emulated world is up (${others.join(', ')}); run "matador testbed down" first`);
  const up = await runCli(['testbed', 'up', 'small']);
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
  worldUp = true;
  state = readWorldState('small');
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-tunnel-reuse-'));
  env = { baseDir: projectRoot, dataDir: tmpDir, lab: emulatedWorldLab() };
});

afterAll(async () => {
  try {
    if (worldUp) {
      for (const [a, b] of PAIRS) await teardown(env, ctxFor(a, b)).catch(() => undefined);
      for (const [kind, target] of [['tunnel-down', 'pl-waw'], ['tunnel-down', 'tb1-wb'], ['link-loss', 'es-mad']] as const) {
        await fault({ kind, target, clear: true }).catch(() => undefined);
      }
    }
  } finally {
    if (worldUp) await runCli(['testbed', 'down']);
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  }
});

describe('tunnels kept between measurements of the same node pair', () => {
  it('builds both tunnels the first time; traffic leaves through each node', async () => {
    const info = await provisionTunnels(env, ctxFor('pl-waw', 'sg-sin'));
    expect(reusedOf(info)).toEqual([
      ['A', 'pl-waw', false],
      ['B', 'sg-sin', false],
    ]);
    expect(await tunnelLinks()).toEqual([`${nodeNs('pl-waw')}:${tunnelIf('A', 'node')}`, `${nodeNs('sg-sin')}:${tunnelIf('B', 'node')}`, `${routerNs('A')}:${tunnelIf('A', 'router')}`, `${routerNs('B')}:${tunnelIf('B', 'router')}`].sort());
    const first = await trafficFlows('A', 'pl-waw');
    expect(first.replied).toBe(true);
    expect(first.throughNode).toBeGreaterThanOrEqual(3);
    expect((await trafficFlows('B', 'sg-sin')).replied).toBe(true);
  });

  it('teardown with keepTunnels releases the phones but leaves both tunnels', async () => {
    const result = await teardown(env, ctxFor('pl-waw', 'sg-sin', { keepTunnels: true }));
    expect(result).toEqual({ released: expect.arrayContaining(['phone A', 'phone B']), problems: [], tunnelsKept: true });
    expect(result.released).not.toContain('tunnels');
    expect(await tunnelLinks()).toHaveLength(4);
  });

  it('the next measurement of the pair reuses both tunnels and traffic still flows through them', async () => {
    const info = await provisionTunnels(env, ctxFor('pl-waw', 'sg-sin', { measurementId: 'tunnel-reuse/wechat/pl-waw/sg-sin' }));
    expect(reusedOf(info)).toEqual([
      ['A', 'pl-waw', true],
      ['B', 'sg-sin', true],
    ]);
    expect(info.tunnels.map((t) => (t as { nodeInner?: string }).nodeInner)).toEqual(['198.19.128.2', '198.19.128.6']);
    // the measurement record says so per side
    const ctx = ctxFor('pl-waw', 'sg-sin');
    const record = buildMeasurementRecord({
      measurement: { ...ctx, messages: [] },
      timerScale: 1,
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      workflow: { workflowId: ctx.measurementId, runId: 'r' },
      attempts: [],
      failure: NO_FAILURE,
      testbedKind: 'emulated',
      outputs: { tunnels: info, phones: null, capture: null, messages: [], files: { files: [] }, classification: { endpoints: [] }, paths: { networkPath: { traces: [] }, applicationPath: { traces: [] } } },
    });
    expect(record.tunnels).toEqual([expect.objectContaining({ side: 'A', node: 'pl-waw', reused: true }), expect.objectContaining({ side: 'B', node: 'sg-sin', reused: true })]);
    const a = await trafficFlows('A', 'pl-waw');
    const b = await trafficFlows('B', 'sg-sin');
    expect([a.replied, b.replied]).toEqual([true, true]);
    expect(a.throughNode).toBeGreaterThanOrEqual(3);
    expect(b.throughNode).toBeGreaterThanOrEqual(3);
  });

  it('never reuses a broken tunnel: tunnel-down on the node (far end dead) or on the router is rebuilt', async () => {
    await teardown(env, ctxFor('pl-waw', 'sg-sin', { keepTunnels: true }));
    await fault({ kind: 'tunnel-down', target: 'pl-waw' });
    await fault({ kind: 'tunnel-down', target: 'tb1-wb' });
    try {
      const info = await provisionTunnels(env, ctxFor('pl-waw', 'sg-sin'));
      expect(reusedOf(info)).toEqual([
        ['A', 'pl-waw', false],
        ['B', 'sg-sin', false],
      ]);
      expect((await trafficFlows('A', 'pl-waw')).replied).toBe(true);
      expect((await trafficFlows('B', 'sg-sin')).replied).toBe(true);
    } finally {
      await fault({ kind: 'tunnel-down', target: 'pl-waw', clear: true });
      await fault({ kind: 'tunnel-down', target: 'tb1-wb', clear: true });
    }
  });

  it('rebuilds the side whose node changed, removes the old node\'s end, and reuses the other side', async () => {
    await teardown(env, ctxFor('pl-waw', 'sg-sin', { keepTunnels: true }));
    const info = await provisionTunnels(env, ctxFor('es-mad', 'sg-sin'));
    expect(reusedOf(info)).toEqual([
      ['A', 'es-mad', false],
      ['B', 'sg-sin', true],
    ]);
    expect(await tunnelLinks()).toEqual([`${nodeNs('es-mad')}:${tunnelIf('A', 'node')}`, `${nodeNs('sg-sin')}:${tunnelIf('B', 'node')}`, `${routerNs('A')}:${tunnelIf('A', 'router')}`, `${routerNs('B')}:${tunnelIf('B', 'router')}`].sort());
    const a = await trafficFlows('A', 'es-mad');
    expect(a.replied).toBe(true);
    expect(a.throughNode).toBeGreaterThanOrEqual(3);
  });

  it('a kept tunnel whose node has become unreachable is not reused: the step fails naming side and node', async () => {
    await teardown(env, ctxFor('es-mad', 'sg-sin', { keepTunnels: true }));
    await fault({ kind: 'link-loss', target: 'es-mad', value: 100 });
    try {
      const err = await provisionTunnels(env, ctxFor('es-mad', 'sg-sin')).then(
        () => null,
        (e: unknown) => e as { type?: string; message?: string },
      );
      expect(err).not.toBeNull();
      expect(err?.message).toMatch(/side A: tunnel mt-tn0-a to node es-mad/);
      expect(['ssh_timeout', 'ssh_unreachable', 'tunnel_failed']).toContain(err?.type);
    } finally {
      await fault({ kind: 'link-loss', target: 'es-mad', clear: true });
    }
  });

  it('the final full teardown leaves no tunnel link on the routers or any node', async () => {
    const result = await teardown(env, ctxFor('es-mad', 'sg-sin'));
    expect(result).toMatchObject({ problems: [], tunnelsKept: false });
    expect(result.released).toContain('tunnels');
    expect(await tunnelLinks()).toEqual([]);
    for (const s of ['A', 'B'] as const) {
      expect(JSON.parse(await ip(['-n', routerNs(s), '-j', 'rule', 'show', 'priority', String(s === 'A' ? 1200 : 1201)]))).toEqual([]);
    }
  });
});
