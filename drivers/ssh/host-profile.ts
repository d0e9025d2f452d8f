/**
 * What a router or node offers, found out once per SSH connection (drivers/ssh/session.ts caches
 * it): an OpenWrt router (Dropbear + BusyBox) differs from a Debian VPS (OpenSSH + GNU +
 * iproute2) in exactly the things the drivers use.
 *
 *   ip        json: `ip -j link show lo` prints JSON (full iproute2, OpenWrt's ip-full);
 *             text: it does not (BusyBox ip, old iproute2): the drivers read the text output.
 *   ipImpl    busybox: `ip` resolves to the BusyBox binary, which silently ignores vxlan options
 *             (measured: `ip link add vx0 type vxlan id 42 ... dstport 4789` makes id 0, port 8472).
 *   timeout   gnu (exit 124 when it stops the command) | busybox (exit 128+signal: 143) | none.
 *   sftp      the SFTP subsystem answers (OpenSSH; Dropbear only with openssh-sftp-server).
 *   checksum  sha256sum (GNU and BusyBox) | md5sum | none: how exec fetches verify a file.
 *   missing   the tools of TOOL_PACKAGES that `command -v` does not find in the login's PATH.
 *
 * One probe command (POSIX sh, works under BusyBox ash) plus one SFTP subsystem try.
 */

/** How a missing tool is installed: the Debian and OpenWrt packages, or in words (`how`). */
interface ToolPackage {
  debian: string;
  opkg: string;
  how?: string;
}

/** Package that brings each tool the drivers use: Debian (apt) and OpenWrt (opkg). Declared once:
 *  tool_missing details, `matador testbed check` hints and the probe's tool list come from here. */
export const TOOL_PACKAGES = {
  ip: { debian: 'iproute2', opkg: 'ip-full' },
  tcpdump: { debian: 'tcpdump', opkg: 'tcpdump' },
  iptables: { debian: 'iptables', opkg: 'iptables-nft' },
  sysctl: { debian: 'procps', opkg: 'busybox' },
  ping: { debian: 'iputils-ping', opkg: 'busybox' },
  timeout: { debian: 'coreutils', opkg: 'coreutils-timeout' },
  traceroute: { debian: 'traceroute', opkg: 'traceroute' },
  scamper: { debian: 'scamper', opkg: 'scamper' },
  wg: { debian: 'wireguard-tools', opkg: 'wireguard-tools' },
  // Only needed where the kernel has no wireguard module; no distribution package to name.
  'wireguard-go': {
    debian: '', opkg: '',
    how: 'the kernel has no wireguard module: load it (Debian kernels have CONFIG_WIREGUARD; OpenWrt: opkg install kmod-wireguard) or put wireguard-go in PATH (go install golang.zx2c4.com/wireguard@<version>; scripts/setup does this)',
  },
  sha256sum: { debian: 'coreutils', opkg: 'coreutils-sha256sum' },
  cat: { debian: 'coreutils', opkg: 'busybox' },
} as const satisfies Record<string, ToolPackage>;

export type KnownTool = keyof typeof TOOL_PACKAGES;
export const KNOWN_TOOLS = Object.keys(TOOL_PACKAGES) as KnownTool[];

export interface HostProfile {
  /** The SSH server's software from its identification line (`OpenSSH_9.2p1`, `dropbear_2022.83`),
   *  reduced to [A-Za-z0-9._-]; '' when unknown. */
  server: string;
  ip: 'json' | 'text';
  ipImpl: 'busybox' | 'iproute2' | 'none';
  timeout: 'gnu' | 'busybox' | 'none';
  userland: 'busybox' | 'gnu';
  sftp: boolean;
  checksum: 'sha256sum' | 'md5sum' | 'none';
  missing: KnownTool[];
}

/** One line for `testbed check`: server, userland, ip flavour, timeout, fetch method. */
export function describeProfile(p: HostProfile): string {
  return `${p.server || 'unknown SSH server'}, ${p.userland === 'busybox' ? 'BusyBox' : 'GNU'} tools, ip ${p.ip}${p.ipImpl === 'busybox' ? ' (BusyBox)' : ''}, timeout ${p.timeout}, fetch ${fetchMethod(p)}`;
}

/** How a fetch method reads in `testbed check` rows and details. */
export function fetchMethod(p: Pick<HostProfile, 'sftp' | 'checksum'>): string {
  return p.sftp ? 'sftp' : `exec cat + ${p.checksum === 'none' ? 'size only' : p.checksum.replace(/sum$/, '')}`;
}

