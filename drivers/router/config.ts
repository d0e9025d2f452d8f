/** WLAN router settings the router driver needs, and the `configure` step. */
import { DriverConfigError, DriverResult, fail } from '../ssh/failures';
import { toolMissing, type HostProfile } from '../ssh/host-profile';
import { loginOwner, runPrivilegedScript } from '../ssh/privilege';
import { SshTarget, withSsh } from '../ssh/session';
import { runSteps } from '../ssh/steps';
import * as v from '../ssh/validate';
import { parseLinkText } from './ip-text';

export interface RouterConfig {
  ssh: SshTarget;
  /** The phone-facing (WLAN/LAN) interface: where captures run. */
  lanInterface: string;
  /** Absolute directory on the router for capture files (created on demand). */
  captureDir: string;
}

/** Tools the router must have; `configureRouter` reports which are missing. */
export const ROUTER_TOOLS = ['ip', 'tcpdump', 'sysctl', 'ping', 'timeout'] as const;

export function validateRouterConfig(router: RouterConfig): { lanInterface: string; captureDir: string } {
  return {
    lanInterface: v.interfaceName(router.lanInterface, 'router.lanInterface'),
    captureDir: v.remotePath(router.captureDir, 'router.captureDir'),
  };
}

/**
 * Prepare the router for measurements: check the tools and the LAN interface, enable IPv4
 * forwarding and create the capture directory. Idempotent.
 */
export async function configureRouter(router: RouterConfig): Promise<DriverResult<{ kernel: string; lanInterfaceUp: boolean }>> {
  let checked: { lanInterface: string; captureDir: string };
  try {
    checked = validateRouterConfig(router);
  } catch (err) {
    if (err instanceof DriverConfigError) return fail('config_invalid', err.message);
    throw err;
  }
  return withSsh(router.ssh, async (s) => {
    const p = await s.hostProfile();
    if (!p.ok) return p;
    // As root, like the tools run (sudo's secure_path has /usr/sbin, a non-root login's PATH not).
    const tools = await runPrivilegedScript(s, 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done', [...ROUTER_TOOLS], { timeoutMs: 10_000 });
    if (!tools.ok) return tools;
    const missing = tools.stdout.trim().split('\n');
    const absent = ROUTER_TOOLS.find((t) => missing.includes(t));
    if (absent) return toolMissing(s.label, absent);
    const lan = await s.run(linkShowArgv(p.profile, checked.lanInterface), { timeoutMs: 10_000 });
    if (!lan.ok) return lan;
    if (lan.code !== 0) return fail('config_invalid', `${s.label}: router.lanInterface ${checked.lanInterface} does not exist: ${lan.stderr.trim()}`);
    const lanInterfaceUp = linkFlags(p.profile, lan.stdout).includes('UP');
    const owner = await loginOwner(s);
    if (!owner.ok) return owner;
    // The capture folder goes to a non-root login (root makes it, e.g. under /var/lib): SFTP
    // fetches run as the login, and root's tcpdump writes anywhere. A root login changes no owner.
    const chown = owner.owner === '' ? [] : [['chown', owner.owner, checked.captureDir]];
    const steps = await runSteps(s, [['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], ['mkdir', '-p', '-m', '0700', checked.captureDir], ...chown], 'ssh_command_failed', { timeoutMs: 10_000 });
    if (!steps.ok) return steps;
    const kernel = await s.run(['uname', '-sr'], { timeoutMs: 10_000 });
    if (!kernel.ok) return kernel;
    return { ok: true, kernel: kernel.stdout.trim(), lanInterfaceUp };
  });
}

/** `ip link show dev NAME`, JSON where the host's ip has it. */
export function linkShowArgv(profile: Pick<HostProfile, 'ip'>, name: string): string[] {
  return profile.ip === 'json' ? ['ip', '-j', 'link', 'show', 'dev', name] : ['ip', 'link', 'show', 'dev', name];
}

/** The link's flags from `linkShowArgv`'s output. */
export function linkFlags(profile: Pick<HostProfile, 'ip'>, stdout: string): string[] {
  if (profile.ip === 'json') return (JSON.parse(stdout) as Array<{ flags?: string[] }>)[0]?.flags ?? [];
  return parseLinkText(stdout)?.flags ?? [];
}
