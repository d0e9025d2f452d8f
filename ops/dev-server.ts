/**
 * Starting and stopping the Temporal CLI dev server (`temporal server start-dev`). One start
 * function serves `matador server` (persistent db in .matador/, detached or foreground) and the
 * tests (temp db, free ports). The `--search-attribute` flag only registers attributes when it
 * creates the database, so after start the attributes are checked and the missing ones added
 * through the operator API (this also covers extra namespaces). A detached server (`matador
 * server` without --foreground) is found again through its pid file in .matador/.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Connection, type TLSConfig } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { dataDir } from '../lib/project-paths';
import { SEARCH_ATTRIBUTE_NAMES } from '../temporal/conventions';
import { isProcessAlive } from './pid';

export const DEFAULT_GRPC_PORT = 7233;
export const DEFAULT_UI_PORT = 8233;
export const DEFAULT_NAMESPACE = 'default';

/**
 * The history service's timer queue: a timer whose fire time falls within this shift of "now"
 * when the queue reader last loaded is moved to the end of that window, so Temporal's default
 * (1 s) fires no workflow timer sooner than about 1 s after it starts (taskKeyManager, server
 * v1.29.1). `matador server` and the test server lower it (DEV_SERVER_TIMER_SHIFT) so compressed
 * timers (demo, emulated campaigns) run as configured; a timer at least the shift long fires at
 * its time with either value, so campaigns with real (minutes-long) timers are unchanged.
 */
export const TIMER_SHIFT_KEY = 'history.timerProcessorMaxTimeShift';
export const DEV_SERVER_TIMER_SHIFT = '100ms';

/**
 * The queue monitor takes the timer queue's reader for stuck when the last task of this many
 * loads in a row falls due in the same second (server v1.29.1, queues/monitor.go
 * SetReaderWatermark; default 3), and hands that second's timers to a second reader, which fired
 * them 26 s late on average and up to 79 s in the paper run. With the shift lowered the reader
 * loads several times a second under load, so the default took a busy queue for stuck all the time
 * (3,686 alerts in 22 minutes, 135 of 7,379 workflow timers late). 100 loads keeps the mitigation
 * for a reader that is really stuck.
 */
export const READER_STUCK_KEY = 'history.queueReaderStuckCriticalAttempts';
export const DEV_SERVER_READER_STUCK_ATTEMPTS = 100;

/** The dynamic config of a dev server whose timer shift is `shift` (a duration, or 'default' for Temporal's own: nothing set). */
export function timerDynamicConfig(shift: string): Record<string, string | number> {
  if (shift === 'default') return {};
  return { [TIMER_SHIFT_KEY]: shift, [READER_STUCK_KEY]: DEV_SERVER_READER_STUCK_ATTEMPTS };
}

