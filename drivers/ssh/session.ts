/**
 * The shared node-ssh wrapper of the router and node drivers.
 *
 *   const c = await connectSsh(target);            // DriverResult<{ session }>
 *   if (!c.ok) return c;                            // ssh_unreachable | ssh_auth_failed | ...
 *   try { const r = await c.session.run(['ip', '-j', 'link']); } finally { c.session.close(); }
 *   // or: await withSsh(target, (s) => ...)       // always closes, also on throw
 *
 * Guarantees: host key pinned against `knownHostsPath` (unknown or changed key ->
 * ssh_host_key_mismatch, checked inside the handshake so no credentials are sent to an impostor);
 * key auth only (no password, no keyboard-interactive, no agent); the private key is read from
 * `privateKeyPath` at connect time and never logged or returned; every call has a timeout (also
 * enforced on the remote side with `timeout`, so a hung command does not linger); argv is quoted
 * with drivers/shell-quote.ts.
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import { NodeSSH } from 'node-ssh';
import { shellCommand } from '../shell-quote';
import { DriverFailure, DriverResult, fail } from './failures';
import { checkHostKey, knownHostsName, pinnedKeysFor, PinnedKey } from './known-hosts';

export interface SshTarget {
  /** Address or name the controller connects to. */
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** Reference to the private key file (read at connect time, never logged). */
  privateKeyPath: string;
  /** known_hosts file holding the pinned host key of host:port. */
  knownHostsPath: string;
  /** TCP connect + SSH handshake + auth; default 15 s. */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

export interface RunOptions {
  /** Whole command, default 60 s. The remote side gets `timeout` with the same bound. */
  timeoutMs?: number;
  stdin?: string;
}

export interface CommandOutput {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** `run` fails (typed) only for transport problems or the timeout; a non-zero exit is output. */
export type RunResult = DriverResult<CommandOutput>;

/** Exit code of coreutils/busybox `timeout` when it had to stop the command. */
const REMOTE_TIMEOUT_EXIT = 124;

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Host key algorithms to offer so that the server presents a key type we have pinned. */
function hostKeyAlgorithms(pinned: PinnedKey[]): string[] | undefined {
  const types = new Set<string>();
  for (const p of pinned.filter((k) => !k.revoked)) {
    if (p.keyType === 'ssh-rsa') ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((t) => types.add(t));
    else types.add(p.keyType);
  }
  return types.size > 0 ? [...types] : undefined;
}

function errorField(err: unknown, field: 'level' | 'code' | 'message'): string {
  if (err && typeof err === 'object' && field in err) return String((err as Record<string, unknown>)[field]);
  return '';
}

export class SshSession {
  private closed = false;

  constructor(
    private readonly ssh: NodeSSH,
    /** "user@host:port" for messages. */
    readonly label: string,
  ) {}

