/**
 * An OpenWrt-like router's SSH login built from real parts: Debian's Dropbear (dropbear-bin) as
 * the server and Debian's BusyBox as the login shell and tools. Same handle shape as
 * testbed/sshd.ts (pid, hostKeyLine, stop) so the world and the driver topology can choose per
 * router.
 *
 * What the login sees (checked here with `ssh` and node-ssh):
 *   - Dropbear 2022.83, key auth only (`-s -g`), ed25519 host key made once per stateDir with
 *     `dropbearkey -t ed25519` (its public line from `dropbearkey -y` is what the world pins).
 *   - Dropbear runs every exec request as `$SHELL -c CMD` with the passwd entry's shell; here
 *     that is a BusyBox ash wrapper whose PATH holds only symlinks to BusyBox applets plus the
 *     packages an OpenWrt researcher adds with opkg (tcpdump, iptables, wg, wireguard-go when
 *     found). So `ip` is BusyBox's (no -j, no vxlan options), `timeout` is BusyBox's (exit 143).
 *   - No SFTP: OpenWrt's dropbear answers the sftp subsystem only when openssh-sftp-server is
 *     installed. Debian's dropbear runs /usr/lib/sftp-server, so an empty tmpfs hides
 *     /usr/lib/openssh in the server's mount namespace and the subsystem request fails.
 *
 * How, without touching the machine's /etc or /root: dropbear runs in its own mount namespace
 * (`unshare -m --propagation private` inside the router's netns) in which /etc/passwd and
 * /etc/shells are bind mounts of files in stateDir: root's home is `<stateDir>/root` (its
 * .ssh/authorized_keys stands where OpenWrt keeps /etc/dropbear/authorized_keys; Debian's dropbear
 * reads ~/.ssh/authorized_keys) and root's shell is the wrapper (dropbear refuses a shell that is
 * not listed in /etc/shells).
 *
 * Not imitated (README): procd, uci, netifd, opkg itself; absolute paths (/usr/bin/...) still
 * reach Debian's files; BusyBox is Debian's build (1.35, more applets than OpenWrt's default).
 */
import { execFile, spawn } from 'child_process';
import { promises as fs } from 'fs';
import { isIP } from 'net';
import * as path from 'path';
import { promisify } from 'util';
import { awaitServerStart, checkedServerBase, exists, serverHandle, ServerHandle, stopByPidFile, validatePublicKeyLine } from './server-process';

const execFileAsync = promisify(execFile);

export const DROPBEAR_BINARY = '/usr/sbin/dropbear';
export const BUSYBOX_BINARY = '/bin/busybox';
const HOST_KEY_NAME = 'dropbear_ed25519_host_key';

/** The opkg packages an OpenWrt measurement router gets, by the command they bring. */
export const OPKG_TOOLS = ['tcpdump', 'iptables', 'wg', 'wireguard-go'] as const;
export type OpkgTool = (typeof OPKG_TOOLS)[number];

export interface StartDropbearOptions {
  netns: string;
  listenAddress: string;
  /** Default 22. */
  port?: number;
  /** Host key, passwd/shells files, root's home, the BusyBox PATH, pid file, log. */
  stateDir: string;
  authorizedKeys: string[];
  /** opkg tools to put in the PATH (default all of OPKG_TOOLS found on this machine). A tool
   *  left out is a router where the researcher did not install it (tool_missing tests). */
  tools?: readonly OpkgTool[];
  /** Extra directories searched for the opkg tools before PATH (e.g. .tools/bin). */
  toolDirs?: readonly string[];
  startTimeoutMs?: number;
}

/** pid, netns, listenAddress, port, hostPublicKey, hostKeyLine, pidFile, logFile, stop() as
 *  testbed/sshd.ts's handle, and: */
export interface DropbearHandle extends ServerHandle {
  /** The login's PATH (one directory of symlinks): faults put shims here. */
  binDir: string;
  /** opkg tools that were found and linked. */
  tools: OpkgTool[];
}

