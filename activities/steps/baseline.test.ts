/**
 * The no-app baseline on the driver topology (testbed/driver-topology.ts): real sshd in the router
 * namespace, real tcpdump on its LAN side. A try that loses its tcpdump mid-capture is taken
 * again; a baseline that cannot be taken at all says why and leaves nothing behind.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { testbedsFileLab } from '../labs/testbeds-file';
import { inNs, NS, useTopology } from '../../test/support/world';
import { BASELINE_TRIES, baselineFile, ensureBaseline, type BaselineSide } from './baseline';
import type { StepEnv } from './context';

jest.setTimeout(60_000);

const topo = useTopology();
const CAPTURE_DIR = '/run/mtsh-baseline-captures';
let dataDir = '';

function env(): StepEnv {
  return { baseDir: projectRoot, dataDir, lab: testbedsFileLab(), baselineSeconds: 0.6 };
}

function side(lanInterface = 'r-lan'): BaselineSide {
  return { router: { ssh: topo().router, lanInterface, captureDir: CAPTURE_DIR }, node: { id: 'n1' } };
}

/** Baseline tcpdumps running in the router namespace: `pid cmdline` lines. */
async function baselineTcpdumps(): Promise<string[]> {
  const r = await inNs(NS.router, ['pgrep', '-a', 'tcpdump']);
  return r.stdout.split('\n').filter((l) => l.includes(`${CAPTURE_DIR}/baseline-`));
}

/** The log beside a running baseline capture (the router namespace shares the host's files). */
function readLog(pgrepLine: string): string {
  const pcap = /\s-w\s(\S+\.pcap)/.exec(pgrepLine)?.[1];
  try {
    return pcap ? fs.readFileSync(pcap.replace(/\.pcap$/, '.log'), 'utf8') : '';
  } catch {
    return ''; // not written yet
  }
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-baseline-'));
});

afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(CAPTURE_DIR, { recursive: true, force: true });
});

it('takes the baseline once per campaign and node, then reuses the file', async () => {
  const first = await ensureBaseline(env(), 'c1', 'tb1', side());
  expect(first).toEqual({ node: 'n1', path: 'baselines/c1/tb1/n1.pcap', taken: true, failure: null, earlierFailures: [] });
  expect(fs.readFileSync(baselineFile(env(), 'c1', 'tb1', 'n1')).readUInt32LE(0)).toBe(0xa1b2c3d4); // a pcap from tcpdump
  const again = await ensureBaseline(env(), 'c1', 'tb1', side());
  expect(again).toEqual({ ...first, taken: false });
  expect(fs.readdirSync(CAPTURE_DIR)).toEqual([]); // the remote capture files were removed
});

it('a try whose tcpdump is killed mid-capture is taken again; the first failure stays in the result', async () => {
  let killed = '';
  const killer = (async () => {
    for (let i = 0; i < 200 && !killed; i++) {
      // only a capture that is under way (tcpdump said "listening on"), not one still starting
      const running = (await baselineTcpdumps()).filter((l) => /listening on/.test(readLog(l)));
      if (running.length > 0) {
        killed = running[0];
        await inNs(NS.router, ['kill', '-KILL', running[0].split(' ')[0]]);
      } else await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const info = await ensureBaseline(env(), 'c2', 'tb1', side());
  await killer;
  expect(killed).not.toBe('');
  expect(info).toMatchObject({ node: 'n1', path: 'baselines/c2/tb1/n1.pcap', taken: true, failure: null });
  expect(info.earlierFailures).toHaveLength(1);
  expect(info.earlierFailures[0]).toMatch(/^capture_failed: .*tcpdump \(pid \d+\) for .*baseline-n1-[0-9a-f]{8}\.pcap is not running/);
  expect(fs.existsSync(baselineFile(env(), 'c2', 'tb1', 'n1'))).toBe(true);
  expect(await baselineTcpdumps()).toEqual([]);
  expect(fs.readdirSync(CAPTURE_DIR)).toEqual([]); // also the killed try's files
});

it(`a baseline that fails ${BASELINE_TRIES} times says why, is not cached, and leaves nothing behind`, async () => {
  const info = await ensureBaseline(env(), 'c3', 'tb1', side('nosuchif0'));
  expect(info).toMatchObject({ node: 'n1', path: null, taken: false });
  expect(info.failure).toMatch(/^capture_failed: .*tcpdump on nosuchif0 did not start/);
  expect(info.earlierFailures).toHaveLength(BASELINE_TRIES - 1);
  expect(fs.existsSync(baselineFile(env(), 'c3', 'tb1', 'n1'))).toBe(false);
  expect(fs.readdirSync(path.join(dataDir))).toEqual([]); // no baselines folder, no temporary file
  expect(await baselineTcpdumps()).toEqual([]);
  expect(fs.readdirSync(CAPTURE_DIR)).toEqual([]); // a tcpdump that did not start leaves no log
});

it('a router config the driver refuses is not tried again', async () => {
  const info = await ensureBaseline(env(), 'c4', 'tb1', side('r-lan;reboot'));
  expect(info).toMatchObject({ node: 'n1', path: null, taken: false, earlierFailures: [] });
  expect(info.failure).toMatch(/^config_invalid: /);
});