/**
 * `<tool> — install <pkg> (apt install <pkg> on Debian; opkg install <pkg> on OpenWrt)`, the part
 * of a tool_missing detail after the host. `why` explains a tool that exists but is unusable.
 */
export function installHint(tool: KnownTool, why?: string): string {
  const p: ToolPackage = TOOL_PACKAGES[tool];
  if (p.how) return `${tool}${why ? ` (${why})` : ''} — ${p.how}`;
  return `${tool}${why ? ` (${why})` : ''} — install it: apt install ${p.debian} (Debian) / opkg install ${p.opkg} (OpenWrt)`;
}

// Prints key=value lines. `readlink -f` exists in GNU coreutils and BusyBox; a tool that is a
// symlink to (or is) the busybox binary is BusyBox's. No `timeout` wrapper: it may be missing.
// Missing tools are looked up with the sbin folders added, as sudo's secure_path has them: a
// non-root login's PATH lacks them, yet tcpdump/iptables there run fine through sudo.
export const PROBE_SCRIPT = `
bb() { p=$(command -v "$1" 2>/dev/null) || return 2; case "$(readlink -f "$p" 2>/dev/null || echo "$p")" in *busybox*) return 0;; esac; return 1; }
if ip -j link show lo 2>/dev/null | grep -q '^\\['; then echo ip=json; else echo ip=text; fi
bb ip; case $? in 0) echo ipimpl=busybox;; 1) echo ipimpl=iproute2;; *) echo ipimpl=none;; esac
bb timeout; case $? in 0) echo timeout=busybox;; 1) echo timeout=gnu;; *) echo timeout=none;; esac
bb cat; case $? in 0) echo userland=busybox;; *) echo userland=gnu;; esac
if command -v sha256sum >/dev/null 2>&1; then echo checksum=sha256sum; elif command -v md5sum >/dev/null 2>&1; then echo checksum=md5sum; else echo checksum=none; fi
(PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "missing=$t"; done)
`;

export const PROBE_ARGS: readonly string[] = KNOWN_TOOLS;

/** The server software as a profile keeps it: only [A-Za-z0-9._-], at most 64 characters. */
export function serverSoftware(raw: unknown): string {
  return typeof raw === 'string' ? raw.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64) : '';
}

/** The probe's output as a profile (sftp from the separate subsystem try). Throws on garbage. */
export function parseProbe(stdout: string, sftp: boolean, server = ''): HostProfile {
  const kv = new Map<string, string>();
  const missing: KnownTool[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^([a-z]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'missing') {
      if ((KNOWN_TOOLS as string[]).includes(m[2])) missing.push(m[2] as KnownTool);
    } else kv.set(m[1], m[2]);
  }
  const pick = <T extends string>(key: string, allowed: readonly T[]): T => {
    const v = kv.get(key);
    if (v === undefined || !(allowed as readonly string[]).includes(v)) throw new Error(`host probe: no valid ${key}= line in ${JSON.stringify(stdout.slice(0, 200))}`);
    return v as T;
  };
  return {
    server,
    ip: pick('ip', ['json', 'text'] as const),
    ipImpl: pick('ipimpl', ['busybox', 'iproute2', 'none'] as const),
    timeout: pick('timeout', ['gnu', 'busybox', 'none'] as const),
    userland: pick('userland', ['busybox', 'gnu'] as const),
    sftp,
    checksum: pick('checksum', ['sha256sum', 'md5sum', 'none'] as const),
    missing,
  };
}

/**
 * Did the remote `timeout` stop the command? GNU timeout exits 124. BusyBox timeout execs the
 * command itself and has a child SIGTERM it: the shell reports 143 (128+15) when the command ran
 * inside it, and when the command was the shell's last (ash execs it in place) the process dies
 * of the signal and SSH reports signal TERM with no exit code (measured under Dropbear).
 * Without a profile only 124 is certain.
 */
export function isRemoteTimeout(p: Pick<HostProfile, 'timeout'> | null, code: number | null, signal: string | null): boolean {
  if (code === 124) return true;
  if (p?.timeout !== 'busybox') return false;
  return code === 143 || (code === null && (signal === 'TERM' || signal === 'SIGTERM'));
}

/** A tool_missing failure naming the host and what to install. */
export function toolMissing(label: string, tool: KnownTool, why?: string): { ok: false; failure: 'tool_missing'; detail: string } {
  return { ok: false, failure: 'tool_missing', detail: `${label}: ${installHint(tool, why)}` };
}
