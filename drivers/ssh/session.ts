/**
 * The shared node-ssh wrapper of the router and node drivers.
 *
 *   const c = await connectSsh(target);            // DriverResult<{ session }>
 *   if (!c.ok) return c;                            // ssh_unreachable | ssh_auth_failed | ...
 *   try { const r = await c.session.run(['ip', '-j', 'link']); } finally { c.session.close(); }
 *   // or: await withSsh(target, (s) => ...)       // always closes, also on throw
 *
 * Inside `withSshScope` (drivers/ssh/scope.ts; every testbed activity of a worker runs in one)
 * both hand out a lease on one connection per target shared by the whole scope: `close()` then
 * releases the lease only and the scope closes the connection when it ends. Outside a scope a
 * session owns its connection and `close()` closes it.
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
import { utils as sshUtils } from 'ssh2';
import { shellCommand } from '../shell-quote';
import { DriverFailure, DriverResult, fail } from './failures';
import { fetchVerified } from './fetch';
import { HostProfile, isRemoteTimeout } from './host-profile';
import { probeHost } from './probe';
import { checkHostKey, knownHostsName, pinnedKeysFor, PinnedKey } from './known-hosts';
import type { SudoMode } from '../../lib/config/fields';
import { ScopedConnection, scopedConnection, sshScopeKey } from './scope';

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
  /** How privileged commands run (drivers/ssh/privilege.ts); default 'auto'. */
  sudo?: SudoMode;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** Options of one remote command (`run`, `runScript`). */
export interface CommandOptions {
  /** Whole command, default 60 s. The remote side gets `timeout` with the same bound. */
  timeoutMs?: number;
  stdin?: string;
  /** false: no remote `timeout` wrapper (the host probe, which runs before we know it exists). */
  remoteTimeout?: boolean;
}

export interface CommandOutput {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** `run` fails (typed) only for transport problems or the timeout; a non-zero exit is output. */
export type RunResult = DriverResult<CommandOutput>;

/** What a connection remembers of its known_hosts and key files (never their content). */
function filesDigest(knownHosts: string, privateKey: string): string {
  return createHash('sha256').update(knownHosts).update('\0').update(privateKey).digest('hex');
}

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

/**
 * Channels at once on a SHARED connection: OpenSSH's default MaxSessions is 10, and calls that
 * used to have a connection each (e.g. 2 x 4 parallel traceroutes on one node) now share one.
 */
export const MAX_CHANNELS_PER_SHARED_CONNECTION = 8;

/** How long a kept connection may take to answer before it is given up for a new handshake. */
export const KEPT_CONNECTION_CHECK_MS = 3_000;

/** How long a connection kept between activities trusts its host profile and login facts. */
export const CONNECTION_FACTS_MAX_AGE_MS = 60_000;

/** Waiting room for channel slots (FIFO). */
class ChannelGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** No channel holds a slot and nobody waits for one. */
  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}

