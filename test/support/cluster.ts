/**
 * A `matador cluster` for tests (and the multi-host test): started with the built CLI as a user
 * starts it (`matador cluster up --data-dir <temp> --port ... [--tls]`), on a block of free
 * ports, in a temp folder the postgres user can reach. `stop()` runs `cluster down --purge` and,
 * should that fail, stops what the state file names: nothing stays running, the folder goes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isPortFree } from '../../ops/dev-server';
import { clusterDown } from '../../ops/cluster/cluster';
import { clusterPorts } from '../../ops/cluster/declaration';
import { defaultClusterBinaries, readClusterState, type ClusterState } from '../../ops/cluster/paths';
import { postgresPaths, startPostgres, stopPostgres } from '../../ops/cluster/postgres';
import { loadTlsConfig } from '../../ops/temporal-tls';
import type { TemporalTarget } from '../../cli/temporal-client';
import { matador, type CliRun } from './matador-cli';

export interface TestClusterPorts {
  port: number;
  uiPort: number;
  pgPort: number;
}

/** A frontend port whose whole block (7 more), a UI port and a PostgreSQL port are free now. */
export async function freeClusterPorts(ip = '127.0.0.1'): Promise<TestClusterPorts> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 1200) * 10; // membership ports stay below 32768 (MAX_FRONTEND_PORT)
    const wanted = [...Object.values(clusterPorts(port)), port + 8, port + 9];
    let free = true;
    for (const p of wanted) if (!(await isPortFree(p, ip)) || !(await isPortFree(p, '127.0.0.1'))) free = false;
    if (free) return { port, uiPort: port + 8, pgPort: port + 9 };
  }
  throw new Error('no free block of 10 ports found between 20000 and 32000');
}

/** A temp folder the postgres system user may pass through (mkdtemp makes 0700 folders). */
export function clusterTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-cluster-'));
  fs.chmodSync(dir, 0o711);
  return dir;
}

export interface TestCluster extends TestClusterPorts {
  /** The cluster data folder (`--data-dir`). */
  dir: string;
  ip: string;
  address: string;
  state: ClusterState;
  /** `--data-dir DIR` and the ports, for further `matador cluster ...` calls. */
  cliArgs: string[];
  /** The generated client files (with tls), as a worker on another host gets them. */
  clientTls: { cert: string; key: string; ca: string } | null;
  /** The CLI's target for this cluster (TLS loaded from clientTls). */
  target(namespace?: string): TemporalTarget;
  /** TEMPORAL_ADDRESS and TEMPORAL_TLS_* for child processes (workers, CLI). */
  env(): NodeJS.ProcessEnv;
  /** Stops the cluster's PostgreSQL (fault injection: the server keeps running and retries). */
  stopPostgres(): Promise<void>;
  /** Starts it again with the same data, port and settings. */
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestCluster(o: { tls?: boolean; ip?: string; timeoutMs?: number } = {}): Promise<TestCluster> {
  const ip = o.ip ?? '127.0.0.1';
  const root = clusterTempDir();
  const dir = path.join(root, 'cluster');
  const ports = await freeClusterPorts(ip);
  const cliArgs = ['--data-dir', dir];
  const stop = async (): Promise<void> => {
    try {
      await matador(['cluster', 'down', ...cliArgs, '--purge'], { timeoutMs: 60_000 });
    } finally {
      await clusterDown(dir, defaultClusterBinaries().pgBinDir, { purge: true });
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
  let up: CliRun;
  try {
    up = await matador(['cluster', 'up', ...cliArgs, '--ip', ip, '--port', String(ports.port), '--ui-port', String(ports.uiPort), '--pg-port', String(ports.pgPort), ...(o.tls ? ['--tls'] : [])], {
      timeoutMs: o.timeoutMs ?? 180_000,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const state = readClusterState(dir);
  if (up.code !== 0 || !state) {
    await stop();
    throw new Error(`matador cluster up failed (exit ${up.code}): ${up.stderr.trim() || up.stdout.trim()}`);
  }
  const clientTls = state.tls ? { cert: state.tls.clientCert, key: state.tls.clientKey, ca: state.tls.ca } : null;
  return {
    ...ports,
    dir,
    ip,
    address: state.address,
    state,
    cliArgs,
    clientTls,
    target: (namespace = 'default') => ({ address: state.address, namespace, tls: clientTls ? loadTlsConfig(clientTls) : undefined }),
    env: () => ({
      ...process.env,
      TEMPORAL_ADDRESS: state.address,
      ...(clientTls ? { TEMPORAL_TLS_CERT: clientTls.cert, TEMPORAL_TLS_KEY: clientTls.key, TEMPORAL_TLS_CA: clientTls.ca } : {}),
    }),
    stopPostgres: () => stopPostgres(postgresPaths(dir, state.binaries.pgBinDir)),
    startPostgres: async () => {
      await startPostgres(postgresPaths(dir, state.binaries.pgBinDir));
    },
    stop,
  };
}
