/** Vantage node readiness: required tools, which traceroute backends exist, egress interface. */
import { DriverConfigError, DriverResult, fail } from '../ssh/failures';
import { runPrivilegedScript } from '../ssh/privilege';
import { withSsh } from '../ssh/session';
import * as v from '../ssh/validate';
import type { NodeTarget } from './types';
import { TRACEROUTE_BACKENDS, TracerouteBackend } from './traceroute';

/** Needed to terminate the tunnel (the traceroute backends are reported, not required). */
export const NODE_TOOLS = ['ip', 'iptables', 'sysctl', 'timeout'] as const;

export async function checkNode(node: NodeTarget): Promise<DriverResult<{ kernel: string; backends: TracerouteBackend[] }>> {
  let egress: string;
  try {
    egress = v.interfaceName(node.egressInterface, 'node.egressInterface');
  } catch (err) {
    if (err instanceof DriverConfigError) return fail('config_invalid', err.message);
    throw err;
  }
  return withSsh(node.ssh, async (s) => {
    // As root, like the tools run: a non-root login's PATH lacks /usr/sbin (iptables, sysctl),
    // sudo's secure_path has it.
    const probe = await runPrivilegedScript(s, 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done; uname -sr', [...NODE_TOOLS, ...TRACEROUTE_BACKENDS], { timeoutMs: 10_000 });
    if (!probe.ok) return probe;
    const lines = probe.stdout.trim().split('\n');
    const missing = lines.filter((l) => l.startsWith('missing ')).map((l) => l.slice('missing '.length));
    const lackingRequired = missing.filter((t) => (NODE_TOOLS as readonly string[]).includes(t));
    if (lackingRequired.length > 0) return fail('ssh_command_failed', `${s.label}: node lacks tools: ${lackingRequired.join(', ')}`);
    const link = await s.run(['ip', 'link', 'show', 'dev', egress], { timeoutMs: 10_000 });
    if (!link.ok) return link;
    if (link.code !== 0) return fail('config_invalid', `${s.label}: node.egressInterface ${egress} does not exist`);
    const backends = TRACEROUTE_BACKENDS.filter((b) => !missing.includes(b));
    return { ok: true, kernel: lines[lines.length - 1], backends };
  });
}
