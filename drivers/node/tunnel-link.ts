/** Is the interface named like the tunnel present, and is it our kind of tunnel? */
import { DriverResult, fail } from '../ssh/failures';
import { SshSession } from '../ssh/session';
import { runPrivilegedScript } from '../ssh/privilege';
import { Argv, runCleanupThenSteps, runSteps } from '../ssh/steps';
import { linkDeleteArgv, linkKindArgv, TunnelEnd, TunnelSpec } from './tunnel-spec';
import { removeWireguardEnd } from './wireguard-end';

const TIMEOUT_MS = 15_000;

export type LinkState = 'absent' | 'ours' | 'foreign';

/** WireGuard (kernel or wireguard-go, whose link is a plain tun): ours when `wg` answers for it.
 *  No `ip -d -j`: BusyBox's `ip` (OpenWrt routers) has neither. */
const WIREGUARD_STATE_SCRIPT = 'ip link show dev "$1" >/dev/null 2>&1 || { echo absent; exit 0; }; if wg show "$1" public-key >/dev/null 2>&1; then echo wireguard; else echo other; fi';

export async function tunnelLinkState(session: SshSession, spec: TunnelSpec): Promise<DriverResult<{ state: LinkState; kind: string | null }>> {
  if (spec.mode === 'wireguard') {
    const w = await runPrivilegedScript(session, WIREGUARD_STATE_SCRIPT, [spec.name], { timeoutMs: TIMEOUT_MS });
    if (!w.ok) return w;
    const seen = w.stdout.trim();
    if (seen === 'absent') return { ok: true, state: 'absent', kind: null };
    return { ok: true, state: seen === 'wireguard' ? 'ours' : 'foreign', kind: seen === 'wireguard' ? 'wireguard' : null };
  }
  const r = await session.run(linkKindArgv(spec), { timeoutMs: TIMEOUT_MS });
  if (!r.ok) return r;
  if (r.code !== 0) return { ok: true, state: 'absent', kind: null }; // "Device ... does not exist."
  const links = JSON.parse(r.stdout) as Array<{ linkinfo?: { info_kind?: string } }>;
  const kind = links[0]?.linkinfo?.info_kind ?? null;
  return { ok: true, state: kind === spec.mode ? 'ours' : 'foreign', kind };
}

/** Refuse to build over an existing interface of another kind (it is not ours to replace). */
export async function assertNameFree(session: SshSession, spec: TunnelSpec): Promise<DriverResult<object>> {
  const st = await tunnelLinkState(session, spec);
  if (!st.ok) return st;
  if (st.state === 'foreign') return foreignName(session, spec, st.kind);
  return { ok: true };
}

function foreignName(session: SshSession, spec: TunnelSpec, kind: string | null): DriverResult<object> {
  return fail('tunnel_failed', `${session.label}: interface ${spec.name} exists and is a ${kind ?? 'plain'} interface, not a ${spec.mode} tunnel; refusing to replace it`);
}

/**
 * Remove one end: cleanup commands (missing pieces are fine) and then the link if it is ours
 * (WireGuard: also its wireguard-go, control socket and files, which outlive a link deleted by
 * hand). `removed` counts what was there. Gre/ipip/vxlan: the link's state, then cleanup and
 * delete in one script; WireGuard: one script.
 */
export async function takeEndDown(session: SshSession, spec: TunnelSpec, downSteps: readonly Argv[], end: TunnelEnd): Promise<DriverResult<{ removed: number }>> {
  if (spec.mode === 'wireguard') return removeWireguardEnd(session, spec, end, downSteps);
  const st = await tunnelLinkState(session, spec);
  if (!st.ok) return st;
  const ours = st.state === 'ours';
  const r = await runCleanupThenSteps(session, downSteps, ours ? [linkDeleteArgv(spec)] : [], 'tunnel_failed', { timeoutMs: TIMEOUT_MS });
  if (!r.ok) return r;
  return { ok: true, removed: r.succeeded + (ours ? 1 : 0) };
}

/**
 * Build one end from scratch (idempotent re-run); on failure remove what was built. Two round
 * trips (gre/ipip/vxlan): the link's state, then one script that clears what a previous run
 * left (the cleanup commands, the link itself when it is ours) and builds the end.
 */
export async function bringEndUp(session: SshSession, spec: TunnelSpec, upSteps: readonly Argv[], downSteps: readonly Argv[], end: TunnelEnd): Promise<DriverResult<object>> {
  let up: DriverResult<object>;
  if (spec.mode === 'wireguard') {
    const clear = await clearEnd(session, spec, downSteps, end);
    if (!clear.ok) return clear;
    up = await runSteps(session, upSteps, 'tunnel_failed', { timeoutMs: TIMEOUT_MS });
  } else {
    const st = await tunnelLinkState(session, spec);
    if (!st.ok) return st;
    if (st.state === 'foreign') return foreignName(session, spec, st.kind);
    // Our old link goes first as a step of its own: if it cannot be deleted, that is the failure.
    up = await runSteps(session, [...(st.state === 'ours' ? [linkDeleteArgv(spec)] : []), ...upSteps], 'tunnel_failed', { timeoutMs: TIMEOUT_MS }, downSteps);
  }
  if (!up.ok) await takeEndDown(session, spec, downSteps, end);
  return up;
}

/** Before building: refuse a foreign interface of the name, remove a previous tunnel of ours. */
export async function clearEnd(session: SshSession, spec: TunnelSpec, downSteps: readonly Argv[], end: TunnelEnd): Promise<DriverResult<object>> {
  const free = await assertNameFree(session, spec);
  if (!free.ok) return free;
  const before = await takeEndDown(session, spec, downSteps, end);
  return before.ok ? { ok: true } : before;
}

/** Run an end's up steps (its link exists already: WireGuard); on failure remove the end. */
export async function finishEnd(session: SshSession, spec: TunnelSpec, upSteps: readonly Argv[], downSteps: readonly Argv[], end: TunnelEnd): Promise<DriverResult<object>> {
  const up = await runSteps(session, upSteps, 'tunnel_failed', { timeoutMs: TIMEOUT_MS });
  if (!up.ok) await takeEndDown(session, spec, downSteps, end);
  return up;
}
