/**
 * The router, node and tunnel rows of `matador testbed check`, over the same SSH layer the
 * drivers use (pinned host keys, key auth; one connection per host per activity through the SSH
 * scope). The tools checked are the drivers' own lists (ROUTER_TOOLS, NODE_TOOLS, the
 * traceroute backend), looked up as the drivers run them: as root, through the host's sudo mode
 * (drivers/ssh/privilege.ts; sudo's secure_path has /usr/sbin, a non-root login's PATH not).
 * The `privileges` row runs `sudo -n true` through that same wrapper: a root login, passwordless
 * sudo, or privilege_denied with the sudoers line to add.
 * The tunnel check brings up the measurement's own tunnel (drivers/router tunnelUp), pings the
 * node through it and always takes it down again, also when the ping failed or the activity was
 * cancelled. Do not run the check on a testbed while a campaign measures on it: the tunnel names
 * are the testbed's.
 */
import { endInterfaceName, NODE_TOOLS, type TracerouteBackend, type TunnelMode } from '../../drivers/node';
import { ROUTER_TOOLS, tunnelDown, tunnelStatus, tunnelUp, type RouterConfig } from '../../drivers/router';
import type { DriverFailure } from '../../drivers/ssh/failures';
import { describeProfile, installHint, TOOL_PACKAGES, type KnownTool } from '../../drivers/ssh/host-profile';
import { withSsh, type SshSession, type SshTarget } from '../../drivers/ssh/session';
import { shellQuote } from '../../drivers/shell-quote';
import { loginIds, loginOwner, runPrivileged, runPrivilegedScript, sudoersFix } from '../../drivers/ssh/privilege';
import type { SideEndpoints } from '../lab';
import { failureString } from '../steps/failures';
import type { CheckOutcome } from './phone';

export interface HostCheck {
  name: string;
  run(s: SshSession): Promise<CheckOutcome>;
}

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const failed = (detail: string, fix: string): CheckOutcome => ({ ok: false, detail, fix });
const where = (t: SshTarget): string => `${t.username}@${t.host}:${t.port ?? 22}`;

/** What to do about an SSH failure, naming the host and the files involved. */
export function sshFix(failure: DriverFailure | string, t: SshTarget): string {
  switch (failure) {
    case 'ssh_host_key_mismatch':
      return `pin the host key of ${t.host}:${t.port ?? 22} in ${t.knownHostsPath} (ssh-keyscan -p ${t.port ?? 22} ${t.host}, after comparing its fingerprint with the host's own)`;
    case 'ssh_auth_failed':
      return `add the public key of ${t.privateKeyPath} to ~${t.username}/.ssh/authorized_keys on ${t.host}`;
    default:
      return `make ${t.host}:${t.port ?? 22} reachable from the testbed worker's host and sshd run there`;
  }
}

