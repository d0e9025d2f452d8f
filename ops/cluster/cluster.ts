/**
 * `matador cluster up|down|status`: PostgreSQL, the Temporal server and (when built) the Web UI
 * server, started by the project in one data folder. `up` checks everything it can before it
 * starts anything (binaries, ports, the listen ip) and stops again whatever it started when a
 * later step fails, so a failed `up` leaves nothing running. A second `up` finds the cluster
 * running and leaves it alone; after `down`, `up` keeps the data (initdb and the schema steps
 * skip what exists).
 */
import * as fs from 'fs';
import * as net from 'net';
import { isPortFree } from '../dev-server';
import { loadTlsConfig } from '../temporal-tls';
import { CLUSTER, clusterPorts, MAX_FRONTEND_PORT } from './declaration';
import { clusterFiles, readClusterState, writeClusterState, type ClusterBinaries, type ClusterState } from './paths';
import { checkPostgresBinaries, ensureTemporalRole, isPostgresRunning, postgresPaths, preparePostgres, readPassword, startPostgres, stopPostgres } from './postgres';
import { applySchemas } from './schema';
import { serverConfigYaml } from './server-config';
import { isRunning, lastLogLines, portAnswers, serverArgs, spawnDetached, stopProcess, uiArgs, uiConfig, writePrivateFile } from './services';
import { setUpNamespace } from './namespace';
import { ensureClusterTls, type ClusterTlsFiles } from './tls';

