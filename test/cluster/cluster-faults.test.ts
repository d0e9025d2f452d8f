/**
 * `matador cluster up` with bad input and faults: one line (what, which port or file, how to
 * fix), exit 1, and nothing left running: a taken port, PostgreSQL binaries missing, an ip other
 * hosts cannot reach, and a server that dies at start after PostgreSQL was started (which is
 * stopped again). Heavy (starts PostgreSQL): run under the shared lock.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { isPortFree } from '../../ops/dev-server';
import { clusterFiles } from '../../ops/cluster/paths';
import { defaultClusterBinaries } from '../../ops/cluster/paths';
import { isPostgresRunning, postgresPaths } from '../../ops/cluster/postgres';
import { clusterTempDir, freeClusterPorts, type TestClusterPorts } from '../support/cluster';
import { matador } from '../support/matador-cli';

let root: string;
let dir: string;
let ports: TestClusterPorts;

beforeEach(async () => {
  root = clusterTempDir();
  dir = path.join(root, 'cluster');
  ports = await freeClusterPorts();
});

afterEach(async () => {
  await matador(['cluster', 'down', '--data-dir', dir, '--purge']);
  fs.rmSync(root, { recursive: true, force: true });
});

const up = (extra: string[] = [], env: NodeJS.ProcessEnv = process.env) =>
  matador(['cluster', 'up', '--data-dir', dir, '--port', String(ports.port), '--ui-port', String(ports.uiPort), '--pg-port', String(ports.pgPort), ...extra], { env, timeoutMs: 120_000 });

/** Nothing of this cluster runs: no PostgreSQL in its folder, no state, its ports free. */
async function expectNothingRunning(): Promise<void> {
  expect(isPostgresRunning(postgresPaths(dir, defaultClusterBinaries().pgBinDir))).toBeNull();
  expect(fs.existsSync(clusterFiles(dir).state)).toBe(false);
  expect(await isPortFree(ports.pgPort)).toBe(true);
}

function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

test.each([
  ['the frontend port', (p: TestClusterPorts) => p.port, (p: TestClusterPorts) => `matador: cluster up: --port: port ${p.port} on 127.0.0.1 (frontend) is already in use`],
  ['a derived port (matching)', (p: TestClusterPorts) => p.port + 2, (p: TestClusterPorts) => `matador: cluster up: --port: port ${p.port + 2} on 127.0.0.1 (matching) is already in use`],
  ['the PostgreSQL port', (p: TestClusterPorts) => p.pgPort, (p: TestClusterPorts) => `matador: cluster up: --pg-port: port ${p.pgPort} on 127.0.0.1 is already in use (choose another with --pg-port)`],
])('%s taken: one line naming it, nothing started', async (_what, portOf, expected) => {
  const srv = await occupy(portOf(ports));
  try {
    const r = await up();
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(expected(ports))).toBe(true);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  } finally {
    await new Promise((r) => srv.close(r));
  }
  expect(isPostgresRunning(postgresPaths(dir, defaultClusterBinaries().pgBinDir))).toBeNull();
  expect(fs.existsSync(clusterFiles(dir).state)).toBe(false);
});

test('PostgreSQL binaries missing: one line naming initdb and how to install it', async () => {
  const empty = path.join(root, 'no-postgres');
  fs.mkdirSync(empty);
  const r = await up(['--pg-bin-dir', empty]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`matador: cluster up: PostgreSQL 15 is not installed: ${empty}/initdb is missing (run scripts/setup or apt-get install postgresql-15; --pg-bin-dir / MATADOR_PG_BIN_DIR point elsewhere)\n`);
  await expectNothingRunning();
});

test('the Temporal server binary missing: one line naming it', async () => {
  const missing = path.join(root, 'temporal-server');
  const r = await up([], { ...process.env, MATADOR_TEMPORAL_SERVER_BIN: missing });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`matador: cluster up: Temporal server not found at ${missing} (run scripts/setup to build it)\n`);
  await expectNothingRunning();
});

test.each([['0.0.0.0'], ['not-an-ip']])('--ip %s is refused in one line', async (ip) => {
  const r = await up(['--ip', ip]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^matador: cluster up: --ip: .*\n$/);
  await expectNothingRunning();
});

test('a server that dies at start: PostgreSQL, already running by then, is stopped again', async () => {
  // A "server" that exits at once: everything before it (PostgreSQL, role, schemas) really runs.
  const r = await up([], { ...process.env, MATADOR_TEMPORAL_SERVER_BIN: '/bin/false' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^matador: cluster up: the Temporal server exited with code 1 at start \(log .*temporal\.log.*\)\n$/);
  await expectNothingRunning();
  expect(fs.existsSync(path.join(dir, 'postgres', 'PG_VERSION'))).toBe(true); // the data stays for the next up
});
