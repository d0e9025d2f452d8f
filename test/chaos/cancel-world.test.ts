/**
 * Nothing left behind (issue 11, part 5), on the real emulated world "small" with the real
 * Temporal dev server and real workers: a campaign cancelled mid-measurement (during
 * sendMessage), one cancelled mid-baseline (the 3 s no-app capture of configurePhones), and one
 * terminated mid-measurement. Each time the measurement child ends cancelled (the campaign's
 * parent-close policy requests cancellation; its cleanup runs) and afterwards no host holds a
 * tunnel link, a tcpdump, a capture or pid file, a phone firewall chain, an iptables rule or a
 * policy-routing rule that was not there before the campaign. And a tcpdump left by a worker
 * killed mid-baseline (only its pid file in the router's capture folder names it) is stopped by
 * the next teardown, which signals nothing that is not that tcpdump.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ROUTER_CAPTURE_DIR } from '../../activities/lab';
import { captureStart, type RouterConfig } from '../../drivers/router';
import { isProcessAlive } from '../../ops/pid';
import type { CampaignProgress } from '../../lib/measurement/payloads';
import { dataDir, projectRoot } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE, PROGRESS_QUERY, SA, campaignWorkflowId } from '../../temporal/conventions';
import { knownWorlds, readWorldState } from '../../testbed/world';
import { useTestServer } from '../support/dev-server';
import { releaseAll } from '../support/release';
import { startRealWorkers, type RunningWorkers } from '../support/workers';
import { runCli } from '../world/helpers';

jest.setTimeout(240_000);

const NAMESPACE = 'cancel-world';
const CAMPAIGNS = ['cancel-send', 'cancel-baseline', 'terminate-send', 'cancel-stray'];
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'e2e');

let workers: RunningWorkers | undefined;
let tmpDir = '';
let worldUp = false;
let phoneIds: string[] = [];
/** Each world namespace's state before any campaign ran. */
let before: Record<string, HostState> = {};
let captureDirBefore: string[] = [];