export interface DevServerOptions {
  binary: string;
  /** SQLite file for persistence; omitted = in-memory (gone when the server stops). */
  dbFile?: string;
  ip?: string;
  port: number;
  uiPort: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** Extra namespaces to create (besides `default`); search attributes go into each. */
  namespaces?: string[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where stdout/stderr go: a file (detached servers, tests) or this terminal. */
  output: { logFile: string } | 'inherit';
  /** Survive the parent (matador server without --foreground). */
  detached?: boolean;
  /** How long to wait for the gRPC API and the search attributes. */
  readyTimeoutMs?: number;
  /** Server dynamic config (`--dynamic-config-value KEY=JSON`), e.g. COMPRESSED_TIMERS_DYNAMIC_CONFIG. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
}

export interface DevServer {
  pid: number;
  address: string;
  uiUrl: string | null;
  child: ChildProcess;
  /** Stops the server (SIGTERM, SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * SQLite settings of a server with a database file: a write-ahead log, synced at checkpoints
 * instead of at every transaction. With SQLite's default rollback journal every history write
 * waits for its fsyncs; at paper scale SQLite's commits and syncs were about a third of the
 * server's samples (perf), and the server used more CPU per measurement than the in-memory one
 * of the benches. What it costs: a crash of the server process loses nothing (the log is in
 * the kernel's page cache), a power loss or kernel crash may roll back the last transactions;
 * Temporal then runs those tasks again, and every write of a measurement is idempotent per
 * measurement id. The log is kept beside the file (`<db>-wal`, `<db>-shm`).
 */
export const FILE_DB_SQLITE_PRAGMAS: Readonly<Record<string, string>> = { journal_mode: 'wal', synchronous: 'normal' };

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip ?? '127.0.0.1', '--port', String(o.port), '--ui-port', String(o.uiPort)];
  if (o.dbFile) {
    args.push('--db-filename', o.dbFile);
    for (const [pragma, value] of Object.entries(FILE_DB_SQLITE_PRAGMAS)) args.push('--sqlite-pragma', `${pragma}=${value}`);
  }
  if (o.headless) args.push('--headless');
  for (const ns of o.namespaces ?? []) args.push('--namespace', ns);
  for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);
  for (const [key, value] of Object.entries(o.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  args.push('--log-level', o.logLevel ?? 'warn');
  return args;
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  if (!fs.existsSync(o.binary)) throw new Error(`temporal CLI not found at ${o.binary} (set MATADOR_TEMPORAL_BIN or run scripts/setup)`);
  for (const port of [o.port, ...(o.headless ? [] : [o.uiPort])]) {
    if (!(await isPortFree(port, o.ip ?? '127.0.0.1'))) throw new Error(`port ${port} on ${o.ip ?? '127.0.0.1'} is already in use`);
  }
  let stdio: ['ignore', number | 'inherit', number | 'inherit'];
  let logFd: number | null = null;
  if (o.output === 'inherit') stdio = ['ignore', 'inherit', 'inherit'];
  else {
    logFd = fs.openSync(o.output.logFile, 'a');
    stdio = ['ignore', logFd, logFd];
  }
  const child = spawn(o.binary, devServerArgs(o), { stdio, detached: o.detached ?? false });
  if (logFd !== null) fs.closeSync(logFd);
  if (o.detached) child.unref();
  const address = `${o.ip ?? '127.0.0.1'}:${o.port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const server: DevServer = {
    pid: child.pid ?? -1,
    address,
    uiUrl: o.headless ? null : `http://${o.ip ?? '127.0.0.1'}:${o.uiPort}`,
    child,
    async stop() {
      if (exitCode !== undefined || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    const ready = waitUntilReady(address, [DEFAULT_NAMESPACE, ...(o.namespaces ?? [])], o.readyTimeoutMs ?? 60_000, () => exitCode !== undefined);
    const failure = Promise.race([
      spawnError.then((e) => Promise.reject(new Error(`cannot start ${o.binary}: ${e.message}`))),
      exited.then((code) => Promise.reject(new Error(`temporal dev server exited with code ${code} before it was ready${logHint(o)}`))),
    ]);
    await Promise.race([ready, failure]);
    void failure.catch(() => undefined);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

function logHint(o: DevServerOptions): string {
  if (o.output === 'inherit') return '';
  try {
    const tail = fs.readFileSync(o.output.logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
    return tail ? ` (log ${o.output.logFile}: ${tail})` : ` (log ${o.output.logFile})`;
  } catch {
    return '';
  }
}

/** Connects until the namespaces answer, then makes sure the Matador search attributes exist. */
export async function waitUntilReady(address: string, namespaces: string[], timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  await retryUntilReady({ address, what: 'temporal dev server', timeoutMs, gaveUp, retryMs: 250 }, async (connection) => {
    for (const namespace of namespaces) {
      await connection.workflowService.describeNamespace({ namespace });
      await ensureSearchAttributes(connection, namespace);
    }
  });
}

/**
 * Connects and runs `step` until it succeeds (a fresh server answers after a few seconds and
 * its caches catch up later), or `timeoutMs` passes, or `gaveUp` says the server exited (then
 * the caller reports that). The dev server's and `matador cluster up`'s wait.
 */
export async function retryUntilReady(
  o: { address: string; what: string; timeoutMs: number; gaveUp: () => boolean; retryMs: number; tls?: TLSConfig },
  step: (connection: Connection) => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !o.gaveUp()) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: o.address, tls: o.tls, connectTimeout: 2000 });
      await step(connection);
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, o.retryMs));
    } finally {
      await connection?.close();
    }
  }
  if (o.gaveUp()) return;
  throw new Error(`${o.what} at ${o.address} not ready after ${Math.round(o.timeoutMs / 1000)} s: ${((lastError as Error)?.message ?? 'no answer').split('\n')[0]}`);
}

/** Adds the Matador Keyword search attributes a namespace lacks; returns the names it added. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const present = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !present.has(name));
  if (missing.length === 0) return [];
  const keyword = encodeSearchAttributeIndexedValueType('KEYWORD');
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword!])),
  });
  return missing;
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now (tests). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** What `matador server` writes to .matador/temporal.pid for a server it started. */
export interface ServerPidFile {
  pid: number;
  address: string;
  uiUrl: string | null;
  dbFile: string;
  logFile: string | null;
  startedAt: string;
}

export const serverPidFilePath = (): string => path.join(dataDir, 'temporal.pid');
export const serverLogFilePath = (): string => path.join(dataDir, 'temporal.log');
export const defaultServerDbFile = (): string => path.join(dataDir, 'temporal.db');

export function readServerPidFile(): ServerPidFile | null {
  try {
    return JSON.parse(fs.readFileSync(serverPidFilePath(), 'utf8')) as ServerPidFile;
  } catch {
    return null;
  }
}

export function writeServerPidFile(info: ServerPidFile): void {
  fs.writeFileSync(serverPidFilePath(), `${JSON.stringify(info)}\n`);
}

export function removeServerPidFile(): void {
  fs.rmSync(serverPidFilePath(), { force: true });
}

/** The pid is ours only if it is alive and still a `temporal server start-dev` (pids get reused). */
function isOurServer(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('start-dev');
  } catch {
    return true; // no /proc: trust the pid file
  }
}

/** The detached server of the pid file if it still runs; a stale pid file is removed. */
export function runningServer(): ServerPidFile | null {
  const info = readServerPidFile();
  if (info && isOurServer(info.pid)) return info;
  if (info) removeServerPidFile(); // stale
  return null;
}

/** SIGTERM, SIGKILL after 15 s; removes the pid file. */
export async function stopDetachedServer(info: ServerPidFile): Promise<void> {
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isProcessAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isProcessAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  removeServerPidFile();
}