/** One real SSH connection. Sessions are handles on it (the owner, or leases in a scope). */
class SshConnection implements ScopedConnection {
  private disposed = false;
  private lost = false;
  /** Only shared connections limit their channels (outside a scope nothing changes). */
  private gate: ChannelGate | null = null;
  /** What the host offers (drivers/ssh/host-profile.ts), probed once per connection. */
  profile: HostProfile | null = null;
  profiling: Promise<DriverResult<{ profile: HostProfile }>> | null = null;
  /** Facts about the login asked once per connection (e.g. its uid: drivers/ssh/privilege.ts). */
  readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly ssh: NodeSSH,
    /** The target's known_hosts and key files and a digest of what they held at the handshake. */
    private readonly files?: { knownHostsPath: string; privateKeyPath: string; digest: string },
  ) {}

  get usable(): boolean {
    return !this.disposed && !this.lost && this.ssh.isConnected();
  }

  /** File transfers under way (they open channels of their own, outside the gate). */
  transfers = 0;

  get idle(): boolean {
    return this.transfers === 0 && (this.gate?.idle ?? true);
  }

  /** Reused only while known_hosts and the key file hold what they held at the handshake (a
   *  re-pinned or revoked host key, or a replaced key, takes a new handshake). */
  async revalidate(): Promise<boolean> {
    if (!this.files) return false;
    const [knownHosts, privateKey] = await Promise.all([fs.readFile(this.files.knownHostsPath, 'utf8'), fs.readFile(this.files.privateKeyPath, 'utf8')]);
    return filesDigest(knownHosts, privateKey) === this.files.digest && (await this.answers(KEPT_CONNECTION_CHECK_MS));
  }

  /**
   * One round trip that the SSH server answers itself, starting nothing on the host: cancelling a
   * port forward we never asked for (its answer, "no such forward", is all we need). A kept
   * connection whose link went silent (a cable pulled, a route lost) shows here within
   * `timeoutMs` instead of as a command that hangs until the keepalive gives up; the caller then
   * connects anew and gets the connect's own failure (ssh_timeout, ssh_unreachable).
   */
  private answers(timeoutMs: number): Promise<boolean> {
    const client = this.ssh.connection as unknown as { unforwardIn(addr: string, port: number, cb: (err?: Error) => void): void } | null;
    if (!client) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      try {
        client.unforwardIn('127.0.0.1', 1, () => {
          clearTimeout(timer);
          resolve(true);
        });
      } catch {
        clearTimeout(timer);
        resolve(false); // not writable any more
      }
    });
  }

  /** When the host profile and memo were last started afresh. */
  private factsSince = Date.now();

  /** Taken over by the next activity: what was learnt on the connection (host profile, login
   *  facts) stays as within one activity, but is asked again once it is a minute old, so a
   *  connection kept through a whole campaign still notices a tool installed or removed. */
  resetForReuse(): void {
    if (Date.now() - this.factsSince < CONNECTION_FACTS_MAX_AGE_MS) return;
    this.factsSince = Date.now();
    this.profile = null;
    this.profiling = null;
    this.memo.clear();
  }

  /** A command saw the transport fail: a scope must not hand this connection out again. */
  markLost(): void {
    this.lost = true;
  }

  share(): void {
    this.gate ??= new ChannelGate(MAX_CHANNELS_PER_SHARED_CONNECTION);
  }

  /** A channel slot; a no-op release for unshared connections. */
  channelSlot(): Promise<() => void> {
    return this.gate ? this.gate.acquire() : Promise.resolve(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const client = this.ssh.connection;
    this.ssh.dispose();
    // end() sends the disconnect and a FIN; when the host no longer answers (link down, namespace
    // gone) they are never acknowledged and the socket would stay for the kernel's ~15 minutes of
    // retransmissions, holding the process open. A socket still there after the grace is destroyed.
    if (client) setTimeout(() => client.destroy(), SSH_END_GRACE_MS).unref();
  }
}

/** How long a disposed connection may take to close politely before its socket is destroyed. */
export const SSH_END_GRACE_MS = 2000;

export class SshSession {
  private closed = false;

  constructor(
    private readonly connection: SshConnection,
    /** "user@host:port" for messages. */
    readonly label: string,
    /** Owner: `close()` closes the connection. Lease (in a scope): `close()` releases only. */
    private readonly owner = true,
    /** How privileged commands run on this host (drivers/ssh/privilege.ts). */
    readonly sudo: SudoMode = 'auto',
  ) {}

  /** `compute` once per connection (shared by the leases of a scope); a failed result is not kept. */
  perConnection<T extends { ok: boolean }>(key: string, compute: () => Promise<T>): Promise<T> {
    const known = this.connection.memo.get(key) as Promise<T> | undefined;
    if (known) return known;
    const forget = () => this.connection.memo.delete(key);
    const pending = compute().then(
      (r) => {
        if (!r.ok) forget();
        return r;
      },
      (err: unknown) => {
        forget();
        throw err;
      },
    );
    this.connection.memo.set(key, pending);
    return pending;
  }