function sh(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${argv.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

function removeCampaignData(): void {
  for (const c of CAMPAIGNS) for (const dir of ['artefacts', 'baselines']) fs.rmSync(path.join(dataDir, dir, c), { recursive: true, force: true });
  fs.rmSync(path.join(dataDir, 'runs', 'tb1'), { recursive: true, force: true });
}

/** One measurement's campaign: Threema, pl-waw -> sg-sin, timers compressed 20x (sendMessage runs ~1 s). */
function writeCampaign(id: string): string {
  const file = path.join(tmpDir, `${id}.yaml`);
  fs.writeFileSync(
    file,
    stringify({
      schema: 'matador.campaign/v1',
      id,
      description: `${id}: cancelled on purpose`,
      nodes: { file: path.join(projectRoot, 'configs', 'nodes', 'planetlab-2015.yaml'), select: ['pl-waw', 'sg-sin'] },
      apps: [path.join(FIXTURES, 'apps', 'threema.yaml')],
      testbeds: { file: path.join(FIXTURES, 'testbeds.yaml') },
      timerScale: 0.05,
      retry: { maxAttempts: 1, initialIntervalSec: 1, backoffCoefficient: 1, maxIntervalSec: 1 },
    }),
  );
  return file;
}

interface HostState {
  links: string[];
  iptables: string[];
  rules: string[];
}

async function worldNamespaces(): Promise<string[]> {
  return (await sh(['ip', 'netns', 'list']))
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => n && n.startsWith('mt-'))
    .sort();
}

/** Links (name and kind), iptables rules (all tables, counters dropped) and ip rules of a namespace. */
async function hostState(ns: string): Promise<HostState> {
  const links = JSON.parse(await sh(['ip', '-n', ns, '-d', '-j', 'link', 'show'])) as Array<{ ifname: string; linkinfo?: { info_kind?: string } }>;
  // Rules and user chains only: a table iptables merely loaded shows its built-in chains, empty.
  let table = '';
  const iptables: string[] = [];
  for (const l of (await sh(['ip', 'netns', 'exec', ns, 'iptables-save'])).split('\n')) {
    if (l.startsWith('*')) table = l.slice(1);
    else if (l.startsWith('-') || (l.startsWith(':') && !/^:(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) ACCEPT /.test(l))) iptables.push(`${table} ${l.replace(/\[\d+:\d+\]/, '')}`);
  }
  const rules = (await sh(['ip', '-n', ns, 'rule', 'show'])).split('\n').filter((l) => l.trim() !== '');
  return { links: links.map((l) => `${l.ifname}:${l.linkinfo?.info_kind ?? ''}`).sort(), iptables, rules };
}

async function snapshot(): Promise<Record<string, HostState>> {
  const out: Record<string, HostState> = {};
  for (const ns of await worldNamespaces()) out[ns] = await hostState(ns);
  return out;
}

/** Every tcpdump on the machine that writes into the routers' capture folder (any namespace). */
function tcpdumps(): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (path.basename(cmd[0]) === 'tcpdump' && cmd.some((a) => a.startsWith(`${ROUTER_CAPTURE_DIR}/`))) out.push(`${e}: ${cmd.join(' ')}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

function captureFiles(): string[] {
  return fs.existsSync(ROUTER_CAPTURE_DIR) ? fs.readdirSync(ROUTER_CAPTURE_DIR).sort() : [];
}

async function firewallRules(phoneId: string): Promise<string[]> {
  const r = await runCli(['testbed', 'exec', phoneId, '--', 'iptables', '-S']);
  if (r.code !== 0) throw new Error(`iptables -S on ${phoneId} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.includes('matador_fw'));
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const others = knownWorlds().filter((w) => w !== 'small');
  if (others.length > 0) throw new Error(`another emulated world is up (${others.join(', ')}): run "matador testbed down" first`);
  removeCampaignData();
  worldUp = true;
  const up = await runCli(['testbed', 'up', 'small']);
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
  const tb1 = readWorldState('small').testbeds.find((t) => t.id === 'tb1')!;
  phoneIds = [tb1.sides.A.phone.id, tb1.sides.B.phone.id];
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-cancel-world-'));
  before = await snapshot();
  captureDirBefore = captureFiles();
});

const live = useTestServer({
  namespaces: [NAMESPACE],
  setup: async ({ native }) => {
    workers = await startRealWorkers({
      connection: native,
      namespace: NAMESPACE,
      resultsFile: path.join(tmpDir, 'results.sqlite'),
      testbeds: ['tb1'],
      measurement: { receiveTimeoutMs: 15_000 },
    });
  },
  teardown: () => workers?.stop(),
});

afterAll(async () => {
  await releaseAll([
    async () => {
      if (worldUp) await runCli(['testbed', 'down']);
    },
    () => removeCampaignData(),
    () => {
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  ]);
});

/** Starts the campaign; returns its handle and the id of its (first) running measurement. */
async function start(campaign: string): Promise<{ handle: ReturnType<ReturnType<typeof live>['client']['workflow']['getHandle']>; measurementId: string }> {
  const client = live().client;
  const handle = await client.workflow.start('campaignWorkflow', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: campaignWorkflowId(campaign), args: [{ config: writeCampaign(campaign) }] });
  const measurementId = await until('a running measurement', async () => {
    const p = (await handle.query(PROGRESS_QUERY).catch(() => undefined)) as CampaignProgress | undefined;
    return p?.running[0];
  });
  return { handle: client.workflow.getHandle(handle.workflowId), measurementId };
}

async function stageOf(measurementId: string): Promise<string | undefined> {
  const d = await live().client.workflow.getHandle(measurementId).describe();
  return d.typedSearchAttributes.get(SA.stage);
}

async function closedStatus(workflowId: string): Promise<string> {
  return until(`${workflowId} to close`, async () => {
    const d = await live().client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? undefined : d.status.name;
  });
}