  /** Run argv (quoted) with a timeout. Non-zero exit codes are returned, not failures. */
  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const command = shellCommand(['timeout', String(seconds), ...argv]);
    const what = `${this.label}: ${argv[0]}`;
    if (this.closed || !this.ssh.isConnected()) return fail('ssh_connection_lost', `${what}: connection is closed`);
    let timer: NodeJS.Timeout | undefined;
    let channelRef: { close(): void } | undefined;
    const timedOut = new Promise<RunResult>((resolve) => {
      // Grace beyond the remote bound: normally the remote `timeout` fires first (exit 124).
      timer = setTimeout(() => {
        channelRef?.close();
        resolve(fail('ssh_timeout', `${what}: no answer within ${timeoutMs} ms`));
      }, timeoutMs + 3000);
    });
    const ran = this.ssh
      .execCommand(command, {
        stdin: options.stdin,
        noTrim: true,
        onChannel: (ch) => {
          channelRef = ch;
        },
      })
      .then<RunResult>((r) => {
        if (r.code === REMOTE_TIMEOUT_EXIT) return fail('ssh_timeout', `${what}: stopped after ${seconds} s (remote timeout)`);
        return { ok: true, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
      })
      .catch((err: unknown) => fail('ssh_connection_lost', `${what}: ${errorField(err, 'message')}`));
    try {
      return await Promise.race([ran, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Run a fixed script with `sh -c`; dynamic values go in as positional parameters $1.. */
  runScript(script: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return this.run(['sh', '-c', script, 'sh', ...args], options);
  }

  /** Fetch a remote file over SFTP. */
  async getFile(remotePath: string, localPath: string, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<DriverResult<object>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DriverResult<object>>((resolve) => {
      timer = setTimeout(() => resolve(fail('ssh_timeout', `${this.label}: sftp get ${remotePath}: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const get = this.ssh
      .getFile(localPath, remotePath)
      .then<DriverResult<object>>(() => ({ ok: true }))
      .catch((err: unknown) => fail('ssh_connection_lost', `${this.label}: sftp get ${remotePath} -> ${localPath}: ${errorField(err, 'message')}`));
    try {
      const result = await Promise.race([get, timeout]);
      if (!result.ok && result.failure === 'ssh_timeout') this.close(); // abandon the stuck transfer
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ssh.dispose();
  }
}

/**
 * Open a session. Never throws for network/auth/host-key problems: they come back as typed
 * failures. The connection is closed on every failure path.
 */
export async function connectSsh(target: SshTarget): Promise<DriverResult<{ session: SshSession }>> {
  const port = target.port ?? 22;
  const label = `${target.username}@${knownHostsName(target.host, port)}`;
  let knownHosts: string;
  try {
    knownHosts = await fs.readFile(target.knownHostsPath, 'utf8');
  } catch (err) {
    return fail('config_invalid', `${label}: cannot read known_hosts ${target.knownHostsPath}: ${errorField(err, 'code')}`);
  }
  let privateKey: string;
  try {
    privateKey = await fs.readFile(target.privateKeyPath, 'utf8');
  } catch (err) {
    return fail('config_invalid', `${label}: cannot read private key file ${target.privateKeyPath}: ${errorField(err, 'code')}`);
  }
  const pinned = pinnedKeysFor(knownHosts, target.host, port);
  let hostKeyProblem: string | null = null;
  const ssh = new NodeSSH();
  const timeoutMs = target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const connecting = ssh.connect({
      host: target.host,
      port,
      username: target.username,
      privateKey,
      tryKeyboard: false,
      readyTimeout: timeoutMs,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      algorithms: hostKeyAlgorithms(pinned) ? { serverHostKey: hostKeyAlgorithms(pinned) } : undefined,
      hostVerifier: (key: Buffer) => {
        const verdict = checkHostKey(pinned, key);
        if (verdict.ok) return true;
        hostKeyProblem = `${label}: host key ${fingerprint(key)} is ${verdict.reason === 'unknown' ? 'not pinned' : verdict.reason === 'revoked' ? 'revoked' : 'different from the pinned key'} in ${target.knownHostsPath}`;
        return false;
      },
    });
    // A hard bound in case the TCP connect itself hangs longer than the handshake timer covers.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no SSH session within ${timeoutMs} ms`), { level: 'client-timeout' })), timeoutMs + 2000);
    });
    await Promise.race([connecting, deadline]);
    // node-ssh drops its error listener after `ready`; a later socket error must not crash us.
    ssh.connection?.on('error', () => undefined);
    return { ok: true, session: new SshSession(ssh, label) };
  } catch (err) {
    ssh.dispose();
    return fail(...classifyConnectError(err, hostKeyProblem, label));
  } finally {
    clearTimeout(timer);
  }
}

function classifyConnectError(err: unknown, hostKeyProblem: string | null, label: string): [DriverFailure, string] {
  if (hostKeyProblem) return ['ssh_host_key_mismatch', hostKeyProblem];
  const level = errorField(err, 'level');
  const code = errorField(err, 'code');
  const message = errorField(err, 'message');
  if (level === 'client-authentication') return ['ssh_auth_failed', `${label}: server refused the key (${message})`];
  if (level === 'client-timeout' || code === 'ETIMEDOUT') return ['ssh_timeout', `${label}: ${message}`];
  if (level === 'client-socket' || level === 'client-dns' || /^E[A-Z]+$/.test(code)) {
    return ['ssh_unreachable', `${label}: ${code || message}`];
  }
  return ['ssh_unreachable', `${label}: handshake failed: ${message}`];
}

/** Connect, run `fn`, always close. Connect failures are returned; `fn`'s result is passed on. */
export async function withSsh<T extends object>(
  target: SshTarget,
  fn: (session: SshSession) => Promise<DriverResult<T>>,
): Promise<DriverResult<T>> {
  const c = await connectSsh(target);
  if (!c.ok) return c;
  try {
    return await fn(c.session);
  } finally {
    c.session.close();
  }
}
