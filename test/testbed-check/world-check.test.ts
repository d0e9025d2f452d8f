/**
 * `matador testbed check` on the emulated world "small" (issue 9, item 6): real Temporal dev
 * server, real central + testbed workers with the real check step (activities/check), the
 * virtual phones over the real adb server, real sshd on the routers and nodes, real tunnels.
 * A healthy world passes every row (exit 0); each injected fault gives exactly the expected ✘
 * rows, naming the phone or host and what to do (exit 1); `campaign start` refuses to start on a
 * ✘. Nothing is left behind: no tunnel on any router or node after the checks.
 * Adding a fault case is one entry in FAULT_CASES (the fault, and the rows expected to fail).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import type { CheckDocument, CheckRow } from '../../lib/check/rows';
import { projectRoot } from '../../lib/project-paths';
import { TESTBED_CHECK_WORKFLOW_TYPE } from '../../temporal/conventions';
import { knownWorlds, readWorldState } from '../../testbed/world';
import { OPENWRT_FIRST_ROUTER_DEFAULT } from '../../testbed/world/elements';
import { tunnelLeftovers } from '../e2e/helpers';
import { matadorAgainst, type CliRun } from '../support/matador-cli';
import { releaseAll } from '../support/release';
import { useTb1Workers } from '../support/world-workers';
import { runCli } from '../world/helpers';

jest.setTimeout(300_000);

const CAMPAIGN = 'testbed-check';
const NAMESPACE = 'testbed-check';
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'e2e');
const NODES = ['pl-waw', 'es-mad'];
const WORLD_NAMESPACES = ['mt-tb1-wa', 'mt-tb1-wb', ...NODES.map((n) => `mt-n-${n}`)];

let tmpDir = '';
let campaignFile = '';
let worldUp = false;
/** The world's tb1 phones: element id and adb serial per side. */
const phones: Record<'A' | 'B', { id: string; serial: string }> = { A: { id: '', serial: '' }, B: { id: '', serial: '' } };
const seconds: Record<string, number> = {};
/** The side whose router the check tunnels to each node (learnt from the healthy run). */
const tunnelSideTo: Record<string, 'A' | 'B'> = {};

function writeCampaign(dir: string): string {
  const file = path.join(dir, `${CAMPAIGN}.yaml`);
  fs.writeFileSync(
    file,
    stringify({
      schema: 'matador.campaign/v1',
      id: CAMPAIGN,
      description: 'testbed check on the small world',
      nodes: { file: path.join(projectRoot, 'configs', 'nodes', 'planetlab-2015.yaml'), select: NODES },
      apps: [{ file: path.join(FIXTURES, 'apps', 'threema.yaml'), version: '2.41' }, path.join(FIXTURES, 'apps', 'wechat.yaml')],
      testbeds: { file: path.join(FIXTURES, 'testbeds.yaml') },
      timerScale: 0.01,
    }),
  );
  return file;
}

function matador(args: string[]): Promise<CliRun> {
  return matadorAgainst({ address: live().server.address, namespace: NAMESPACE }, args);
}

