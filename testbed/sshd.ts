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
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { awaitServerStart, checkedServerBase, exists, serverHandle, ServerHandle, stopByPidFile, validatePublicKeyLine } from './server-process';

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

/** pid, netns, listenAddress, port, hostPublicKey, hostKeyLine, pidFile, logFile, stop() (the
 *  handle shape of every world SSH server, testbed/server-process.ts), and its config file. */
export interface SshdHandle extends ServerHandle {
  configFile: string;
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

/** Stop an sshd recorded in a pid file (e.g. after the controller crashed). Missing file: no-op. */
export async function stopSshdByPidFile(pidFile: string): Promise<void> {
  await stopByPidFile(pidFile, (pid) => isOurSshd(pid, pidFile));
}

export async function startSshd(options: StartSshdOptions): Promise<SshdHandle> {
  const { netns, listenAddress } = options;
  const { port, stateDir, hostName } = await checkedServerBase('startSshd', options);
  await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const hostKey = path.join(stateDir, HOST_KEY_NAME);
  if (!(await exists(hostKey))) await sshKeygen(hostKey, `matador-${netns}`);
  const [keyType, keyBase64] = (await fs.readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/);
  const hostPublicKey = `${keyType} ${keyBase64}`;

  const configFile = path.join(stateDir, 'sshd_config');
  const pidFile = path.join(stateDir, 'sshd.pid');
  const logFile = path.join(stateDir, 'sshd.log');
  await stopSshdByPidFile(pidFile); // a leftover from a crashed run would hold the port
  await fs.writeFile(configFile, sshdConfigText({ listenAddress, port, stateDir }), { mode: 0o600 });
  if (/["\\%\s]/.test(stateDir)) throw new Error(`startSshd: stateDir must not contain quotes, backslashes, % or blanks (it goes into AuthorizedKeysCommand): ${JSON.stringify(stateDir)}`);
  const keysText = options.authorizedKeys.map((l) => validatePublicKeyLine(l, 'startSshd')).join('\n') + '\n';
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
  const pid = await awaitServerStart(child, { what: `startSshd: sshd in ${netns} on ${hostName}`, logFile, timeoutMs: options.startTimeoutMs ?? 10_000, ready: (log) => /Server listening on/.test(log) });

  return {
    ...serverHandle({ pid, netns, listenAddress, port, hostPublicKey, hostName, pidFile, logFile }),
    configFile,
  };
}