/** First executable `name` in dirs then $PATH of this process, or null. */
export async function findTool(name: string, extraDirs: readonly string[] = []): Promise<string | null> {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'].filter((d) => d !== '');
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      await fs.access(p, 1 /* X_OK */);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** The login's PATH: a symlink per BusyBox applet (argv[0] selects the applet) + opkg tools. */
async function writeBinDir(binDir: string, opts: StartDropbearOptions): Promise<OpkgTool[]> {
  await fs.rm(binDir, { recursive: true, force: true });
  await fs.mkdir(binDir, { recursive: true, mode: 0o755 });
  const { stdout } = await execFileAsync(BUSYBOX_BINARY, ['--list']);
  for (const applet of stdout.split('\n').filter((a) => /^[A-Za-z0-9_.[-]+$/.test(a))) {
    await fs.symlink(BUSYBOX_BINARY, path.join(binDir, applet));
  }
  const linked: OpkgTool[] = [];
  for (const tool of opts.tools ?? OPKG_TOOLS) {
    const found = await findTool(tool, opts.toolDirs);
    if (!found) continue; // e.g. wireguard-go not built on this machine: the router lacks it
    await fs.rm(path.join(binDir, tool), { force: true });
    await fs.symlink(found, path.join(binDir, tool));
    linked.push(tool);
  }
  return linked;
}

/** root's shell: BusyBox ash with the BusyBox-only PATH (dropbear sets its own default PATH). */
export function ashWrapper(binDir: string): string {
  return `#!${BUSYBOX_BINARY} ash\nexport PATH='${binDir}'\nexec ${BUSYBOX_BINARY} ash "$@"\n`;
}

async function isOurDropbear(pid: number, pidFile: string): Promise<boolean> {
  try {
    const comm = (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    const cmdline = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return comm === 'dropbear' && cmdline.includes(pidFile);
  } catch {
    return false;
  }
}

/** Crash cleanup: stop the dropbear recorded in `pidFile` (only if it is ours). Missing: no-op. */
export async function stopDropbearByPidFile(pidFile: string): Promise<void> {
  await stopByPidFile(pidFile, (pid) => isOurDropbear(pid, pidFile));
}

// Runs in the router's netns as `unshare -m --propagation private sh -c SCRIPT sh ARGS`: the bind
// mounts live only in this new mount namespace (gone with the last process in it), then sh execs
// dropbear in place so the spawned pid is dropbear's.
const MOUNT_SCRIPT = `
passwd=$1 shells=$2; shift 2
mount --bind "$passwd" /etc/passwd || exit 97
mount --bind "$shells" /etc/shells || exit 97
if [ -d /usr/lib/openssh ]; then mount -t tmpfs -o ro,size=4k none /usr/lib/openssh || exit 97; fi
exec "$@"
`;

export async function startDropbear(options: StartDropbearOptions): Promise<DropbearHandle> {
  const { netns, listenAddress } = options;
  const { port, stateDir, hostName } = await checkedServerBase('startDropbear', options);

  const hostKey = path.join(stateDir, HOST_KEY_NAME);
  if (!(await exists(hostKey))) await execFileAsync('dropbearkey', ['-t', 'ed25519', '-f', hostKey]);
  const { stdout: pub } = await execFileAsync('dropbearkey', ['-y', '-f', hostKey]);
  const keyLine = pub.split('\n').find((l) => /^ssh-ed25519 /.test(l));
  if (!keyLine) throw new Error(`startDropbear: dropbearkey -y printed no ssh-ed25519 line for ${hostKey}`);
  const [keyType, keyBase64] = keyLine.trim().split(/\s+/);
  const hostPublicKey = `${keyType} ${keyBase64}`;

  // root's home: dropbear checks that home, ~/.ssh and authorized_keys are not group/world writable.
  const home = path.join(stateDir, 'root');
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(home, '.ssh', 'authorized_keys'), options.authorizedKeys.map((l) => validatePublicKeyLine(l, 'startDropbear')).join('\n') + '\n', { mode: 0o600 });
  const binDir = path.join(stateDir, 'bin');
  const tools = await writeBinDir(binDir, options);
  const shell = path.join(stateDir, 'ash');
  await fs.writeFile(shell, ashWrapper(binDir), { mode: 0o755 });
  const etc = path.join(stateDir, 'etc');
  await fs.mkdir(etc, { recursive: true, mode: 0o755 });
  const passwd = (await fs.readFile('/etc/passwd', 'utf8')).split('\n').map((l) => (l.startsWith('root:') ? `root:x:0:0:root:${home}:${shell}` : l));
  await fs.writeFile(path.join(etc, 'passwd'), passwd.join('\n'), { mode: 0o644 });
  await fs.writeFile(path.join(etc, 'shells'), `${shell}\n`, { mode: 0o644 });

  const pidFile = path.join(stateDir, 'dropbear.pid');
  const logFile = path.join(stateDir, 'dropbear.log');
  await stopDropbearByPidFile(pidFile); // a leftover of a crashed run would hold the port
  const log = await fs.open(logFile, 'w', 0o600);
  const listen = isIP(listenAddress) === 6 ? `[${listenAddress}]:${port}` : `${listenAddress}:${port}`;
  const argv = [DROPBEAR_BINARY, '-F', '-E', '-s', '-g', '-j', '-k', '-r', hostKey, '-p', listen, '-P', pidFile];
  const child = spawn('ip', ['netns', 'exec', netns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', MOUNT_SCRIPT, 'sh', path.join(etc, 'passwd'), path.join(etc, 'shells'), ...argv], {
    stdio: ['ignore', log.fd, log.fd],
    detached: true,
  });
  await log.close();
  child.unref();
  // dropbear binds its listeners before it logs "Not backgrounding" and writes the pid file.
  const pid = await awaitServerStart(child, {
    what: `startDropbear: dropbear in ${netns} on ${hostName}`,
    logFile,
    timeoutMs: options.startTimeoutMs ?? 10_000,
    ready: async (text) => /Not backgrounding/.test(text) && (await exists(pidFile)),
  });
  return {
    ...serverHandle({ pid, netns, listenAddress, port, hostPublicKey, hostName, pidFile, logFile }),
    binDir,
    tools,
  };
}

/**
 * The `capture-corrupt` fault: a `cat` in the login's PATH that corrupts the first `reads` reads
 * of a .pcap file (every NUL byte comes out as 0xff, same length: a flaky flash or a broken
 * transfer), counted in `<binDir>/../corrupt-cat.count`; every other `cat` is BusyBox's. `sha256sum` and `wc` stay
 * honest, as on a real router where the data, not the checksum tool, goes wrong.
 */
export function corruptCatScript(countFile: string, reads: number): string {
  return `#!${BUSYBOX_BINARY} ash
case "$*" in
  *.pcap)
    n=$(${BUSYBOX_BINARY} cat '${countFile}' 2>/dev/null || echo 0)
    if [ "$n" -lt ${reads} ]; then
      echo $((n+1)) >'${countFile}'
      ${BUSYBOX_BINARY} cat "$@" | ${BUSYBOX_BINARY} tr '\\000' '\\377'
      exit 0
    fi ;;
esac
exec ${BUSYBOX_BINARY} cat "$@"
`;
}

/** Install (reads > 0) or remove (reads = 0) the corrupting `cat` in a running router's PATH. */
export async function setCorruptCat(binDir: string, reads: number): Promise<void> {
  const cat = path.join(binDir, 'cat');
  const countFile = path.join(path.dirname(binDir), 'corrupt-cat.count');
  await fs.rm(cat, { force: true });
  await fs.rm(countFile, { force: true });
  if (reads > 0) await fs.writeFile(cat, corruptCatScript(countFile, reads), { mode: 0o755 });
  else await fs.symlink(BUSYBOX_BINARY, cat);
}

/** Take an opkg tool out of (present = false) or back into a running router's PATH. */
export async function setToolPresent(binDir: string, tool: OpkgTool, present: boolean, toolDirs: readonly string[] = []): Promise<void> {
  const link = path.join(binDir, tool);
  await fs.rm(link, { force: true });
  if (!present) return;
  const found = await findTool(tool, toolDirs);
  if (found) await fs.symlink(found, link);
}