function toolsCheck(required: readonly string[], what: string): HostCheck {
  return {
    name: `tools (${required.join(', ')})`,
    async run(s) {
      const r = await runPrivilegedScript(s, 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done', [...required], { timeoutMs: 10_000 });
      if (!r.ok) return failed(failureString(r), r.failure === 'privilege_denied' ? privilegeFix(what, s, r.detail) : `check ${s.label} answers over SSH`);
      const missing = r.stdout.trim().split('\n').filter(Boolean);
      if (missing.length) return failed(`missing: ${missing.join(', ')}`, `on ${what} ${s.label} (in the login's PATH): ${missing.map((t) => (t in TOOL_PACKAGES ? installHint(t as KnownTool) : `install ${t}`)).join('; ')}`);
      return pass('all there');
    },
  };
}

/**
 * WireGuard tunnels need `wg`, and the kernel module or else wireguard-go (what the tunnel row
 * then runs). The module counts when loaded (/sys/module/wireguard) or loadable (`modprobe -n`).
 */
const WIREGUARD_PROBE = `command -v wg >/dev/null 2>&1 || echo "missing wg"
if [ -d /sys/module/wireguard ] || modprobe -n -q wireguard 2>/dev/null; then echo "impl kernel"
elif command -v wireguard-go >/dev/null 2>&1; then echo "impl wireguard-go $(wireguard-go --version 2>/dev/null | head -n 1 | sed 's/^wireguard-go //')"
else echo "missing wireguard-go"; fi`;

const wireguardTools = (what: string): HostCheck => ({
  name: 'WireGuard (wg; kernel module or wireguard-go)',
  async run(s) {
    const r = await runPrivilegedScript(s, WIREGUARD_PROBE, [], { timeoutMs: 10_000 });
    if (!r.ok) return failed(failureString(r), r.failure === 'privilege_denied' ? privilegeFix(what, s, r.detail) : `check ${s.label} answers over SSH`);
    const lines = r.stdout.trim().split('\n');
    const missing = lines.filter((l) => l.startsWith('missing ')).map((l) => l.slice('missing '.length));
    if (missing.length) return failed(missing.map((t) => `tool_missing: ${s.label}: ${t}`).join('; '), missing.map((t) => `on ${what} ${s.label}: ${installHint(t === 'wg' ? 'wg' : 'wireguard-go')}`).join('; '));
    const impl = lines.find((l) => l.startsWith('impl '))?.slice('impl '.length) ?? 'unknown';
    return pass(`wg present; ${impl}`);
  },
});

/** What the host is (drivers/ssh/host-profile.ts): SSH server, GNU or BusyBox tools, JSON or
 *  text ip, and how captures are fetched (SFTP, or exec cat + checksum where there is none). */
const hostKind: HostCheck = {
  name: 'host kind (SSH server, tools, ip, fetch)',
  async run(s) {
    const p = await s.hostProfile();
    if (!p.ok) return failed(failureString(p), `check ${s.label} answers over SSH`);
    if (!p.profile.sftp && p.profile.checksum === 'none') return failed(`${describeProfile(p.profile)}: no SFTP and no sha256sum/md5sum`, `captures are fetched unverified: ${installHint('sha256sum')} on ${s.label}`);
    return pass(describeProfile(p.profile));
  },
};

/** What to do about a privilege_denied, on this host. */
function privilegeFix(what: string, s: SshSession, detail: string): string {
  const user = s.label.split('@')[0];
  if (s.sudo === 'never') return `log in to ${what} ${s.label} as root, or set sudo: auto for it in the testbeds/nodes file and give ${user} passwordless sudo`;
  // The detail holds sudo's own line (drivers/ssh/privilege.ts), which sudoersFix reads.
  return `on ${what} ${s.label}: ${sudoersFix(user, detail)}`;
}

/** ip, iptables, tcpdump, sysctl -w need root: a root login, or sudo -n per the host's sudo mode. */
const privileges = (what: string): HostCheck => ({
  name: 'privileges',
  async run(s) {
    const who = await loginIds(s);
    if (!who.ok) return failed(failureString(who), `check ${s.label} answers over SSH`);
    const r = await runPrivileged(s, ['true'], { timeoutMs: 10_000 });
    if (!r.ok) return failed(failureString(r), r.failure === 'privilege_denied' ? privilegeFix(what, s, r.detail) : `check ${s.label} answers over SSH`);
    if (r.code !== 0) return failed(`sudo -n true exited ${r.code}: ${r.stderr.trim()}`, privilegeFix(what, s, r.stderr));
    if (who.ids.uid === 0 && s.sudo !== 'always') return pass('root login');
    return pass(`sudo (passwordless), login ${s.label.split('@')[0]} (uid ${who.ids.uid})`);
  },
});

/** The capture folder exists (created as configureRouter does) and a file can be written there. */
const captureDirWritable = (dir: string): HostCheck => ({
  name: `capture dir ${dir} writable`,
  async run(s) {
    // As configureRouter makes it: by root, then the login's (who fetches over SFTP).
    const owner = await loginOwner(s);
    if (!owner.ok) return failed(failureString(owner), `check ${s.label} answers over SSH`);
    const script = 'mkdir -p -m 0700 "$1" && { [ -z "$2" ] || chown "$2" "$1"; } && f="$1/.matador-check-$$" && : > "$f" && rm -f "$f"';
    const r = await runPrivilegedScript(s, script, [dir, owner.owner], { timeoutMs: 10_000 });
    if (!r.ok) return failed(failureString(r), `check ${s.label} answers over SSH`);
    if (r.code !== 0) return failed(`exit ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`, `make ${dir} writable on router ${s.label} (or set captureDir in the testbeds file to a writable folder, e.g. on a USB stick)`);
    return pass('a file was written and removed');
  },
});

export function routerChecks(router: RouterConfig, tunnelMode?: TunnelMode): HostCheck[] {
  return [hostKind, toolsCheck(ROUTER_TOOLS, 'router'), ...wireguardRow(tunnelMode, 'router'), privileges('router'), captureDirWritable(router.captureDir)];
}

/** Node tools: the tunnel end's, and the worker's traceroute backend (scamper by default).
 *  `mda`: the campaign traces application paths with scamper tracelb, whatever the backend. */
export function nodeChecks(backend: TracerouteBackend, options: { tunnelMode?: TunnelMode; mda?: boolean } = {}): HostCheck[] {
  return [hostKind, toolsCheck([...NODE_TOOLS, backend, ...(options.mda && backend !== 'scamper' ? ['scamper'] : [])], 'node'), ...wireguardRow(options.tunnelMode, 'node'), privileges('node')];
}

const wireguardRow = (mode: TunnelMode | undefined, what: string): HostCheck[] => (mode === 'wireguard' ? [wireguardTools(what)] : []);

/** Connects (row "reachable over SSH, pinned host key"); on success runs the host checks on the
 *  same connection. */
export async function runHostChecks(target: SshTarget, checks: readonly HostCheck[]): Promise<Array<{ name: string } & CheckOutcome>> {
  const out: Array<{ name: string } & CheckOutcome> = [];
  const r = await withSsh(target, async (s) => {
    const hello = await s.run(['uname', '-sr'], { timeoutMs: 10_000 });
    if (!hello.ok) return hello;
    out.push({ name: 'reachable over SSH, pinned host key', ...pass(`${where(target)}: ${hello.stdout.trim()}`) });
    for (const c of checks) out.push({ name: c.name, ...(await c.run(s)) });
    return { ok: true };
  });
  if (!r.ok && out.length === 0) out.push({ name: 'reachable over SSH, pinned host key', ...failed(`${where(target)}: ${failureString(r)}`, sshFix(r.failure, target)) });
  else if (!r.ok) out.push({ name: 'SSH session', ...failed(failureString(r), sshFix(r.failure, target)) });
  return out;
}

/** Tunnel up between the side's router and node, node pinged through it, tunnel down. */
export async function runTunnelCheck(e: SideEndpoints): Promise<Array<{ name: string } & CheckOutcome>> {
  const spec = { router: e.router, node: e.node, tunnel: e.tunnel };
  const label = `${e.tunnel.mode} tunnel ${e.tunnel.name}`;
  const up = await tunnelUp(spec);
  if (!up.ok) {
    // The driver rolls back what it built; an existing link of this name is not ours to remove.
    const busy = /exists/i.test(up.detail);
    // tool_missing: the router's ip cannot build this mode (BusyBox ip and vxlan); its detail says what to install.
    if (up.failure === 'tool_missing') return [{ name: `${label} up`, ...failed(failureString(up), up.detail.replace(/^[^:]*: /, `on router ${e.router.ssh.host}: `)) }];
    if (up.failure === 'privilege_denied') return [{ name: `${label} up`, ...failed(failureString(up), `give the login named above passwordless sudo (its host's privileges row says which sudoers line to add), or log in as root`) }];
    return [{ name: `${label} up`, ...failed(failureString(up), busy ? `${e.tunnel.name} already exists on router ${e.router.ssh.host}: a campaign measures on this testbed, or a crashed one left it (its next measurement removes it)` : `check the router ${e.router.ssh.host} and node ${e.node.id} (${e.node.ssh.host}) can reach each other at ${e.tunnel.routerUnderlay} / ${e.tunnel.nodeUnderlay} with ${e.tunnel.mode}, and the kernel modules exist`) }];
  }
  const impl = up.implementation ? `; WireGuard: router ${up.implementation.router}, node ${up.implementation.node}` : '';
  const rows: Array<{ name: string } & CheckOutcome> = [{ name: `${label} up`, ...pass(`${e.tunnel.routerInner} -> ${e.tunnel.nodeInner} over ${e.tunnel.routerUnderlay} -> ${e.tunnel.nodeUnderlay}${impl}`) }];
  try {
    const st = await tunnelStatus({ router: e.router, tunnel: e.tunnel, pingCount: 2 });
    if (!st.ok) rows.push({ name: `${label} ping ${e.tunnel.nodeInner}`, ...failed(failureString(st), `check router ${e.router.ssh.host}`) });
    else if (!st.status.up || !st.status.peerReachable || !st.status.ruleInstalled) {
      rows.push({ name: `${label} ping ${e.tunnel.nodeInner}`, ...failed(`up=${st.status.up} peerReachable=${st.status.peerReachable} ruleInstalled=${st.status.ruleInstalled}`, `let ${e.tunnel.mode} (and ICMP) through between ${e.tunnel.routerUnderlay} and ${e.tunnel.nodeUnderlay} (firewalls of router, node and provider)`) });
    } else rows.push({ name: `${label} ping ${e.tunnel.nodeInner}`, ...pass('node answers through the tunnel') });
  } finally {
    const down = await tunnelDown(spec);
    rows.push(down.ok ? { name: `${label} down`, ...pass(`removed (router ${down.routerRemoved}, node ${down.nodeRemoved})`) } : { name: `${label} down`, ...failed(failureString(down), `remove ${e.tunnel.name} by hand on router ${e.router.ssh.host} and node ${e.node.ssh.host} (ip link del ${shellQuote(endInterfaceName(e.tunnel, 'router'))} / ${shellQuote(endInterfaceName(e.tunnel, 'node'))}${e.tunnel.mode === 'wireguard' ? ', and kill its wireguard-go' : ''})`) });
  }
  return rows;
}