/** `testbed check --json`: exit code, the document, the rows as printed (stderr). */
async function check(label: string): Promise<{ code: number; doc: CheckDocument; printed: string; rows: CheckRow[] }> {
  const t0 = Date.now();
  const r = await matador(['testbed', 'check', 'tb1', '--campaign', campaignFile, '--json']);
  seconds[label] = (Date.now() - t0) / 1000;
  let doc: CheckDocument;
  try {
    doc = JSON.parse(r.stdout) as CheckDocument;
  } catch {
    throw new Error(`testbed check printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, doc, printed: r.stderr, rows: doc.testbeds.flatMap((t) => t.rows) };
}

beforeAll(async () => {
  const others = knownWorlds().filter((w) => w !== 'small');
  if (others.length > 0) throw new Error(`another emulated world is up (${others.join(', ')}): run "matador testbed down" first`);
  worldUp = true;
  const up = await runCli(['testbed', 'up', 'small']);
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
  const tb1 = readWorldState('small').testbeds.find((t) => t.id === 'tb1')!;
  for (const s of ['A', 'B'] as const) phones[s] = { id: tb1.sides[s].phone.id, serial: tb1.sides[s].phone.adbSerial };
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-testbed-check-'));
  campaignFile = writeCampaign(tmpDir);
});

const live = useTb1Workers(NAMESPACE, () => path.join(tmpDir, 'results.sqlite'));

afterAll(async () => {
  try {
    await releaseAll([
      async () => {
        if (!worldUp) return;
        const down = await runCli(['testbed', 'down']);
        if (down.code !== 0) throw new Error(`matador testbed down failed: ${down.stderr}`);
      },
      () => tmpDir && fs.rmSync(tmpDir, { recursive: true, force: true }),
    ]);
  } finally {
    process.stdout.write(`testbed-check wall times (s): ${Object.entries(seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}\n`);
  }
});

async function leftovers(): Promise<string[]> {
  return (await Promise.all(WORLD_NAMESPACES.map((ns) => tunnelLeftovers(ns)))).flat();
}

it('passes every row on the healthy world, prints each row, exits 0 and leaves no tunnel behind', async () => {
  const r = await check('healthy');
  process.stdout.write(`testbed check on the healthy world:\n${r.printed}`); // the README's example
  expect(r.rows.filter((x) => !x.ok)).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.doc).toMatchObject({ schema: 'matador.testbed-check/v1', campaign: CAMPAIGN, ok: true, failed: 0 });
  // Every subject: both phones (adb, root, version, clock, screen, airplane, location provider, 2 apps x installed + openChat),
  // both routers and both nodes (SSH, tools, privileges, capture dir), both tunnels (up, ping, down).
  const phoneRows = r.rows.filter((x) => x.kind === 'phone');
  expect(phoneRows.map((x) => [x.side, x.target, x.check])).toEqual(
    (['A', 'B'] as const).flatMap((s) => [
      'adb authorised', 'root (su -c id)', 'Android version', 'clock within 2000 ms', 'airplane mode, WLAN only', 'mock-location provider',
      'app threema (ch.threema.app) at 2.41', 'app wechat (com.tencent.mm) installed', 'screen on and unlocked', 'app threema openChat selectors', 'app wechat openChat selectors',
    ].map((c) => [s, phones[s].serial, c])),
  );
  expect(phoneRows.find((x) => x.check === 'Android version')?.detail).toMatch(/^Android 5\.0\.2 \(SDK 21\)/);
  expect(r.rows.filter((x) => x.kind === 'router').map((x) => x.check)).toEqual(expect.arrayContaining(['reachable over SSH, pinned host key', 'privileges']));
  expect(r.rows.filter((x) => x.kind === 'router' && /^capture dir/.test(x.check))).toHaveLength(2);
  // Host kind rows: OpenSSH + GNU + SFTP everywhere, except tb1's router A when it is the OpenWrt-like router.
  const debianKind = /^OpenSSH_\S+, GNU tools, ip json, timeout gnu, fetch sftp$/;
  const kinds = r.rows.filter((x) => x.check === 'host kind (SSH server, tools, ip, fetch)');
  expect(kinds).toHaveLength(4);
  for (const k of kinds) {
    const owrt = OPENWRT_FIRST_ROUTER_DEFAULT && k.kind === 'router' && k.side === 'A';
    expect(k.detail).toMatch(owrt ? /^dropbear_\S+, BusyBox tools, ip text \(BusyBox\), timeout busybox, fetch exec cat \+ sha256$/ : debianKind);
  }
  expect(new Set(r.rows.filter((x) => x.kind === 'node').map((x) => x.target.split('/')[0]))).toEqual(new Set(NODES));
  expect(r.rows.filter((x) => x.kind === 'tunnel').map((x) => [x.side, x.check.replace(/^\S+ tunnel \S+ /, '')])).toEqual([
    ['A', 'up'], ['A', expect.stringMatching(/^ping /)], ['A', 'down'],
    ['B', 'up'], ['B', expect.stringMatching(/^ping /)], ['B', 'down'],
  ]);
  // The table on stderr: one ✔ line per row, nothing else but the header and the summary.
  const lines = r.printed.trim().split('\n');
  expect(lines[0]).toBe(`Checking testbed tb1 of campaign ${CAMPAIGN} on their workers ...`);
  expect(lines.slice(1, -1)).toHaveLength(r.rows.length);
  for (const l of lines.slice(1, -1)) expect(l).toMatch(/^✔ tb1/);
  expect(lines[lines.length - 1]).toBe(`all ${r.rows.length} checks passed`);
  for (const t of r.rows.filter((x) => x.kind === 'tunnel')) tunnelSideTo[t.target.split(' -> ')[1]] = t.side as 'A' | 'B';
  expect(Object.keys(tunnelSideTo).sort()).toEqual([...NODES].sort());
  expect(await leftovers()).toEqual([]);
});

/** A fault of the world (`matador testbed fault ARGS`, cleared with --clear) and the rows it fails. */
interface FaultCase {
  name: string;
  fault: () => string[];
  /** --value of the fault (not repeated when it is cleared) */
  value?: number;
  /** The ✘ rows: side, kind, check (exact or pattern), and text the detail and fix must name. */
  failed: () => Array<{ side: 'A' | 'B' | null; kind: CheckRow['kind']; check: string | RegExp; detail: RegExp; fix: RegExp }>;
}

/** A serial as a literal in a pattern. */
const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const FAULT_CASES: FaultCase[] = [
  {
    name: 'app-missing (WeChat uninstalled from phone A)',
    fault: () => ['app-missing', `${phones.A.id}:wechat`],
    failed: () => [
      { side: 'A', kind: 'phone', check: 'app wechat (com.tencent.mm) installed', detail: new RegExp(`^app_not_installed: .*com\\.tencent\\.mm is not installed on ${phones.A.serial}`), fix: new RegExp(`^install com\\.tencent\\.mm version 6\\.2\\.4 on ${phones.A.serial}`) },
      { side: 'A', kind: 'phone', check: 'app wechat openChat selectors', detail: /^app_not_installed: /, fix: new RegExp(`^install com\\.tencent\\.mm version 6\\.2\\.4 on ${phones.A.serial} first`) },
    ],
  },
  {
    name: 'adb-disconnect (phone B unplugged)',
    fault: () => ['adb-disconnect', phones.B.id],
    failed: () => [{ side: 'B', kind: 'phone', check: 'adb authorised', detail: new RegExp(`^adb_(unreachable|timeout): .*${phones.B.serial.replace(/\./g, '\\.')}`), fix: new RegExp(`^connect ${phones.B.serial.replace(/\./g, '\\.')} .*"device"`) }],
  },
  {
    name: 'adb-unauthorized (phone A revoked the controller\'s adb key)',
    fault: () => ['adb-unauthorized', phones.A.id],
    failed: () => [{ side: 'A', kind: 'phone', check: 'adb authorised', detail: new RegExp(`^adb_unauthorized: .*${esc(phones.A.serial)}`), fix: new RegExp(`^accept the "Allow USB debugging\\?" prompt on ${esc(phones.A.serial)}`) }],
  },
  {
    name: 'location-provider-missing (Appium Settings uninstalled from phone B)',
    fault: () => ['location-provider-missing', phones.B.id],
    failed: () => [{ side: 'B', kind: 'phone', check: 'mock-location provider', detail: new RegExp(`^location_provider_missing: .*io\\.appium\\.settings is not installed on ${esc(phones.B.serial)}`), fix: /^install the Appium Settings app/ }],
  },
  {
    name: 'clock-skew (phone B\'s clock a minute ahead)',
    fault: () => ['clock-skew', phones.B.id],
    value: 60_000,
    failed: () => [{ side: 'B', kind: 'phone', check: 'clock within 2000 ms', detail: /^clock_skew: offset \+6\d{4}\.\d ms/, fix: new RegExp(`^enable automatic date & time on ${esc(phones.B.serial)}`) }],
  },
  {
    name: 'screen-locked (phone A dark, a PIN lock screen up)',
    fault: () => ['screen-locked', phones.A.id],
    failed: () => [{ side: 'A', kind: 'phone', check: 'screen on and unlocked', detail: new RegExp(`^screen_locked: .*${esc(phones.A.serial)}`), fix: new RegExp(`^unlock ${esc(phones.A.serial)}, remove its screen lock`) }],
  },
  {
    name: 'app-version (Threema 2.40 on phone B, the campaign pins 2.41)',
    fault: () => ['app-version', `${phones.B.id}:threema@2.40`],
    failed: () => [{ side: 'B', kind: 'phone', check: 'app threema (ch.threema.app) at 2.41', detail: new RegExp(`^app_version_mismatch: .*ch\\.threema\\.app on ${esc(phones.B.serial)} is version 2\\.40 .*pins 2\\.41`), fix: new RegExp(`^install ch\\.threema\\.app version 2\\.41 on ${esc(phones.B.serial)}`) }],
  },
  {
    name: 'sudo-password (node es-mad\'s login is an admin whose sudo wants a password)',
    fault: () => ['sudo-password', 'es-mad'],
    failed: () => {
      const fix = /^on node matador-nopw@[\d.]+: add `matador-nopw ALL=\(root\) NOPASSWD: ALL` in \/etc\/sudoers\.d\/matador on the host/;
      return [
        { side: null, kind: 'node', check: /^tools \(/, detail: /^privilege_denied: matador-nopw@[\d.]+: sudo -n sh -c '.*': sudo: a password is required: /, fix },
        // es-mad is side B's node of tb1, whose tunnel is WireGuard: its row needs root too (wg, modprobe -n)
        { side: null, kind: 'node', check: 'WireGuard (wg; kernel module or wireguard-go)', detail: /^privilege_denied: matador-nopw@[\d.]+: sudo -n sh -c '.*': sudo: a password is required: /, fix },
        { side: null, kind: 'node', check: 'privileges', detail: /^privilege_denied: matador-nopw@[\d.]+: sudo -n true: sudo: a password is required: /, fix },
        { side: tunnelSideTo['es-mad'], kind: 'tunnel', check: /^\S+ tunnel \S+ up$/, detail: /^privilege_denied: .*matador-nopw@[\d.]+: sudo -n /, fix: /^give the login named above passwordless sudo/ },
      ];
    },
  },
  {
    name: 'link-loss 100% on the access link of node es-mad',
    fault: () => ['link-loss', 'es-mad'],
    value: 100,
    failed: () => [
      { side: null, kind: 'node', check: 'reachable over SSH, pinned host key', detail: /^\S+@[\d.]+:\d+: ssh_(timeout|unreachable): /, fix: /^make [\d.]+:\d+ reachable from the testbed worker's host/ },
      { side: tunnelSideTo['es-mad'], kind: 'tunnel', check: /^\S+ tunnel \S+ up$/, detail: /^ssh_(timeout|unreachable): /, fix: /node es-mad/ },
    ],
  },
];

describe.each(FAULT_CASES)('with the fault $name', (c) => {
  beforeAll(async () => {
    const f = await runCli(['testbed', 'fault', ...c.fault(), ...(c.value !== undefined ? ['--value', String(c.value)] : [])]);
    if (f.code !== 0) throw new Error(`fault ${c.fault().join(' ')} failed: ${f.stderr}`);
  });
  afterAll(async () => {
    const f = await runCli(['testbed', 'fault', ...c.fault(), '--clear']);
    if (f.code !== 0) throw new Error(`clearing fault ${c.fault().join(' ')} failed: ${f.stderr}`);
  });

  it('fails exactly the expected rows, each naming the phone or host and the fix; exit 1', async () => {
    const r = await check(c.name.split(' ')[0]);
    process.stdout.write(`testbed check with ${c.name}, the ✘ rows:\n${r.printed.split('\n').filter((l) => l.startsWith('✘') || l.startsWith('    fix:')).join('\n')}\n`);
    expect(r.code).toBe(1);
    const failed = r.rows.filter((x) => !x.ok);
    const want = c.failed();
    expect(failed.map((x) => [x.side, x.kind, x.check])).toEqual(want.map((w) => [w.side, w.kind, typeof w.check === 'string' ? w.check : expect.stringMatching(w.check)]));
    want.forEach((w, i) => {
      expect(failed[i].detail).toMatch(w.detail);
      expect(failed[i].fix).toMatch(w.fix);
    });
    expect(r.doc).toMatchObject({ ok: false, failed: want.length });
    expect(r.printed).toContain(`    fix: ${failed[0].fix}`);
    expect(r.printed.trim().split('\n').pop()).toBe(`${want.length} of ${r.rows.length} checks failed`);
    expect(await leftovers()).toEqual([]);
  });
});

describe('campaign start', () => {
  beforeAll(async () => {
    const f = await runCli(['testbed', 'fault', 'adb-disconnect', phones.B.id]);
    if (f.code !== 0) throw new Error(`fault adb-disconnect failed: ${f.stderr}`);
  });
  afterAll(async () => {
    await runCli(['testbed', 'fault', 'adb-disconnect', phones.B.id, '--clear']);
  });

  it('runs the check first and refuses to start on a ✘, printing the table', async () => {
    const r = await matador(['campaign', 'start', campaignFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^✘ tb1/B +phone +${phones.B.serial.replace(/\./g, '\\.')} +adb authorised: `, 'm'));
    expect(r.stderr.trim()).toBe(`matador: campaign ${CAMPAIGN} not started: 1 testbed check failed (the ✘ rows above say what to do); fix them, or start with --no-check`);
    expect(r.stdout).not.toContain('Started campaign');
    const started: string[] = [];
    for await (const wf of live().client.workflow.list({ query: `WorkflowType = "campaignWorkflow"` })) started.push(wf.workflowId);
    expect(started).toEqual([]);
    const checks: string[] = [];
    for await (const wf of live().client.workflow.list({ query: `WorkflowType = "${TESTBED_CHECK_WORKFLOW_TYPE}"` })) checks.push(wf.status.name);
    expect(checks.length).toBeGreaterThan(0);
  });
});

it('refuses bad input in one line: an unknown testbed (listing the known ones), a missing or broken campaign file', async () => {
  const unknown = await matador(['testbed', 'check', 'tb9', '--campaign', campaignFile]);
  expect(unknown).toMatchObject({ code: 1, stdout: '' });
  expect(unknown.stderr.trim()).toBe(`matador: ${path.join(FIXTURES, 'testbeds.yaml')}: no testbed "tb9" selected by ${campaignFile} (known: tb1)`);
  const none = await matador(['testbed', 'check']);
  expect(none.stderr.trim()).toMatch(/^matador: testbed check: --campaign FILE is required/);
  const broken = path.join(tmpDir, 'broken.yaml');
  fs.writeFileSync(broken, fs.readFileSync(campaignFile, 'utf8').replace('timerScale: 0.01', 'timerScale: fast'));
  const bad = await matador(['testbed', 'check', '--campaign', broken]);
  expect(bad.code).toBe(1);
  expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^matador: ${broken.replace(/\./g, '\\.')}: timerScale: .*fast`))]);
});