async function expectNothingLeft(): Promise<void> {
  expect(tcpdumps()).toEqual([]);
  expect(captureFiles()).toEqual(captureDirBefore);
  const after = await snapshot();
  expect(Object.keys(after)).toEqual(Object.keys(before));
  for (const ns of Object.keys(before)) {
    expect({ ns, tunnelLinks: after[ns].links.filter((l) => /^mt-tn|:(vxlan|gre|ipip|gretap|wireguard)$/.test(l)) }).toEqual({ ns, tunnelLinks: [] });
    expect({ ns, ...after[ns] }).toEqual({ ns, ...before[ns] });
  }
  for (const id of phoneIds) expect(await firewallRules(id)).toEqual([]);
}

describe('a cancelled or terminated campaign leaves nothing behind', () => {
  it('cancelled during sendMessage: the measurement is cancelled, its capture aborted and its tunnels torn down', async () => {
    const { handle, measurementId } = await start('cancel-send');
    await until('sendMessage', async () => ((await stageOf(measurementId))?.startsWith('sendMessage') ? true : undefined));
    expect(tcpdumps().length).toBeGreaterThan(0); // the measurement's capture is running
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect(await closedStatus(handle.workflowId)).toBe('CANCELLED');
    expect(await closedStatus(measurementId)).toBe('CANCELLED');
    await expectNothingLeft();
  });

  it('cancelled during the baseline capture: the tcpdump is stopped and its files removed', async () => {
    const { handle, measurementId } = await start('cancel-baseline');
    await until('a baseline tcpdump', () => (tcpdumps().some((t) => t.includes('/baseline-')) ? true : undefined));
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect(await closedStatus(handle.workflowId)).toBe('CANCELLED');
    expect(await closedStatus(measurementId)).toBe('CANCELLED');
    await expectNothingLeft();
  });

  it('terminated during sendMessage: the measurement is cancelled (not terminated) and cleans up', async () => {
    const { handle, measurementId } = await start('terminate-send');
    await until('sendMessage', async () => ((await stageOf(measurementId))?.startsWith('sendMessage') ? true : undefined));
    await handle.terminate('test: terminate mid-measurement');
    expect(await closedStatus(handle.workflowId)).toBe('TERMINATED');
    expect(await closedStatus(measurementId)).toBe('CANCELLED');
    await expectNothingLeft();
  });

  it('a tcpdump that no handle names (a worker killed mid-baseline) is stopped by the teardown; a pid file naming another program is not obeyed', async () => {
    const { handle, measurementId } = await start('cancel-stray');
    const nodeA = measurementId.split('/')[2];
    // What a worker killed during the baseline's 3 s leaves: the router's tcpdump, its pid file.
    const r = readWorldState('small').testbeds.find((t) => t.id === 'tb1')!.sides.A.router;
    const e = r.ssh!;
    const router: RouterConfig = {
      ssh: { host: e.host, port: e.port, username: e.username, privateKeyPath: e.privateKeyPath, knownHostsPath: e.knownHostsFile },
      lanInterface: r.lanIfname,
      captureDir: ROUTER_CAPTURE_DIR,
    };
    const stray = await captureStart(router, { id: `baseline-${nodeA}-stray` });
    expect(stray.ok).toBe(true);
    // A stale pid file whose pid now runs something else.
    const decoy = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(ROUTER_CAPTURE_DIR, `baseline-${nodeA}-decoy.pid`), `${decoy.pid}\n`);
      expect(tcpdumps().some((t) => t.includes(`/baseline-${nodeA}-stray.pcap`))).toBe(true);
      await until('sendMessage', async () => ((await stageOf(measurementId))?.startsWith('sendMessage') ? true : undefined));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      expect(await closedStatus(measurementId)).toBe('CANCELLED');
      await expectNothingLeft();
      expect(isProcessAlive(decoy.pid as number)).toBe(true);
    } finally {
      decoy.kill('SIGKILL');
    }
  });
});
