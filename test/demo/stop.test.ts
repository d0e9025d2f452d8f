/**
 * `matador demo --stop` and the demo's worker processes, in a private data folder
 * (MATADOR_DATA_DIR): real `matador server` (own ports, headless), real detached
 * `matador worker` processes started and reused by ensureWorkers, then `demo --stop` twice.
 * The world is never touched: the private data folder has no world state.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../../ops/dev-server';
import { isProcessAlive } from '../../ops/pid';
import { matador as matadorCli, type CliRun } from '../support/matador-cli';

type Processes = typeof import('../../ops/processes');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-demo-stop-'));
const env = { ...process.env, MATADOR_DATA_DIR: tmp, MATADOR_RESULTS_DB: path.join(tmp, 'results.sqlite') };

function matador(args: string[]): Promise<CliRun> {
  return matadorCli(args, { env, timeoutMs: 120_000 });
}

let procs: Processes;
let address: string;
const previousDataDir = process.env.MATADOR_DATA_DIR;
const previousResultsDb = process.env.MATADOR_RESULTS_DB;

beforeAll(async () => {
  // dataDir is read when lib/project-paths loads: load the module with the private folder set.
  process.env.MATADOR_DATA_DIR = tmp;
  jest.resetModules();
  procs = await import('../../ops/processes');
  const port = await freePort();
  const uiPort = await freePort();
  address = `127.0.0.1:${port}`;
  const started = await matador(['server', '--port', String(port), '--ui-port', String(uiPort), '--headless']);
  if (started.code !== 0) throw new Error(`matador server failed: ${started.stderr}`);
}, 120_000);

afterAll(async () => {
  // Whatever happened above: stop what the pid files name, then drop the folder.
  await matador(['demo', '--stop']);
  for (const info of procs?.readWorkerPidFiles() ?? []) if (isProcessAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  if (previousDataDir === undefined) delete process.env.MATADOR_DATA_DIR;
  else process.env.MATADOR_DATA_DIR = previousDataDir;
  if (previousResultsDb === undefined) delete process.env.MATADOR_RESULTS_DB;
  else process.env.MATADOR_RESULTS_DB = previousResultsDb;
  fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('demo workers and demo --stop', () => {
  let pids: number[] = [];

  it('starts detached workers with pid files and logs, and reuses them on the next run', async () => {
    const specs = [{ role: 'central' as const }, { role: 'testbed' as const, testbed: 'tb1' }];
    // The worker processes inherit this environment: their results store stays in tmp too.
    process.env.MATADOR_RESULTS_DB = env.MATADOR_RESULTS_DB;
    const first = await procs.ensureWorkers({ address, namespace: 'default', workers: specs });
    expect(first.map((w) => [w.name, w.reused])).toEqual([
      ['central', false],
      ['testbed-tb1', false],
    ]);
    pids = first.map((w) => w.pid);
    expect(pids.every(isProcessAlive)).toBe(true);
    expect(fs.readFileSync(path.join(tmp, 'workers', 'testbed-tb1.log'), 'utf8')).toContain(`matador worker (testbed) on ${address}, namespace default, task queue testbed-tb1`);
    expect(procs.readWorkerPidFiles().map((p) => [p.name, p.pid, p.address])).toEqual([
      ['central', pids[0], address],
      ['testbed-tb1', pids[1], address],
    ]);

    const second = await procs.ensureWorkers({ address, namespace: 'default', workers: specs });
    expect(second.map((w) => [w.name, w.pid, w.reused])).toEqual([
      ['central', pids[0], true],
      ['testbed-tb1', pids[1], true],
    ]);
  }, 240_000);

  it('demo --stop ends workers and server; a second --stop finds nothing and still succeeds', async () => {
    const stop = await matador(['demo', '--stop']);
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/\[demo\] worker central \(pid \d+\): (stopped|killed)/);
    expect(stop.stdout).toMatch(/\[demo\] worker testbed-tb1 \(pid \d+\): (stopped|killed)/);
    expect(stop.stdout).toMatch(/\[demo\] server: Temporal dev server stopped \(pid \d+\)/);
    expect(stop.stdout).toContain('[demo] world: none up here');
    expect(pids.some(isProcessAlive)).toBe(false);
    expect(procs.readWorkerPidFiles()).toEqual([]);
    expect(fs.existsSync(path.join(tmp, 'temporal.pid'))).toBe(false);

    const again = await matador(['demo', '--stop']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(['[demo] workers: none running', '[demo] server: Temporal dev server: not running', '[demo] world: none up here', ''].join('\n'));
  }, 120_000);
});
