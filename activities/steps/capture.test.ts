/**
 * The capture steps are idempotent (issue 11, part 3), on the driver topology
 * (testbed/driver-topology.ts): real sshd in the router namespace, real tcpdump. Both "sides" are
 * captures on that one router (different ids).
 * - fetch removes the routers' copies only after BOTH sides are stored and verified: a try whose
 *   side B fails keeps side A's remote file, and the retry stores both and then removes both;
 * - start first stops an older capture of the testbed named in captures.json, and refuses to start
 *   (keeping the file) while one cannot be stopped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { captureStart, captureStop, type RouterCapture, type RouterConfig } from '../../drivers/router';
import { inNs, NS, useTopology } from '../../test/support/world';
import { fetchBoth, startBoth, stopRecorded, type CaptureRouters } from './capture';

jest.setTimeout(60_000);

const topo = useTopology();
const CAPTURE_DIR = '/run/mtsh-step-captures';
let dataDir = '';

const router = (): RouterConfig => ({ ssh: topo().router, lanInterface: 'r-lan', captureDir: CAPTURE_DIR });
/** A router whose SSH port nobody listens on: every operation fails (ssh_unreachable). */
const deadRouter = (): RouterConfig => ({ ...router(), ssh: { ...topo().router, port: 1 } });
const routers = (b: RouterConfig = router(), a: RouterConfig = router()): CaptureRouters => ({ testbed: 'tb-1', sides: { A: { router: a }, B: { router: b } } });
const handlesFile = () => path.join(dataDir, 'runs', 'tb-1', 'captures.json');

async function tcpdumpsOf(id: string): Promise<string[]> {
  const r = await inNs(NS.router, ['pgrep', '-a', 'tcpdump']);
  return r.stdout.split('\n').filter((l) => l.includes(`${CAPTURE_DIR}/${id}`));
}

async function started(id: string): Promise<RouterCapture> {
  const r = await captureStart(router(), { id });
  if (!r.ok) throw new Error(`${r.failure}: ${r.detail}`);
  return r.handle;
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-capture-step-'));
});

afterEach(async () => {
  // a test that failed half-way: stop its tcpdumps by pid
  for (const line of await tcpdumpsOf('')) await inNs(NS.router, ['kill', line.split(' ')[0]]);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(CAPTURE_DIR, { recursive: true, force: true });
});

it('fetch keeps both remote files until both sides are stored and verified; the retry fetches what is missing, then removes both', async () => {
  const handles = await startBoth({ dataDir }, routers(), 'mtsh-fetch');
  await new Promise((r) => setTimeout(r, 500));
  for (const s of ['A', 'B'] as const) {
    const stop = await captureStop(router(), handles[s]);
    if (!stop.ok) throw new Error(`${stop.failure}: ${stop.detail}`);
  }
  const dir = path.join(dataDir, 'artefacts', 'attempt-1');

  // Try 1: side B's router is unreachable. Side A is stored, but its remote copy stays.
  await expect(fetchBoth({ dataDir }, routers(deadRouter()), handles, dir)).rejects.toMatchObject({ type: 'ssh_unreachable' });
  expect(fs.existsSync(path.join(dir, 'capture-A.pcap'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'capture-B.pcap'))).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(fs.existsSync(handles.A.remoteFile)).toBe(true);
  expect(fs.existsSync(handles.B.remoteFile)).toBe(true);
  expect(fs.existsSync(handlesFile())).toBe(true);

  // Try 2 (the retry): both stored and verified, then both remote copies removed.
  const got = await fetchBoth({ dataDir }, routers(), handles, dir);
  expect(got.map((g) => g.side)).toEqual(['A', 'B']);
  for (const g of got) {
    expect(fs.readFileSync(g.local).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(g.bytes).toBe(fs.statSync(g.local).size);
  }
  expect(fs.readdirSync(CAPTURE_DIR)).toEqual([]);
  expect(fs.existsSync(handlesFile())).toBe(false);

  // A third try (the step's result was lost) still succeeds from the stored files.
  const again = await fetchBoth({ dataDir }, routers(), handles, dir);
  expect(again.map((g) => g.bytes)).toEqual(got.map((g) => g.bytes));
});

it('a stored side that is not a whole capture is fetched again', async () => {
  const handles = await startBoth({ dataDir }, routers(), 'mtsh-refetch');
  for (const s of ['A', 'B'] as const) await captureStop(router(), handles[s]);
  const dir = path.join(dataDir, 'artefacts', 'attempt-1');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'capture-A.pcap'), Buffer.from('d4c3b2a10200', 'hex')); // cut short
  const got = await fetchBoth({ dataDir }, routers(), handles, dir);
  expect(got[0].bytes).toBeGreaterThanOrEqual(24);
  expect(fs.readFileSync(got[0].local).readUInt32LE(0)).toBe(0xa1b2c3d4);
});

it('start stops an older tcpdump of the testbed named in captures.json before starting its own', async () => {
  const older = await startBoth({ dataDir }, routers(), 'mtsh-older');
  expect(await tcpdumpsOf('mtsh-older-A')).toHaveLength(1);
  expect(await tcpdumpsOf('mtsh-older-B')).toHaveLength(1);
  const newer = await startBoth({ dataDir }, routers(), 'mtsh-newer');
  expect(await tcpdumpsOf('mtsh-older')).toEqual([]);
  expect(fs.existsSync(older.A.remoteFile)).toBe(false);
  expect(fs.existsSync(older.B.remoteFile)).toBe(false);
  expect(JSON.parse(fs.readFileSync(handlesFile(), 'utf8'))).toEqual(newer);
  expect(await tcpdumpsOf('mtsh-newer')).toHaveLength(2);
  expect(await stopRecorded({ dataDir }, routers())).toEqual([]);
  expect(await tcpdumpsOf('mtsh-newer')).toEqual([]);
  expect(fs.existsSync(handlesFile())).toBe(false);
});

it('start refuses while an older capture cannot be stopped, and keeps its handle', async () => {
  const older = await started('mtsh-stuck-B');
  fs.mkdirSync(path.dirname(handlesFile()), { recursive: true });
  fs.writeFileSync(handlesFile(), JSON.stringify({ B: older }));
  await expect(startBoth({ dataDir }, routers(deadRouter()), 'mtsh-blocked')).rejects.toMatchObject({ type: 'capture_failed' });
  expect(JSON.parse(fs.readFileSync(handlesFile(), 'utf8'))).toEqual({ B: older });
  expect(await tcpdumpsOf('mtsh-blocked')).toEqual([]);
  // Once the router answers again, the next start stops it.
  await startBoth({ dataDir }, routers(), 'mtsh-after');
  expect(await tcpdumpsOf('mtsh-stuck')).toEqual([]);
  expect(await stopRecorded({ dataDir }, routers())).toEqual([]);
});

it('a handle read back from disk cannot make the removal touch other files', async () => {
  const victim = path.join(dataDir, 'victim');
  fs.writeFileSync(victim, 'keep me');
  const h = await started('mtsh-tampered-A');
  fs.mkdirSync(path.dirname(handlesFile()), { recursive: true });
  fs.writeFileSync(handlesFile(), JSON.stringify({ A: { ...h, remoteFile: victim, pidFile: victim, logFile: victim } }));
  expect(await stopRecorded({ dataDir }, routers())).toEqual([]);
  expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
  expect(await tcpdumpsOf('mtsh-tampered')).toEqual([]);
  expect(fs.readdirSync(CAPTURE_DIR)).toEqual([]);
});
