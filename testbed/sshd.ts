/**
 * The one way the emulated world runs a real OpenSSH server inside a network namespace (vantage
 * nodes and WLAN routers). Everyone who launches sshd in the world uses this module.
 *
 * API
 *   generateClientKey(dir, name?)            -> { privateKeyPath, publicKeyPath, publicKeyLine }
 *       ed25519 key pair for the controller (the drivers get only `privateKeyPath`).
 *   startSshd({ netns, listenAddress, port?, stateDir, authorizedKeys, loginUsers?, startTimeoutMs? })
 *                                            -> SshdHandle { pid, hostPublicKey, hostKeyLine,
 *                                               pidFile, logFile, configFile, stop() }
 *       Generates the host key once per stateDir (kept across restarts so the pin stays valid;
 *       delete `<stateDir>/ssh_host_ed25519_key*` to rotate), writes sshd_config + authorized_keys,
 *       runs `ip netns exec NETNS /usr/sbin/sshd -D -f CONFIG -h HOSTKEY -o PidFile=.. -E LOG`
 *       and resolves once sshd logs "Server listening". `hostKeyLine` is the known_hosts line
 *       ("[addr]:port ssh-ed25519 AAAA..." or "addr ..." for port 22) to pin in the world's file.
 *   stopSshdByPidFile(pidFile)                -> crash cleanup (`testbed down` after a crash).
 *
 * sshd policy: key auth only (PasswordAuthentication no, KbdInteractiveAuthentication no,
 * AuthenticationMethods publickey, PermitRootLogin prohibit-password), no PAM, no DNS, no
 * forwarding, internal-sftp for capture fetches, StrictModes no: StrictModes would refuse the
 * authorized_keys file whenever any parent of the checkout is group/world-writable (a clone
 * under /tmp, as CI may make), and what it guards is already guaranteed here: startSshd writes
 * the stateDir 0700 and the key files 0600 itself.
 *
 * Login users: root and the admin users scripts/setup creates (`matador`: passwordless sudo;
 * `matador-nopw`: sudo wants a password), as on a Debian VPS whose admin logs in with a key and
 * uses sudo. Their keys live in the stateDir (<stateDir>/authorized_keys.d/<user>), not under
 * /home or /root, and reach sshd through `AuthorizedKeysCommand /usr/bin/cat FILE/%u` run as
 * root: sshd reads an AuthorizedKeysFile with the LOGIN's uid (auth2-pubkey.c
 * temporarily_use_uid), and `matador` cannot traverse the 0700 stateDir and .matador above it.
 * sshd needs its privilege separation directory
 * /run/sshd (shared by all namespaces: `ip netns exec` does not hide /run); created if missing.
 */
import { spawn, execFile } from 'child_process';
import { promises as fs } from 'fs';
import { isIP } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { isProcessAlive } from '../ops/pid';

const execFileAsync = promisify(execFile);

export const SSHD_BINARY = '/usr/sbin/sshd';
const HOST_KEY_NAME = 'ssh_host_ed25519_key';
const KEYS_DIR = 'authorized_keys.d';

/** The world's non-root admin (passwordless sudo) and the one whose sudo asks for a password;
 *  scripts/setup creates both. */
export const SUDO_USER = 'matador';
export const SUDO_PASSWORD_USER = 'matador-nopw';
export const LOGIN_USERS = ['root', SUDO_USER, SUDO_PASSWORD_USER] as const;

export interface StartSshdOptions {
  /** Existing network namespace to run in. */
  netns: string;
  /** Address inside the namespace that sshd binds (IPv4 or IPv6). */
  listenAddress: string;
  /** Default 22. */
  port?: number;
  /** Per-instance directory: host key, sshd_config, authorized_keys, pid file, log. */
  stateDir: string;
  /** Public key lines ("ssh-ed25519 AAAA... comment") allowed to log in as each login user. */
  authorizedKeys: string[];
  /** Who may log in with those keys; default LOGIN_USERS. */
  loginUsers?: readonly string[];
  /** Default 10 s. */
  startTimeoutMs?: number;
}

export interface SshdHandle {
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
  configFile: string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the listener is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface ClientKey {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyLine: string;
}

async function sshKeygen(file: string, comment: string): Promise<void> {
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** Create (or reuse) an ed25519 client key pair in `dir`. */
export async function generateClientKey(dir: string, name = 'id_ed25519'): Promise<ClientKey> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`generateClientKey: bad key file name ${JSON.stringify(name)}`);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = path.join(dir, name);
  const publicKeyPath = `${privateKeyPath}.pub`;
  if (!(await exists(privateKeyPath))) await sshKeygen(privateKeyPath, `matador-controller-${name}`);
  const publicKeyLine = (await fs.readFile(publicKeyPath, 'utf8')).trim();
  return { privateKeyPath, publicKeyPath, publicKeyLine };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function validatePublicKeyLine(line: string): string {
  const trimmed = line.trim();
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( [^\n\r]*)?$/.test(trimmed)) {
    throw new Error(`startSshd: authorizedKeys entry is not a single public key line: ${JSON.stringify(line.slice(0, 60))}`);
  }
  return trimmed;
}

