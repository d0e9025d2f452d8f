/**
 * What the world's SSH servers (testbed/sshd.ts: OpenSSH, testbed/dropbear.ts: Dropbear) share:
 * stopping a server process, also one recorded in a pid file by a run that crashed, and checking
 * the public key lines they are given.
 */
import type { ChildProcess } from 'child_process';
import { promises as fs } from 'fs';
import { isIP } from 'net';
import * as path from 'path';
import { isProcessAlive } from '../ops/pid';

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after 3 s; resolves when the process is gone. */
export async function terminate(pid: number): Promise<void> {
  if (!isProcessAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 30 && isProcessAlive(pid); i++) await sleep(100);
  if (isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 30 && isProcessAlive(pid); i++) await sleep(100);
  }
}

/** Stop the server recorded in `pidFile` when `isOurs` confirms the pid is still it (a recycled
 *  pid is someone else's), then remove the file. Missing file: no-op. */
export async function stopByPidFile(pidFile: string, isOurs: (pid: number) => Promise<boolean>): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number(text.trim());
  if (Number.isInteger(pid) && pid > 1 && (await isOurs(pid))) await terminate(pid);
  await fs.rm(pidFile, { force: true });
}

/** One authorized_keys line, trimmed; throws (naming `who`) for anything else. */
export function validatePublicKeyLine(line: string, who: string): string {
  const trimmed = line.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( [^\n\r]*)?$/.test(trimmed)) {
    throw new Error(`${who}: authorizedKeys entry is not a single public key line: ${JSON.stringify(line.slice(0, 60))}`);
  }
  return trimmed;
}

/**
 * Wait until a just-spawned server is ready (`ready(log)` on its log file's text), it exits, or
 * `timeoutMs` passes (then it is stopped). Returns its pid; throws naming `what` and the log's end.
 */
export async function awaitServerStart(child: ChildProcess, o: { what: string; logFile: string; timeoutMs: number; ready: (log: string) => boolean | Promise<boolean> }): Promise<number> {
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `exit code ${code} signal ${signal}`;
  });
  child.on('error', (err) => {
    exited = err.message;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${o.what}: could not spawn`);
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const log = await fs.readFile(o.logFile, 'utf8');
    if (await o.ready(log)) return pid;
    if (exited !== null || Date.now() > deadline) {
      if (exited === null) await terminate(pid);
      throw new Error(`${o.what} did not start (${exited ?? 'timeout'}); log ${o.logFile}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await sleep(50);
  }
}

/** The handles' idempotent `stop()`: terminate, remove the pid file. */
export function stopOnce(pid: number, pidFile: string): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await terminate(pid);
    await fs.rm(pidFile, { force: true });
  };
}

/** The start options every server checks before anything runs; makes stateDir (0700). */
export async function checkedServerBase(who: string, o: { netns: string; listenAddress: string; port?: number; stateDir: string }): Promise<{ port: number; stateDir: string; hostName: string }> {
  const port = o.port ?? 22;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(o.netns)) throw new Error(`${who}: bad netns name ${JSON.stringify(o.netns)}`);
  if (isIP(o.listenAddress) === 0) throw new Error(`${who}: listenAddress is not an IP address: ${JSON.stringify(o.listenAddress)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${who}: bad port ${port}`);
  const stateDir = path.resolve(o.stateDir);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await fs.chmod(stateDir, 0o700);
  // known_hosts names: "addr" for port 22, "[addr]:port" otherwise (drivers/ssh/known-hosts).
  return { port, stateDir, hostName: port === 22 ? o.listenAddress : `[${o.listenAddress}]:${port}` };
}

/** The fields both servers' handles share (testbed/sshd.ts SshdHandle, testbed/dropbear.ts). */
export interface ServerHandle {
  pid: number;
  netns: string;
  listenAddress: string;
  port: number;
  /** "ssh-ed25519 AAAA..." (no comment). */
  hostPublicKey: string;
  /** known_hosts line pinning this server. */
  hostKeyLine: string;
  pidFile: string;
  logFile: string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the listener is gone. Idempotent. */
  stop(): Promise<void>;
}

export function serverHandle(o: Omit<ServerHandle, 'hostKeyLine' | 'stop'> & { hostName: string }): ServerHandle {
  const { hostName, ...rest } = o;
  return { ...rest, hostKeyLine: `${hostName} ${o.hostPublicKey}`, stop: stopOnce(o.pid, o.pidFile) };
}