export interface ClusterUpOptions {
  dir: string;
  ip: string;
  port: number;
  uiPort: number;
  pgPort: number;
  tls: boolean;
  binaries: ClusterBinaries;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export type ClusterUpResult = { already: true; state: ClusterState } | { already: false; state: ClusterState; uiMissing: boolean };

/** What runs of a cluster folder right now. */
export function clusterProcesses(dir: string): { state: ClusterState | null; server: boolean; ui: boolean; postgres: number | null } {
  const state = readClusterState(dir);
  const pgBin = state?.binaries.pgBinDir;
  return {
    state,
    server: state ? isRunning(state.serverPid, state.binaries.server) : false,
    ui: state ? isRunning(state.uiPid, state.binaries.ui) : false,
    postgres: isPostgresRunning(postgresPaths(dir, pgBin ?? '')),
  };
}

function checkIp(ip: string): void {
  if (!net.isIP(ip)) throw new Error(`--ip: expected an IP address of this host, got ${JSON.stringify(ip)}`);
  if (ip === '0.0.0.0' || ip === '::') throw new Error(`--ip: ${ip} is not an address other hosts can reach; give this host's address (the services advertise it to each other)`);
}

/** Everything that can be checked before starting: one line naming what is missing or taken. */
export async function preflight(o: ClusterUpOptions): Promise<void> {
  checkIp(o.ip);
  if (o.port < 1 || o.port > MAX_FRONTEND_PORT) throw new Error(`--port: ${o.port} is too high: the cluster uses it and the 7 ports after it, and the SQL schema stores membership ports as smallint (at most ${MAX_FRONTEND_PORT})`);
  checkPostgresBinaries(o.binaries.pgBinDir);
  for (const [what, file] of [['Temporal server', o.binaries.server], ['temporal-sql-tool', o.binaries.sqlTool]] as const) {
    if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file} (run scripts/setup to build it)`);
  }
  for (const db of CLUSTER.databases) {
    const dir = `${o.binaries.schemaRoot}/${db.schemaDir}`;
    if (!fs.existsSync(dir)) throw new Error(`schema folder ${dir} not found (run scripts/setup, which copies it from the server module)`);
  }
  if (!(await isPortFree(o.pgPort, '127.0.0.1'))) throw new Error(`--pg-port: port ${o.pgPort} on 127.0.0.1 is already in use (choose another with --pg-port)`);
  for (const [role, port] of Object.entries(clusterPorts(o.port))) {
    if (!(await isPortFree(port, o.ip))) {
      throw new Error(`--port: port ${port} on ${o.ip} (${role}) is already in use (the cluster uses --port and the 7 ports after it; choose another --port)`);
    }
  }
  if (fs.existsSync(o.binaries.ui) && !(await isPortFree(o.uiPort, o.ip))) throw new Error(`--ui-port: port ${o.uiPort} on ${o.ip} is already in use (choose another with --ui-port)`);
}

export async function clusterUp(o: ClusterUpOptions): Promise<ClusterUpResult> {
  const log = o.log ?? (() => undefined);
  const running = clusterProcesses(o.dir);
  if (running.state?.complete && running.server && running.postgres) return { already: true, state: running.state };
  if (running.server || running.ui || running.postgres) {
    log('a part of the cluster was still running: stopping it first');
    await clusterDown(o.dir, o.binaries.pgBinDir);
  }
  await preflight(o);
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(o.dir, 0o711); // the postgres user passes through to its own folders
  const files = clusterFiles(o.dir);
  const pg = postgresPaths(o.dir, o.binaries.pgBinDir);
  const address = `${o.ip}:${o.port}`;
  const started: { pg: boolean; server: number | null; ui: number | null } = { pg: false, server: null, ui: null };
  try {
    const tls: ClusterTlsFiles | null = o.tls ? await ensureClusterTls(files.tlsDir, o.ip) : null;
    await preparePostgres(pg, o.pgPort);
    await startPostgres(pg);
    started.pg = true;
    log(`PostgreSQL on 127.0.0.1:${o.pgPort}`);
    await ensureTemporalRole(pg, o.pgPort);
    await applySchemas({ sqlTool: o.binaries.sqlTool, schemaRoot: o.binaries.schemaRoot, pgPort: o.pgPort, password: readPassword(pg) }, log);
    writePrivateFile(files.serverConfig, serverConfigYaml({ ip: o.ip, port: o.port, pgPort: o.pgPort, pgPassword: readPassword(pg), tls }));
    const state: ClusterState = {
      ip: o.ip,
      port: o.port,
      uiPort: o.uiPort,
      pgPort: o.pgPort,
      address,
      uiUrl: null,
      tls,
      serverPid: -1,
      uiPid: null,
      pgPid: isPostgresRunning(pg) ?? -1,
      binaries: o.binaries,
      startedAt: new Date().toISOString(),
      complete: false,
    };
    const server = spawnDetached(o.binaries.server, serverArgs(files.serverRoot), files.serverLog);
    started.server = server.pid;
    state.serverPid = server.pid;
    writeClusterState(o.dir, state); // from here on `down` finds the server even if this process dies
    let exitCode: number | null | undefined;
    void server.exited.then((c) => (exitCode = c));
    const clientTls = tls ? loadTlsConfig({ cert: tls.clientCert, key: tls.clientKey, ca: tls.ca, serverName: 'localhost' }) : undefined;
    await setUpNamespace({ address, tls: clientTls, timeoutMs: o.readyTimeoutMs ?? 120_000, gaveUp: () => exitCode !== undefined });
    if (exitCode !== undefined) throw new Error(`the Temporal server exited with code ${exitCode} at start (log ${files.serverLog}: ${lastLogLines(files.serverLog)})`);
    log(`Temporal server ${CLUSTER.serverVersion} on ${address}`);
    const uiMissing = !fs.existsSync(o.binaries.ui);
    if (!uiMissing) {
      writePrivateFile(files.uiConfig, uiConfig({ ip: o.ip, uiPort: o.uiPort, address, namespace: CLUSTER.namespace, tls }));
      const ui = spawnDetached(o.binaries.ui, uiArgs(files.uiRoot), files.uiLog);
      started.ui = ui.pid;
      state.uiPid = ui.pid;
      writeClusterState(o.dir, state);
      await waitForPort(o.ip, o.uiPort, 30_000, files.uiLog, () => isRunning(ui.pid, o.binaries.ui));
      state.uiUrl = `http://${o.ip}:${o.uiPort}`;
    }
    state.complete = true;
    writeClusterState(o.dir, state);
    return { already: false, state, uiMissing };
  } catch (err) {
    await stopProcess(started.ui, o.binaries.ui, 5000).catch(() => undefined);
    await stopProcess(started.server, o.binaries.server, 10_000).catch(() => undefined);
    if (started.pg) await stopPostgres(pg).catch(() => undefined);
    fs.rmSync(files.state, { force: true });
    throw err;
  }
}

async function waitForPort(host: string, port: number, timeoutMs: number, logFile: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portAnswers(host, port)) return;
    if (!alive()) throw new Error(`the Web UI server exited at start (log ${logFile}: ${lastLogLines(logFile)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Web UI server did not open ${host}:${port} within ${timeoutMs / 1000} s (log ${logFile})`);
}

/** Stops the UI, the server, then PostgreSQL; idempotent. Returns what it stopped. */
export async function clusterDown(dir: string, pgBinDir: string, o: { purge?: boolean } = {}): Promise<string[]> {
  const state = readClusterState(dir);
  const stopped: string[] = [];
  if (state) {
    if (await stopProcess(state.uiPid, state.binaries.ui, 5000)) stopped.push(`Web UI server (pid ${state.uiPid})`);
    if (await stopProcess(state.serverPid, state.binaries.server)) stopped.push(`Temporal server (pid ${state.serverPid})`);
  }
  const pg = postgresPaths(dir, state?.binaries.pgBinDir ?? pgBinDir);
  const pgPid = isPostgresRunning(pg);
  if (pgPid) {
    await stopPostgres(pg);
    stopped.push(`PostgreSQL (pid ${pgPid})`);
  }
  fs.rmSync(clusterFiles(dir).state, { force: true });
  if (o.purge) fs.rmSync(dir, { recursive: true, force: true });
  return stopped;
}