export function sshdConfigText(o: { listenAddress: string; port: number; stateDir: string }): string {
  return [
    '# Written by testbed/sshd.ts for the MATAdOR emulated world; key auth only.',
    `Port ${o.port}`,
    `ListenAddress ${o.listenAddress}`,
    `HostKey ${path.join(o.stateDir, HOST_KEY_NAME)}`,
    `PidFile ${path.join(o.stateDir, 'sshd.pid')}`,
    'AuthorizedKeysFile none',
    `AuthorizedKeysCommand /usr/bin/cat "${path.join(o.stateDir, KEYS_DIR)}/%u"`,
    'AuthorizedKeysCommandUser root',
    'PubkeyAuthentication yes',
    'AuthenticationMethods publickey',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'PermitEmptyPasswords no',
    'UsePAM no',
    'UseDNS no',
    'StrictModes no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'AllowAgentForwarding no',
    'PermitTunnel no',
    'PermitUserEnvironment no',
    // The controller opens several sessions per measurement and the world has many nodes.
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'ClientAliveInterval 15',
    'ClientAliveCountMax 4',
    'LogLevel INFO',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** The pid is the sshd started for this pid file (sshd retitles itself, keeping its argv). */
async function isOurSshd(pid: number, pidFile: string): Promise<boolean> {
  try {
    const comm = (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return comm === 'sshd' && cmdline.includes(`PidFile=${pidFile}`);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function terminate(pid: number): Promise<void> {
  if (!isProcessAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 30 && isProcessAlive(pid); i++) await sleep(100);
  if (isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 30 && isProcessAlive(pid); i++) await sleep(100);
  }
}

/** Stop an sshd recorded in a pid file (e.g. after the controller crashed). Missing file: no-op. */
export async function stopSshdByPidFile(pidFile: string): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number(text.trim());
  if (Number.isInteger(pid) && pid > 1 && (await isOurSshd(pid, pidFile))) await terminate(pid);
  await fs.rm(pidFile, { force: true });
}

export async function startSshd(options: StartSshdOptions): Promise<SshdHandle> {
  const port = options.port ?? 22;
  const { netns, listenAddress } = options;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(netns)) throw new Error(`startSshd: bad netns name ${JSON.stringify(netns)}`);
  if (isIP(listenAddress) === 0) throw new Error(`startSshd: listenAddress is not an IP address: ${JSON.stringify(listenAddress)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`startSshd: bad port ${port}`);
  const stateDir = path.resolve(options.stateDir);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await fs.chmod(stateDir, 0o700);
  await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const hostKey = path.join(stateDir, HOST_KEY_NAME);
  if (!(await exists(hostKey))) await sshKeygen(hostKey, `matador-${netns}`);
  const [keyType, keyBase64] = (await fs.readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/);
  const hostPublicKey = `${keyType} ${keyBase64}`;
  const hostName = port === 22 ? listenAddress : `[${listenAddress}]:${port}`;

  const configFile = path.join(stateDir, 'sshd_config');
  const pidFile = path.join(stateDir, 'sshd.pid');
  const logFile = path.join(stateDir, 'sshd.log');
  await stopSshdByPidFile(pidFile); // a leftover from a crashed run would hold the port
  await fs.writeFile(configFile, sshdConfigText({ listenAddress, port, stateDir }), { mode: 0o600 });
  if (/["\\%\s]/.test(stateDir)) throw new Error(`startSshd: stateDir must not contain quotes, backslashes, % or blanks (it goes into AuthorizedKeysCommand): ${JSON.stringify(stateDir)}`);
  const keysText = options.authorizedKeys.map(validatePublicKeyLine).join('\n') + '\n';
  const keysDir = path.join(stateDir, KEYS_DIR);
  await fs.rm(keysDir, { recursive: true, force: true });
  await fs.mkdir(keysDir, { mode: 0o700 });
  for (const user of options.loginUsers ?? LOGIN_USERS) {
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) throw new Error(`startSshd: bad login user ${JSON.stringify(user)}`);
    await fs.writeFile(path.join(keysDir, user), keysText, { mode: 0o600 });
  }
  await fs.writeFile(logFile, '', { mode: 0o600 });

  // `ip netns exec` switches namespace (and mount namespace, slave to the host's) and execs the
  // shell, which execs sshd in place, so child.pid is sshd's pid. Inside that mount namespace the
  // controller's ~/.bashrc is hidden behind an empty file: bash sources it for every command sshd
  // runs, and a developer's rc (pyenv init: ~0.1 s of CPU) would then be paid by every driver
  // command, which no real router or vantage node does.
  const emptyRc = path.join(stateDir, 'empty-rc');
  await fs.writeFile(emptyRc, '', { mode: 0o644 });
  const hideRc = 'if [ -f "$1" ]; then mount --bind "$2" "$1" || exit 97; fi; shift 2; exec "$@"';
  const sshdArgv = [SSHD_BINARY, '-D', '-f', configFile, '-h', hostKey, '-o', `PidFile=${pidFile}`, '-E', logFile];
  const child = spawn('ip', ['netns', 'exec', netns, 'sh', '-c', hideRc, 'sh', path.join(os.homedir(), '.bashrc'), emptyRc, ...sshdArgv], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `exit code ${code} signal ${signal}`;
  });
  child.on('error', (err) => {
    exited = err.message;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`startSshd: could not spawn ip netns exec ${netns} ${SSHD_BINARY}`);
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  for (;;) {
    const log = await fs.readFile(logFile, 'utf8');
    if (/Server listening on/.test(log)) break;
    if (exited !== null || Date.now() > deadline) {
      if (exited === null) await terminate(pid);
      throw new Error(`startSshd: sshd in ${netns} on ${hostName} did not start (${exited ?? 'timeout'}); log ${logFile}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await sleep(50);
  }

  let stopped = false;
  return {
    pid,
    netns,
    listenAddress,
    port,
    hostPublicKey,
    hostKeyLine: `${hostName} ${hostPublicKey}`,
    pidFile,
    logFile,
    configFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate(pid);
      await fs.rm(pidFile, { force: true });
    },
  };
}