  /** This handle is open and its connection is still up (a dropped link shows here). */
  get connected(): boolean {
    return !this.closed && this.connection.usable;
  }

  /** Run argv (quoted) with a timeout. Non-zero exit codes are returned, not failures. */
  async run(argv: readonly string[], options: CommandOptions = {}): Promise<RunResult> {
    const release = await this.connection.channelSlot();
    try {
      return await this.runOnChannel(argv, options);
    } finally {
      release();
    }
  }

  private async runOnChannel(argv: readonly string[], options: CommandOptions): Promise<RunResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
    const command = shellCommand([...this.timeoutPrefix(seconds, options.remoteTimeout), ...argv]);
    const what = `${this.label}: ${argv[0]}`;
    const ssh = this.connection.ssh;
    if (this.closed || !ssh.isConnected()) return fail('ssh_connection_lost', `${what}: connection is closed`);
    let timer: NodeJS.Timeout | undefined;
    let channelRef: { close(): void } | undefined;
    const timedOut = new Promise<RunResult>((resolve) => {
      // Grace beyond the remote bound: normally the remote `timeout` fires first (exit 124).
      timer = setTimeout(() => {
        channelRef?.close();
        resolve(fail('ssh_timeout', `${what}: no answer within ${timeoutMs} ms`));
      }, timeoutMs + 3000);
    });
    const ran = ssh
      .execCommand(command, {
        stdin: options.stdin,
        noTrim: true,
        onChannel: (ch) => {
          channelRef = ch;
        },
      })
      .then<RunResult>((r) => {
        if (options.remoteTimeout !== false && isRemoteTimeout(this.connection.profile, r.code, r.signal)) return fail('ssh_timeout', `${what}: stopped after ${seconds} s (remote timeout)`);
        return { ok: true, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
      })
      .catch((err: unknown) => {
        this.connection.markLost();
        return fail('ssh_connection_lost', `${what}: ${errorField(err, 'message')}`);
      });
    try {
      return await Promise.race([ran, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `timeout N` for the remote side, unless the host has no `timeout` (then only the local bound). */
  private timeoutPrefix(seconds: number, wanted?: boolean): string[] {
    if (wanted === false || this.connection.profile?.timeout === 'none') return [];
    return ['timeout', String(seconds)];
  }

  /**
   * What the host offers (JSON ip, SFTP, GNU or BusyBox tools, missing tools), probed on the
   * first call and cached on the connection (shared by every lease in an SSH scope).
   */
  async hostProfile(): Promise<DriverResult<{ profile: HostProfile }>> {
    const c = this.connection;
    if (c.profile) return { ok: true, profile: c.profile };
    c.profiling ??= this.probe().then((r) => {
      if (r.ok) c.profile = r.profile;
      else c.profiling = null; // a transport failure is not cached
      return r;
    });
    return c.profiling;
  }

  private probe(): Promise<DriverResult<{ profile: HostProfile }>> {
    return probeHost({
      ssh: this.connection.ssh,
      label: this.label,
      runBare: (argv, timeoutMs) => this.run(argv, { timeoutMs, remoteTimeout: false }),
      channelSlot: () => this.connection.channelSlot(),
    });
  }

  /** Run a fixed script with `sh -c`; dynamic values go in as positional parameters $1.. */
  runScript(script: string, args: readonly string[], options: CommandOptions = {}): Promise<RunResult> {
    return this.run(['sh', '-c', script, 'sh', ...args], options);
  }

  /**
   * Fetch a remote file, verified (drivers/ssh/fetch.ts): over SFTP when the host offers it, else
   * streamed with `cat` over an exec channel and checked against the host's size and checksum.
   * A mismatch is fetched once more, then `capture_corrupt`; nothing is left at `localPath` then.
   */
  async getFile(remotePath: string, localPath: string, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<DriverResult<{ method: 'sftp' | 'exec'; bytes: number }>> {
    const p = await this.hostProfile();
    if (!p.ok) return p;
    const profile = p.profile;
    return this.getFileBounded(remotePath, timeoutMs, () =>
      fetchVerified(
        {
          ssh: this.connection.ssh,
          label: this.label,
          profile,
          run: (argv, o) => this.run(argv, o),
          timeoutPrefix: (seconds) => this.timeoutPrefix(seconds),
        },
        remotePath,
        localPath,
        timeoutMs,
      ),
    );
  }

  private async getFileBounded<T extends object>(remotePath: string, timeoutMs: number, fetch: () => Promise<DriverResult<T>>): Promise<DriverResult<T>> {
    if (this.closed) return fail('ssh_connection_lost', `${this.label}: get ${remotePath}: connection is closed`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DriverResult<T>>((resolve) => {
      timer = setTimeout(() => resolve(fail('ssh_timeout', `${this.label}: get ${remotePath}: not complete within ${timeoutMs} ms`)), timeoutMs);
    });
    const connection = this.connection;
    connection.transfers++;
    const get = fetch().then(
      (r) => {
        connection.transfers--;
        if (!r.ok && r.failure === 'ssh_connection_lost' && !connection.ssh.isConnected()) connection.markLost();
        return r;
      },
      (err: unknown) => {
        connection.transfers--;
        throw err;
      },
    );
    try {
      const result = await Promise.race([get, timeout]);
      if (!result.ok && result.failure === 'ssh_timeout') {
        // Abandon the stuck transfer: really close the connection, also a shared one (a scope
        // then opens a new connection for the next call).
        this.closed = true;
        this.connection.dispose();
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.owner) this.connection.dispose();
  }
}

/**
 * Open a session. Never throws for network/auth/host-key problems: they come back as typed
 * failures. The connection is closed on every failure path. Inside an SSH scope: a lease on the
 * scope's connection to the target (opened on first use; see drivers/ssh/scope.ts).
 */
export async function connectSsh(target: SshTarget): Promise<DriverResult<{ session: SshSession }>> {
  const label = `${target.username}@${knownHostsName(target.host, target.port ?? 22)}`;
  const shared = await scopedConnection(sshScopeKey(target), label, async () => {
    const opened = await openConnection(target);
    if (opened.ok) opened.connection.share();
    return opened;
  });
  if (shared === null) {
    const own = await openConnection(target);
    return own.ok ? { ok: true, session: new SshSession(own.connection, label, true, target.sudo) } : own;
  }
  return shared.ok ? { ok: true, session: new SshSession(shared.connection, label, false, target.sudo) } : shared;
}

/** One real connection: pinned host key checked in the handshake, key auth only. */
async function openConnection(target: SshTarget): Promise<DriverResult<{ connection: SshConnection }>> {
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
  const unusable = privateKeyProblem(privateKey);
  if (unusable) return fail('config_invalid', `${label}: private key file ${target.privateKeyPath} ${unusable}`);
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
    return { ok: true, connection: new SshConnection(ssh, { knownHostsPath: target.knownHostsPath, privateKeyPath: target.privateKeyPath, digest: filesDigest(knownHosts, privateKey) }) };
  } catch (err) {
    ssh.dispose();
    return fail(...classifyConnectError(err, hostKeyProblem, label));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why a private key cannot be used, without a word of its content: an encrypted key (no
 * passphrase is ever configured) or an unreadable format is a configuration problem, not a
 * network fault to be retried.
 */
export function privateKeyProblem(privateKey: string): string | null {
  const parsed = sshUtils.parseKey(privateKey);
  if (!(parsed instanceof Error)) return null;
  if (/encrypted|passphrase/i.test(parsed.message)) return 'is encrypted: give a key without a passphrase (e.g. a dedicated key for the lab)';
  return `is not a private key ssh2 can read (${parsed.message})`;
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
